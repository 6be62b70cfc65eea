"""Sunshine-kitchen levels over time: when each canteen reached the level it has."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from zhucan.compliance import queries
from zhucan.compliance.schemas import SunshineChangeOut


async def record_sunshine(canteen_id: int, level: str) -> None:
    """Remember when a canteen reached `level`; the caller's transaction, if any, carries it."""
    if await queries.last_sunshine_level(canteen_id) != level:
        await queries.insert_sunshine_change(canteen_id, level)


async def sunshine_levels(canteens: list[dict], as_of: date, tz: ZoneInfo) -> dict[int, str]:
    """Each canteen's sunshine level at the end of `as_of` (a day in `tz`): the last change
    recorded by then, or its current level when none was (registered before levels were kept)."""
    end = datetime.combine(as_of + timedelta(days=1), time(), tz).astimezone(UTC)
    levels = {c["id"]: c["sunshine_level"] for c in canteens}
    for r in await queries.sunshine_changes_before(end):
        if r["canteen"] in levels:
            levels[r["canteen"]] = r["level"]
    return levels


async def sunshine_history(canteen_id: int) -> list[SunshineChangeOut]:
    return [SunshineChangeOut(**r) for r in await queries.sunshine_changes_of(canteen_id)]
