"""Canteens as placing orders and the kitchen screen read them (fixed SQL: the order path)."""

from __future__ import annotations

from zhucan.db import sql


async def canteen_for_order(code: str) -> dict | None:
    """id, active, license_expires and region (id) of the canteen `code`."""
    return await sql.fetchrow(
        "SELECT id, active, license_expires, region FROM canteen WHERE code = $1", code
    )


async def canteen_codes(canteen_ids: list[int]) -> dict[int, str]:
    """The code of each canteen, by id."""
    if not canteen_ids:
        return {}
    rows = await sql.fetch(
        f"SELECT id, code FROM canteen WHERE id IN ({sql.placeholders(1, len(canteen_ids))})",
        *canteen_ids,
    )
    return {r["id"]: r["code"] for r in rows}
