"""How canteens are read and written: the only module naming the canteen table."""

from __future__ import annotations

from zhucan.canteens.tables import Canteen
from zhucan.clock import now_utc
from zhucan.db import sql

# What every reader gets of a canteen: its region as the community's code.
COLUMNS = [
    Canteen.id,
    Canteen.code,
    Canteen.name,
    Canteen.kind,
    Canteen.region.code.as_alias("region"),
    Canteen.size,
    Canteen.address,
    Canteen.license_no,
    Canteen.license_issued,
    Canteen.license_expires,
    Canteen.sunshine_level,
    Canteen.capacity,
    Canteen.active,
    Canteen.insurance_expires,
]


async def find(code: str) -> dict | None:
    return await Canteen.select(*COLUMNS).where(Canteen.code == code).first()


async def canteens(
    *, active_only: bool = False, region_codes: list[str] | None = None
) -> list[dict]:
    """Canteens by code; only those in service, or only those in the given regions, if asked."""
    query = Canteen.select(*COLUMNS).order_by(Canteen.code)
    if active_only:
        query = query.where(Canteen.active.eq(True))
    if region_codes is not None:
        query = query.where(Canteen.region.code.is_in(region_codes or [""]))
    return await query


async def names() -> dict[str, str]:
    """Every canteen's name by its code."""
    return {r["code"]: r["name"] for r in await Canteen.select(Canteen.code, Canteen.name)}


async def insert(values: dict) -> None:
    await Canteen.insert(Canteen(updated_at=now_utc(), **values)).run()


async def update(code: str, values: dict) -> None:
    await (
        Canteen.update({**values, Canteen.updated_at: now_utc()}).where(Canteen.code == code).run()
    )


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
