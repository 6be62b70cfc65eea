"""Where a canteen's grade is computed from its inspections: the annual grade of many canteens
at once, and the grade each inspection left behind."""

from __future__ import annotations

from datetime import date

from zhucan.compliance import config, queries, rules
from zhucan.compliance.schemas import Grade, GradeHistoryEntry


def score(tenths: int) -> float:
    return tenths / 10


def facts(row: dict) -> rules.InspectionFacts:
    return rules.InspectionFacts(
        day=row["date"],
        score_tenths=row["score_tenths"],
        key_failures=row["key_failures"],
        incident=bool(row["incident"]),
    )


async def grades(canteens: list[dict], as_of: date) -> dict[int, Grade]:
    """The grade of each canteen (rows with its `id` and `license_issued`) as of a day, in
    three grouped queries whatever the count."""
    if not canteens:
        return {}
    ids = [c["id"] for c in canteens]
    licence_issued = {c["id"]: c["license_issued"] for c in canteens}
    grading = (await config.scheme()).grading
    window = await queries.window_aggregates(
        ids, rules.window_start(as_of, grading), as_of, grading.ungraded_key_failures
    )
    latest = await queries.latest_inspections(ids, as_of)
    alerts = await queries.alert_counts(ids, as_of.strftime("%Y-%m"))
    annual = {
        r["canteen_id"]: rules.window_grade(
            int(r["score_sum"]),
            r["n"],
            bool(r["capped"]),
            rules.licence_too_new(licence_issued[r["canteen_id"]], as_of, grading),
            grading,
        )
        for r in window
    }
    result = {}
    for canteen_id in ids:
        last = latest.get(canteen_id)
        result[canteen_id] = Grade(
            annual=annual.get(canteen_id),
            as_of=as_of,
            dynamic=last["dynamic_grade"] if last else None,
            score=score(last["score_tenths"]) if last else None,
            camera_alerts_month=alerts.get(canteen_id, 0),
        )
    return result


async def grade_history(
    canteen_id: int, licence_issued: date | None, as_of: date
) -> list[GradeHistoryEntry]:
    """One entry per inspection up to `as_of`, newest first, with the annual grade it left."""
    grading = (await config.scheme()).grading
    rows = await queries.grading_history(canteen_id, as_of)
    history = [facts(r) for r in rows]
    return [
        GradeHistoryEntry(
            inspection_id=r["id"],
            date=r["date"],
            kind=r["kind"],
            score=score(r["score_tenths"]),
            key_failures=r["key_failures"],
            dynamic_grade=r["dynamic_grade"],
            annual_grade=rules.annual_grade(r["date"], history, licence_issued, grading),
            incident=r["incident"],
        )
        for r in rows
    ]
