"""How regions are read and written: the only module naming the region table."""

from __future__ import annotations

from zhucan.db import sql
from zhucan.regions.tables import Region


async def find(code: str) -> dict | None:
    return await Region.select().where(Region.code == code).first()


async def insert(row: dict) -> None:
    await Region.insert(Region(**row)).run()


async def update(code: str, values: dict) -> None:
    await Region.update(values).where(Region.code == code).run()


async def all_regions() -> list[dict]:
    """Every region, districts first, then by code."""
    return await Region.select().order_by(Region.depth).order_by(Region.code)


async def codes_within(code: str) -> list[str]:
    """The region and every region below it (its streets and their communities)."""
    rows = await sql.fetch(
        "WITH RECURSIVE down (code) AS (SELECT code FROM region WHERE code = $1"
        " UNION ALL SELECT r.code FROM region r JOIN down ON r.parent_code = down.code)"
        " SELECT code FROM down",
        code,
    )
    return [r["code"] for r in rows]


async def districts(region_ids: list[int]) -> dict[int, int]:
    """The district (the top of its region chain) of each region, by region id; a region whose
    chain breaks off counts as its own district. The one answer to "which district is this
    region in" (the subsidy's own-district rule, the LIVES export)."""
    if not region_ids:
        return {}
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
