"""A canteen with its food-safety record: what the canteen pages and /canteens routes show,
and registering or changing a canteen, which keeps its sunshine-level history."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from zhucan.canteens import service as canteens
from zhucan.canteens.schemas import CanteenIn, CanteenPatch
from zhucan.compliance.alerts import alerts_by_month
from zhucan.compliance.findings import open_findings
from zhucan.compliance.grades import grade_history, grades
from zhucan.compliance.schemas import CanteenDetail, CanteenSummary, Grade
from zhucan.compliance.sunshine import record_sunshine, sunshine_history


async def _summaries(rows: list[dict], as_of: date) -> list[CanteenSummary]:
    graded = await grades(rows, as_of)
    ungraded = Grade(annual=None, dynamic=None, score=None, as_of=as_of)
    return [
        CanteenSummary(
            grade=graded.get(r["id"]) or ungraded, **{k: v for k, v in r.items() if k != "id"}
        )
        for r in rows
    ]


async def summaries(as_of: date, region: str | None = None) -> list[CanteenSummary]:
    return await _summaries(await canteens.listed(region), as_of)


async def summary(code: str, as_of: date) -> CanteenSummary:
    return (await _summaries([await canteens.require(code)], as_of))[0]


async def detail(code: str, as_of: date) -> CanteenDetail:
    row = await canteens.require(code)
    base = (await _summaries([row], as_of))[0]
    return CanteenDetail(
        **base.model_dump(),
        grade_history=await grade_history(row["id"], row["license_issued"], as_of),
        open_findings=(await open_findings([row["id"]], as_of)).get(row["id"], []),
        sunshine_history=await sunshine_history(row["id"]),
        camera_alerts=await alerts_by_month(row["id"], as_of),
    )


async def create(data: CanteenIn, as_of: date, *, actor: str) -> CanteenSummary:
    row = await canteens.create(data, actor=actor)
    await record_sunshine(row["id"], row["sunshine_level"])
    return await summary(data.code, as_of)


async def patch(code: str, data: CanteenPatch, as_of: date, *, actor: str) -> CanteenSummary:
    row = await canteens.patch(code, data, actor=actor)
    if "sunshine_level" in data.model_fields_set:
        await record_sunshine(row["id"], row["sunshine_level"])
    return await summary(code, as_of)


async def load_canteen_file(path: Path) -> int:
    """kitchens/canteens/<code>.toml: one canteen, registered or brought up to date."""
    data = canteens.read_file(path)
    changed = await canteens.upsert(data)
    if changed:
        row = await canteens.require(data.code)
        await record_sunshine(row["id"], row["sunshine_level"])
    return int(changed)
