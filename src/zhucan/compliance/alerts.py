"""Camera alerts of the open kitchens (明厨亮灶): reported by the canteen, counted per month."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from zhucan.access import Staff
from zhucan.canteens import service as canteens
from zhucan.compliance import queries
from zhucan.compliance.schemas import AlertIn, AlertMonth, AlertOut
from zhucan.db.tx import write_transaction
from zhucan.errors import Forbidden


async def record_alert(code: str, data: AlertIn, staff: Staff, tz: ZoneInfo) -> AlertOut:
    if staff.canteen_code != code:
        raise Forbidden(f"只能上报本食堂（{staff.canteen_code}）的摄像头告警")
    canteen = await canteens.require(code)
    month = data.at.astimezone(tz).strftime("%Y-%m")

    async def work() -> tuple[int, int]:
        alert_id = await queries.insert_alert(
            {
                "canteen": canteen["id"],
                "kind": data.kind,
                "at": data.at,
                "month": month,
                "camera": data.camera,
                "snapshot_url": data.snapshot_url,
            }
        )
        return alert_id, await queries.alert_count(canteen["id"], month)

    alert_id, count = await write_transaction(work)
    return AlertOut(
        alert_id=alert_id, canteen=code, month=month, month_count=count, **data.model_dump()
    )


async def alerts_by_month(canteen_id: int, as_of: date) -> list[AlertMonth]:
    """Alert counts of the last 12 months up to `as_of`'s month, newest first, months with none
    left out."""
    first = date(as_of.year - 1, as_of.month, 1) + timedelta(days=32)
    rows = await queries.alerts_per_month(
        canteen_id, first.strftime("%Y-%m"), as_of.strftime("%Y-%m")
    )
    return [AlertMonth(month=r["month"], count=r["n"]) for r in rows]
