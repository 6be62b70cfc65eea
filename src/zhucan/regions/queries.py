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


async def district_codes(*region_codes: str) -> dict[str, str]:
    """The district (the top of its region chain) of each region code; an unknown code is its
    own district."""
    if not region_codes:
        return {}
    rows = await sql.fetch(
        "WITH RECURSIVE up (start, code, parent) AS ("
        " SELECT code, code, parent_code FROM region WHERE code IN "
        f"({sql.placeholders(1, len(region_codes))})"
        " UNION ALL SELECT up.start, r.code, r.parent_code FROM region r"
        " JOIN up ON r.code = up.parent)"
        " SELECT start, code FROM up WHERE parent IS NULL",
        *region_codes,
    )
    return {code: code for code in region_codes} | {r["start"]: r["code"] for r in rows}


async def codes_within(code: str) -> list[str]:
    """The region and every region below it (its streets and their communities)."""
    rows = await sql.fetch(
        "WITH RECURSIVE down (code) AS (SELECT code FROM region WHERE code = $1"
        " UNION ALL SELECT r.code FROM region r JOIN down ON r.parent_code = down.code)"
        " SELECT code FROM down",
        code,
    )
    return [r["code"] for r in rows]
