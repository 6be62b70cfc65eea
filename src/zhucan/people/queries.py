"""Elders and staff accounts as the money, subsidy and ordering domains read and change them."""

from __future__ import annotations

from piccolo.query import Select

from zhucan.db import sql
from zhucan.people.tables import Elder, StaffUser


async def elder_for_order(elder_id: int) -> dict | None:
    """What placing an order needs of the elder (fixed SQL: the order path): birth_date,
    categories, diet, allergies, address, status, region (id) and proxy_consent."""
    return await sql.fetchrow(
        "SELECT birth_date, categories, diet, allergies, address, status, region, proxy_consent"
        " FROM elder WHERE id = $1",
        elder_id,
    )


async def elders_by_id(elder_ids: list[int]) -> dict[int, dict]:
    """name, diet, allergies, lives_alone and region (id) of these elders, by id: what a
    kitchen or a helper's order list shows."""
    if not elder_ids:
        return {}
    rows = await sql.fetch(
        "SELECT id, name, diet, allergies, lives_alone, region FROM elder"
        f" WHERE id IN ({sql.placeholders(1, len(elder_ids))})",
        *elder_ids,
    )
    return {r["id"]: r for r in rows}


async def elder_status(elder_id: int) -> str | None:
    """active, deceased or moved; None for no such elder."""
    row = await Elder.select(Elder.status).where(Elder.id == elder_id).first()
    return None if row is None else row["status"]


async def elder_birth_date_and_status(elder_id: int) -> dict | None:
    return (
        await Elder.select(Elder.id, Elder.birth_date, Elder.status)
        .where(Elder.id == elder_id)
        .first()
    )


async def set_elder_status(elder_id: int, status: str) -> None:
    await Elder.update({Elder.status: status}).where(Elder.id == elder_id)


async def active_elders() -> list[dict]:
    """id, birth_date and categories of every active elder, by id."""
    return (
        await Elder.select(Elder.id, Elder.birth_date, Elder.categories)
        .where(Elder.status == "active")
        .order_by(Elder.id)
    )


async def active_among(elder_ids: list[int]) -> set[int]:
    """Those of `elder_ids` who are active."""
    return {
        r["id"]
        for r in await Elder.select(Elder.id).where(
            Elder.id.is_in(elder_ids) & (Elder.status == "active")
        )
    }


def inactive_elder_ids() -> Select:
    """A subquery of the elders who died or moved away."""
    return Elder.select(Elder.id).where(Elder.status != "active")


async def elder_statuses(elder_ids: list[int]) -> dict[int, str]:
    if not elder_ids:
        return {}
    return {
        r["id"]: r["status"]
        for r in await Elder.select(Elder.id, Elder.status).where(Elder.id.is_in(elder_ids))
    }


async def staff_id_and_role(username: str) -> dict | None:
    return (
        await StaffUser.select(StaffUser.id, StaffUser.role)
        .where(StaffUser.username == username)
        .first()
    )


async def staff_usernames(staff_ids: list[int]) -> dict[int, str]:
    if not staff_ids:
        return {}
    return {
        r["id"]: r["username"]
        for r in await StaffUser.select(StaffUser.id, StaffUser.username).where(
            StaffUser.id.is_in(staff_ids)
        )
    }
