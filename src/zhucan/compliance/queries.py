"""How the food-safety record is read and written: the only module naming compliance's tables
(compliance_config, inspection, finding, camera_alert, sunshine_change, random_plan)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from piccolo.columns import Column

from zhucan.clock import now_utc
from zhucan.compliance.tables import (
    CameraAlert,
    ComplianceConfig,
    Finding,
    Inspection,
    RandomPlan,
    SunshineChange,
)
from zhucan.db import sql

# ---------------------------------------------------------------- the scheme's data files


async def config_body(name: str) -> str | None:
    row = (
        await ComplianceConfig.select(ComplianceConfig.body)
        .where(ComplianceConfig.name == name)
        .first()
    )
    return None if row is None else row["body"]


async def insert_config(name: str, body: str) -> None:
    await ComplianceConfig.insert(
        ComplianceConfig(name=name, body=body, updated_at=now_utc())
    ).run()


async def update_config(name: str, body: str) -> None:
    await (
        ComplianceConfig.update(
            {ComplianceConfig.body: body, ComplianceConfig.updated_at: now_utc()}
        )
        .where(ComplianceConfig.name == name)
        .run()
    )


# ---------------------------------------------------------------- inspections


async def window_aggregates(
    canteen_ids: list[int], start: date, end: date, capping_key_failures: int
) -> list[dict]:
    """Per canteen inspected between `start` and `end`: the count and sum of its scores, and
    whether any of them caps the annual grade at C (too many key failures or an incident)."""
    return await sql.fetch(
        "SELECT canteen AS canteen_id, COUNT(*) AS n, SUM(score_tenths) AS score_sum, "
        "MAX(CASE WHEN key_failures >= $1 OR incident THEN 1 ELSE 0 END) AS capped "
        "FROM inspection WHERE date >= $2 AND date <= $3 "
        f"AND canteen IN ({sql.placeholders(4, len(canteen_ids))}) GROUP BY canteen",
        capping_key_failures,
        start,
        end,
        *canteen_ids,
    )


async def latest_inspections(canteen_ids: list[int], as_of: date) -> dict[int, dict]:
    """Each canteen's last inspection by `as_of`: score, dynamic grade, inspectors."""
    rows = await sql.fetch(
        "SELECT canteen_id, score_tenths, dynamic_grade, inspectors FROM ("
        "SELECT canteen AS canteen_id, score_tenths, dynamic_grade, inspectors, "
        "ROW_NUMBER() OVER (PARTITION BY canteen ORDER BY date DESC, id DESC) AS rn "
        "FROM inspection WHERE date <= $1 "
        f"AND canteen IN ({sql.placeholders(2, len(canteen_ids))})) latest WHERE rn = 1",
        as_of,
        *canteen_ids,
    )
    return {r["canteen_id"]: r for r in rows}


async def grading_history(canteen_id: int, until: date) -> list[dict]:
    """A canteen's inspections up to `until`, newest first, with what grades them."""
    return (
        await Inspection.select(
            Inspection.id,
            Inspection.date,
            Inspection.kind,
            Inspection.score_tenths,
            Inspection.key_failures,
            Inspection.dynamic_grade,
            Inspection.incident,
        )
        .where((Inspection.canteen == canteen_id) & (Inspection.date <= until))
        .order_by(Inspection.date, ascending=False)
        .order_by(Inspection.id, ascending=False)
    )


async def grading_facts_until(until: date) -> list[dict]:
    """What grades every inspection up to `until`, of every canteen."""
    return await Inspection.select(
        Inspection.canteen,
        Inspection.date,
        Inspection.score_tenths,
        Inspection.key_failures,
        Inspection.incident,
    ).where(Inspection.date <= until)


async def inspections_of(canteen_id: int, only: int | None = None) -> list[dict]:
    """A canteen's inspections as filed, newest first (or just the one with id `only`)."""
    query = Inspection.select().where(Inspection.canteen == canteen_id)
    if only is not None:
        query = query.where(Inspection.id == only)
    return await query.order_by(Inspection.date, ascending=False).order_by(
        Inspection.id, ascending=False
    )


async def inspected_by(canteen_id: int, day: date) -> bool:
    """Whether the canteen was inspected on or before `day`."""
    return await Inspection.exists().where(
        (Inspection.canteen == canteen_id) & (Inspection.date <= day)
    )


async def any_inspection() -> bool:
    return await Inspection.exists()


async def insert_inspection(values: dict) -> int:
    inspection = Inspection(created_at=now_utc(), **values)
    await inspection.save()
    return inspection.id


async def all_inspections() -> list[dict]:
    """Every inspection, by canteen, date and id: the open-data export."""
    return (
        await Inspection.select(
            Inspection.id,
            Inspection.canteen,
            Inspection.date,
            Inspection.kind,
            Inspection.score_tenths,
            Inspection.dynamic_grade,
            Inspection.notes,
        )
        .order_by(Inspection.canteen)
        .order_by(Inspection.date)
        .order_by(Inspection.id)
    )


# ---------------------------------------------------------------- findings

FINDING_COLUMNS: list[Column] = [
    Finding.canteen,
    Finding.inspection,
    Finding.item,
    Finding.title,
    Finding.key,
    Finding.opened_on,
    Finding.deadline,
    Finding.resolved_on,
    Finding.resolved_by,
]


async def unresolved_findings(canteen_ids: list[int], as_of: date) -> list[dict]:
    """Findings opened by `as_of` and not resolved by then, oldest deadline first."""
    return (
        await Finding.select(*FINDING_COLUMNS)
        .where(
            Finding.canteen.is_in(canteen_ids)
            & (Finding.opened_on <= as_of)
            & (Finding.resolved_on.is_null() | (Finding.resolved_on > as_of)),
        )
        .order_by(Finding.deadline)
        .order_by(Finding.item)
    )


async def open_findings_of_item(canteen_id: int, item: str) -> list[dict]:
    """Id and opening day of the findings of one checklist item still open at a canteen."""
    return await Finding.select(Finding.id, Finding.opened_on).where(
        (Finding.canteen == canteen_id) & (Finding.item == item) & Finding.resolved_on.is_null()
    )


async def resolve_findings(finding_ids: list[int], day: date, resolved_by: str) -> list[dict]:
    """Close these findings; what they are now, by the day they were opened."""
    await (
        Finding.update({Finding.resolved_on: day, Finding.resolved_by: resolved_by})
        .where(Finding.id.is_in(finding_ids))
        .run()
    )
    return (
        await Finding.select(*FINDING_COLUMNS)
        .where(Finding.id.is_in(finding_ids))
        .order_by(Finding.opened_on)
    )


async def resolve_passed_items(
    canteen_id: int, items: list[str], day: date, resolved_by: str
) -> None:
    """Close what was still open on `day` of the items an inspection found in order."""
    await (
        Finding.update({Finding.resolved_on: day, Finding.resolved_by: resolved_by})
        .where(
            (Finding.canteen == canteen_id)
            & Finding.item.is_in(items)
            & Finding.resolved_on.is_null()
            & (Finding.opened_on <= day)
        )
        .run()
    )


async def insert_findings(rows: list[dict]) -> None:
    await Finding.insert(*[Finding(**r) for r in rows]).run()


async def findings_of_inspections(inspection_ids: list[int]) -> list[dict]:
    return (
        await Finding.select(*FINDING_COLUMNS)
        .where(Finding.inspection.is_in(inspection_ids or [0]))
        .order_by(Finding.item)
    )


async def all_findings() -> list[dict]:
    """Every finding, by canteen, opening day and item: the open-data export."""
    return (
        await Finding.select(
            Finding.canteen,
            Finding.opened_on,
            Finding.item,
            Finding.title,
            Finding.key,
            Finding.deadline,
        )
        .order_by(Finding.canteen)
        .order_by(Finding.opened_on)
        .order_by(Finding.item)
    )


# ---------------------------------------------------------------- camera alerts


async def insert_alert(values: dict) -> int:
    alert = CameraAlert(created_at=now_utc(), **values)
    await alert.save()
    return alert.id


async def alert_count(canteen_id: int, month: str) -> int:
    return await CameraAlert.count().where(
        (CameraAlert.canteen == canteen_id) & (CameraAlert.month == month)
    )


async def alert_counts(canteen_ids: list[int], month: str) -> dict[int, int]:
    """Alerts of each canteen in `month` (YYYY-MM); canteens with none left out."""
    rows = await sql.fetch(
        "SELECT canteen AS canteen_id, COUNT(*) AS n FROM camera_alert WHERE month = $1 "
        f"AND canteen IN ({sql.placeholders(2, len(canteen_ids))}) GROUP BY canteen",
        month,
        *canteen_ids,
    )
    return {r["canteen_id"]: r["n"] for r in rows}


async def alerts_per_month(canteen_id: int, first: str, last: str) -> list[dict]:
    """A canteen's alert count of each month from `first` to `last` (YYYY-MM), newest first."""
    return await sql.fetch(
        "SELECT month, COUNT(*) AS n FROM camera_alert WHERE canteen = $1 AND month >= $2 "
        "AND month <= $3 GROUP BY month ORDER BY month DESC",
        canteen_id,
        first,
        last,
    )


# ---------------------------------------------------------------- sunshine levels


async def last_sunshine_level(canteen_id: int) -> str | None:
    row = (
        await SunshineChange.select(SunshineChange.level)
        .where(SunshineChange.canteen == canteen_id)
        .order_by(SunshineChange.changed_at, ascending=False)
        .order_by(SunshineChange.id, ascending=False)
        .first()
    )
    return None if row is None else row["level"]


async def insert_sunshine_change(canteen_id: int, level: str) -> None:
    await SunshineChange.insert(
        SunshineChange(canteen=canteen_id, level=level, changed_at=now_utc())
    ).run()


async def sunshine_changes_before(end: datetime) -> list[dict]:
    """Every canteen's level changes before `end`, oldest first."""
    return (
        await SunshineChange.select(SunshineChange.canteen, SunshineChange.level)
        .where(SunshineChange.changed_at < end)
        .order_by(SunshineChange.changed_at)
        .order_by(SunshineChange.id)
    )


async def sunshine_changes_of(canteen_id: int) -> list[dict]:
    """One canteen's level changes, newest first."""
    return (
        await SunshineChange.select(SunshineChange.level, SunshineChange.changed_at)
        .where(SunshineChange.canteen == canteen_id)
        .order_by(SunshineChange.changed_at, ascending=False)
    )


# ---------------------------------------------------------------- 双随机 plans


async def insert_random_plan(values: dict) -> int:
    plan = RandomPlan(created_at=now_utc(), **values)
    await plan.save()
    return plan.id


async def random_plan(plan_id: int) -> dict[str, Any]:
    """A plan already published (its id comes from insert_random_plan)."""
    plan = await RandomPlan.select().where(RandomPlan.id == plan_id).first()
    assert plan is not None
    return plan


async def random_plans() -> list[dict]:
    """Every published plan, newest first."""
    return await RandomPlan.select().order_by(RandomPlan.id, ascending=False)
