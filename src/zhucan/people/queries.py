"""How people are read and written: the only module naming their tables."""

from __future__ import annotations

from zhucan.people.tables import StaffUser


async def staff_accounts(usernames: list[str]) -> dict[str, dict]:
    """The accounts of these usernames that exist, by username: role, whether active, and the
    code of the canteen they work at (None for staff of no canteen)."""
    rows = await StaffUser.select(
        StaffUser.id,
        StaffUser.username,
        StaffUser.role,
        StaffUser.active,
        StaffUser.canteen.code.as_alias("canteen_code"),
    ).where(StaffUser.username.is_in(usernames or [""]))
    return {r["username"]: r for r in rows}


async def active_inspectors() -> list[str]:
    """The usernames of the inspectors in service."""
    rows = await StaffUser.select(StaffUser.username).where(
        (StaffUser.role == "inspector") & StaffUser.active.eq(True)
    )
    return [r["username"] for r in rows]
