"""Findings: the failed checklist items a canteen must rectify, and their resolution."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from zhucan.access import Staff
from zhucan.canteens import service as canteens
from zhucan.compliance import config, queries, rules
from zhucan.compliance.schemas import FindingOut, ResolveIn
from zhucan.db.tx import write_transaction
from zhucan.errors import BadInput, Conflict, NotFound


def finding_out(row: dict, as_of: date) -> FindingOut:
    resolved_on = row["resolved_on"] if row["resolved_on"] and row["resolved_on"] <= as_of else None
    return FindingOut(
        item=row["item"],
        title=row["title"],
        key=row["key"],
        opened_on=row["opened_on"],
        deadline=row["deadline"],
        status=rules.finding_status(row["deadline"], resolved_on, as_of),
        resolved_on=resolved_on,
        resolved_by=row["resolved_by"] if resolved_on else "",
        inspection_id=row["inspection"],
    )


async def open_findings(canteen_ids: list[int], as_of: date) -> dict[int, list[FindingOut]]:
    """Findings opened by `as_of` and not resolved by then, per canteen, oldest deadline first."""
    if not canteen_ids:
        return {}
    result: dict[int, list[FindingOut]] = defaultdict(list)
    for r in await queries.unresolved_findings(canteen_ids, as_of):
        result[r["canteen"]].append(finding_out(r, as_of))
    return result


async def resolve(
    code: str,
    item: str,
    data: ResolveIn,
    staff: Staff,
    today: date,
) -> list[FindingOut]:
    """An inspector closes the open findings of one checklist item at a canteen."""
    canteen = await canteens.require(code)
    day = data.date or today
    if day > today:
        raise BadInput("date：整改完成日期不能晚于今天", field="date")

    async def work() -> list[FindingOut]:
        rows = await queries.open_findings_of_item(canteen["id"], item)
        if not rows:
            if item not in {i.code for i in (await config.scheme()).item}:
                raise NotFound(f"检查表中没有检查项 {item}")
            raise Conflict(f"食堂 {code} 的检查项 {item} 没有待整改的问题")
        opened = max(r["opened_on"] for r in rows)
        if day < opened:
            raise BadInput(
                f"date：整改完成日期不能早于问题发现日期 {opened.isoformat()}", field="date"
            )
        resolved = await queries.resolve_findings([r["id"] for r in rows], day, staff.username)
        return [finding_out(r, today) for r in resolved]

    return await write_transaction(work)
