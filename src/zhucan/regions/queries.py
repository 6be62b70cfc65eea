"""Regions as placing orders and the kitchen screen read them (fixed SQL: the order path)."""

from __future__ import annotations

from zhucan.db import sql


async def district_ids(region_ids: list[int]) -> dict[int, int]:
    """The district (the top of its region chain) of each region, by region id; a region whose
    chain breaks off counts as its own district."""
    rows = await sql.fetch(
        "WITH RECURSIVE up (start, id, parent) AS ("
        " SELECT id, id, parent_code FROM region WHERE id IN"
        f" ({sql.placeholders(1, len(region_ids))})"
        " UNION ALL SELECT up.start, r.id, r.parent_code FROM region r"
        " JOIN up ON r.code = up.parent)"
        " SELECT start, id FROM up WHERE parent IS NULL",
        *region_ids,
    )
    return {region_id: region_id for region_id in region_ids} | {r["start"]: r["id"] for r in rows}


async def codes_and_names(region_ids: list[int]) -> dict[int, dict]:
    """code and name of each region, by id."""
    if not region_ids:
        return {}
    rows = await sql.fetch(
        f"SELECT id, code, name FROM region WHERE id IN ({sql.placeholders(1, len(region_ids))})",
        *region_ids,
    )
    return {r["id"]: r for r in rows}
