"""How canteens are read and written: the only module naming the canteen table."""

from __future__ import annotations

from zhucan.canteens.tables import Canteen
from zhucan.clock import now_utc

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
