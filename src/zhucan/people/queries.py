"""How staff accounts, elders and their links are read and written: the only module that names
the people tables. Other domains call these functions instead of importing people.tables."""

from __future__ import annotations

from datetime import date, datetime

from piccolo.columns import Boolean, Varchar
from piccolo.query import Select
from piccolo.table import Table

from zhucan.access import ElderScope, Role
from zhucan.db import sql
from zhucan.people.tables import Elder, ElderLink, StaffUser

# ---------------------------------------------------------------- staff


# Fixed SQL (db/sql.py): every request with a bearer token reads it.
async def account(staff_id: int) -> dict | None:
    """username, role, active and canteen (id) of an account."""
    return await sql.fetchrow(
        "SELECT username, role, active, canteen FROM staff_user WHERE id = $1", staff_id
    )


async def staff_is_active(username: str) -> bool | None:
    """Whether the account is active; None when there is no such account."""
    row = await StaffUser.select(StaffUser.active).where(StaffUser.username == username).first()
    return None if row is None else row["active"]


async def set_staff_active(username: str, active: bool) -> None:
    await StaffUser.update({StaffUser.active: active}).where(StaffUser.username == username)


async def username_taken(username: str) -> bool:
    return await StaffUser.exists().where(StaffUser.username == username)


async def add_staff(
    *,
    username: str,
    display_name: str,
    password_hash: str,
    role: str,
    canteen_id: int | None,
    created_at: datetime,
) -> int:
    row = StaffUser(
        username=username,
        display_name=display_name,
        password_hash=password_hash,
        role=role,
        canteen=canteen_id,
        created_at=created_at,
    )
    await row.save()
    return row.id


async def staff_login(username: str) -> dict | None:
    """id, username, password_hash, role, active and canteen_code of an account."""
    return (
        await StaffUser.select(
            StaffUser.id,
            StaffUser.username,
            StaffUser.password_hash,
            StaffUser.role,
            StaffUser.active,
            StaffUser.canteen.code.as_alias("canteen_code"),
        )
        .where(StaffUser.username == username)
        .first()
    )


async def staff_role(username: str) -> dict | None:
    """id and role of an account."""
    return (
        await StaffUser.select(StaffUser.id, StaffUser.role)
        .where(StaffUser.username == username)
        .first()
    )


# ---------------------------------------------------------------- elders

ELDER_COLUMNS = [
    Elder.id,
    Elder.card_no,
    Elder.name,
    Elder.phone,
    Elder.id_last4,
    Elder.birth_date,
    Elder.region.code.as_alias("region"),
    Elder.categories,
    Elder.lives_alone,
    Elder.diet,
    Elder.allergies,
    Elder.proxy_consent,
    Elder.address,
    Elder.status,
]


async def elder_exists(elder_id: int) -> bool:
    return await Elder.exists().where(Elder.id == elder_id)


async def card_no_taken(card_no: str) -> bool:
    return await Elder.exists().where(Elder.card_no == card_no)


async def id_digest_taken(id_digest: str) -> bool:
    return await Elder.exists().where(Elder.id_digest == id_digest)


async def add_elder(
    *,
    name: str,
    id_digest: str,
    id_last4: str,
    birth_date: date,
    phone: str,
    region_id: int,
    categories: str,
    card_no: str,
    pin_digest: str,
    lives_alone: bool,
    diet: str,
    allergies: str,
    proxy_consent: bool,
    address: str,
    created_at: datetime,
) -> int:
    row = Elder(
        name=name,
        id_digest=id_digest,
        id_last4=id_last4,
        birth_date=birth_date,
        phone=phone,
        region=region_id,
        categories=categories,
        card_no=card_no,
        pin_digest=pin_digest,
        lives_alone=lives_alone,
        diet=diet,
        allergies=allergies,
        proxy_consent=proxy_consent,
        address=address,
        created_at=created_at,
    )
    await row.save()
    return row.id


async def elder(elder_id: int) -> dict | None:
    """An elder's ELDER_COLUMNS, codes still comma-separated."""
    return await Elder.select(*ELDER_COLUMNS).where(Elder.id == elder_id).first()


def linked_elder_ids(staff_id: int):
    """A subquery of the elders linked to a volunteer or family account."""
    return ElderLink.select(ElderLink.elder).where(ElderLink.staff == staff_id)


async def elders(
    scope: ElderScope,
    limit: int,
    *,
    card_no: str | None = None,
    phone_ending: str | None = None,
    name_containing: str | None = None,
) -> list[dict]:
    """The elders in `scope`, in id order with their ELDER_COLUMNS, narrowed by card number,
    phone ending or part of the name."""
    query = Elder.select(*ELDER_COLUMNS).order_by(Elder.id).limit(limit)
    if scope.linked_to is not None:
        query = query.where(Elder.id.is_in(linked_elder_ids(scope.linked_to)))
    if card_no is not None:
        query = query.where(Elder.card_no == card_no)
    if phone_ending is not None:
        query = query.where(Elder.phone.like(f"%{phone_ending}"))
    if name_containing is not None:
        query = query.where(Elder.name.like(f"%{name_containing}%"))
    return await query


async def elder_cards(limit: int | None = None) -> list[dict]:
    """id and card_no of the first `limit` elders (all of them without one), in id order."""
    query = Elder.select(Elder.id, Elder.card_no).order_by(Elder.id)
    return await (query.limit(limit) if limit is not None else query)


# ---------------------------------------------------------------- links


async def link_count() -> int:
    return await ElderLink.count()


async def is_linked(elder_id: int, staff_id: int) -> bool:
    return bool(
        await sql.fetch(
            "SELECT 1 FROM elder_link WHERE elder = $1 AND staff = $2 LIMIT 1", elder_id, staff_id
        )
    )


async def add_link(elder_id: int, staff_id: int, created_at: datetime) -> None:
    await ElderLink.insert(ElderLink(elder=elder_id, staff=staff_id, created_at=created_at)).run()


# ---------------------------------------------------------------- 爱心卡 PIN


# Fixed SQL (db/sql.py): every order placed with card and PIN reads it.
async def card(card_no: str) -> dict | None:
    """id, pin_digest, failed_pins, locked_until and status of the elder holding a card."""
    return await sql.fetchrow(
        "SELECT id, pin_digest, failed_pins, locked_until, status FROM elder WHERE card_no = $1",
        card_no,
    )


async def count_wrong_pin(elder_id: int) -> None:
    await Elder.update({Elder.failed_pins: Elder.failed_pins + 1}).where(Elder.id == elder_id).run()


async def lock_card(elder_id: int, until: datetime) -> None:
    """Lock the card until `until`, its count of wrong PINs starting again from zero."""
    await (
        Elder.update({Elder.failed_pins: 0, Elder.locked_until: until})
        .where(Elder.id == elder_id)
        .run()
    )


async def unlock_card(elder_id: int) -> None:
    await (
        Elder.update({Elder.failed_pins: 0, Elder.locked_until: None})
        .where(Elder.id == elder_id)
        .run()
    )


# ---------------------------------------------------------------- inspectors


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
        (StaffUser.role == Role.INSPECTOR) & StaffUser.active.eq(True)
    )
    return [r["username"] for r in rows]


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


async def staff_usernames(staff_ids: list[int]) -> dict[int, str]:
    if not staff_ids:
        return {}
    return {
        r["id"]: r["username"]
        for r in await StaffUser.select(StaffUser.id, StaffUser.username).where(
            StaffUser.id.is_in(staff_ids)
        )
    }


class AdminAccount(Table, tablename="staff_user"):
    """A staff account as the data browser (piccolo_admin, web/data_browser.py) checks the one
    using it: only admins are `admin`, nobody is a `superuser`, so piccolo_admin's own user and
    session tables stay out of reach."""

    username = Varchar(length=50)
    role = Varchar(length=20)
    active = Boolean()
    superuser = False

    @property
    def admin(self) -> bool:
        return self.role == Role.ADMIN
