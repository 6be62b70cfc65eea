from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta

from zhucan.access import (
    PROXY_ROLES,
    Role,
    Staff,
    acts_for_linked_elders,
    elder_scope,
    role_label,
    sees_every_elder,
)
from zhucan.attempts import service as attempts
from zhucan.audit import service as audit
from zhucan.audit.rules import SYSTEM_ACTOR
from zhucan.canteens.service import require as require_canteen
from zhucan.clock import now_utc
from zhucan.db.codes import join_codes, split_codes
from zhucan.db.tx import write_transaction
from zhucan.errors import BadInput, Conflict, Forbidden, Locked, NotAuthenticated, NotFound
from zhucan.people import queries, rules
from zhucan.people.auth import hash_password, password_matches
from zhucan.people.queries import is_linked
from zhucan.people.schemas import ElderIn, ElderOut, LinkOut, StaffIn
from zhucan.regions import service as regions
from zhucan.settings import Settings

# ---------------------------------------------------------------- staff


async def set_staff_active(username: str, active: bool, *, actor: str) -> bool:
    """Disable or re-enable a staff account; whether it changed. A disabled account cannot
    sign in, and its tokens already issued are refused from the next request (auth.account_of)."""

    async def write() -> bool:
        was_active = await queries.staff_is_active(username)
        if was_active is None:
            raise NotFound(f"没有用户名为 {username} 的工作人员账号")
        if was_active == active:
            return False
        await queries.set_staff_active(username, active)
        await audit.record(
            actor, "staff.enable" if active else "staff.disable", f"staff:{username}"
        )
        return True

    return await write_transaction(write)


async def create_staff(data: StaffIn, *, actor: str = SYSTEM_ACTOR) -> Staff:
    canteen_id = None
    if data.role is Role.CANTEEN_STAFF:
        if not data.canteen:
            raise BadInput("canteen：食堂工作人员必须绑定一个食堂", field="canteen")
        canteen_id = (await require_canteen(data.canteen))["id"]
    elif data.canteen:
        raise BadInput("canteen：只有食堂工作人员（canteen_staff）绑定食堂", field="canteen")
    if await queries.username_taken(data.username):
        raise Conflict(f"username：用户名 {data.username} 已存在", field="username")
    password_hash = hash_password(data.password)

    async def write() -> int:
        staff_id = await queries.add_staff(
            username=data.username,
            display_name=data.display_name or data.username,
            password_hash=password_hash,
            role=data.role,
            canteen_id=canteen_id,
            created_at=now_utc(),
        )
        await audit.record(
            actor,
            "staff.create",
            f"staff:{data.username}",
            {"role": data.role, "canteen": data.canteen},
        )
        return staff_id

    return Staff(
        id=await write_transaction(write),
        username=data.username,
        role=data.role,
        canteen_code=data.canteen if canteen_id else None,
    )


async def authenticate(username: str, password: str, *, client: str | None = None) -> Staff:
    """The staff member with these credentials; wrong ones count against `client`'s address."""
    await attempts.check("password", client, username)
    row = await queries.staff_login(username)
    matches = password_matches(row["password_hash"] if row else None, password)
    if row is None or not row["active"] or not matches:
        await attempts.record_failure("password", client, username)
        raise NotAuthenticated("用户名或密码错误")
    return Staff(
        id=row["id"], username=row["username"], role=row["role"], canteen_code=row["canteen_code"]
    )


# ---------------------------------------------------------------- elders


def _elder_out(row: dict, today: date) -> ElderOut:
    age = rules.age_on(row["birth_date"], today)
    return ElderOut(
        elder_id=row["id"],
        card_no=row["card_no"],
        name=rules.mask_name(row["name"]),
        phone=rules.mask_phone(row["phone"]) if row["phone"] else "",
        id_number=rules.mask_id_last4(row["id_last4"]),
        region=row["region"],
        categories=split_codes(row["categories"]),
        age=age,
        age_tier=rules.age_tier(age),
        lives_alone=row["lives_alone"],
        diet=split_codes(row["diet"]),
        allergies=split_codes(row["allergies"]),
        proxy_consent=row["proxy_consent"],
        address=row["address"],
        status=row["status"],
    )


async def _new_card_no() -> str:
    while True:
        card_no = rules.card_no_from("8" + "".join(secrets.choice("0123456789") for _ in range(10)))
        if not await queries.card_no_taken(card_no):
            return card_no


async def create_elder(
    data: ElderIn, settings: Settings, today: date, *, actor: str = SYSTEM_ACTOR
) -> ElderOut:
    birth = rules.parse_id_number(data.id_number)
    if rules.age_on(birth, today) < rules.MIN_ELDER_AGE:
        raise BadInput(
            f"id_number：助餐服务对象须年满 {rules.MIN_ELDER_AGE} 周岁", field="id_number"
        )
    region = await regions.require(data.region, field="region")
    digest = rules.id_number_digest(settings.secret_key, data.id_number)
    if await queries.id_digest_taken(digest):
        raise Conflict("id_number：该身份证号已登记过老人", field="id_number")
    card_no = await _new_card_no()

    async def write() -> int:
        elder_id = await queries.add_elder(
            name=data.name.strip(),
            id_digest=digest,
            id_last4=data.id_number[-4:],
            birth_date=birth,
            phone=data.phone,
            region_id=region["id"],
            categories=join_codes(data.categories),
            card_no=card_no,
            pin_digest=rules.pin_digest(settings.secret_key, card_no, data.pin),
            lives_alone=data.lives_alone,
            diet=join_codes(data.diet),
            allergies=join_codes(data.allergies),
            proxy_consent=data.proxy_consent,
            address=data.address,
            created_at=now_utc(),
        )
        # Only what the back office needs to trace the registration, no personal data.
        await audit.record(
            actor,
            "elder.create",
            f"elder:{elder_id}",
            {"region": data.region, "categories": sorted(data.categories)},
        )
        return elder_id

    return await get_elder(await write_transaction(write), today)


async def get_elder(elder_id: int, today: date) -> ElderOut:
    row = await queries.elder(elder_id)
    if row is None:
        raise NotFound(f"没有编号为 {elder_id} 的老人")
    return _elder_out(row, today)


def not_linked() -> Forbidden:
    return Forbidden("只能查看与本账号关联的老人")


async def ensure_can_view(staff: Staff, elder_id: int) -> None:
    """Admins and operators see every elder; volunteers and family only those linked to them.

    Only those who see every elder learn whether an id exists: anyone else gets the same 403
    for an unknown id as for someone else's elder, so ids cannot be probed for who is enrolled."""
    if sees_every_elder(staff):
        if not await queries.elder_exists(elder_id):
            raise NotFound(f"没有编号为 {elder_id} 的老人")
        return
    if acts_for_linked_elders(staff) and await is_linked(elder_id, staff.id):
        return
    raise not_linked()


async def visible_elders(staff: Staff, today: date, q: str | None, limit: int) -> list[ElderOut]:
    scope = elder_scope(staff, "只有管理员、热线话务员和关联的志愿者、家属可以查看老人信息")
    search: dict[str, str] = {}
    if q:
        q = q.strip()
        if q.isdigit() and len(q) == 12:
            search["card_no"] = q
        elif q.isdigit():
            search["phone_ending"] = q
        else:
            # % and _ are LIKE's wildcards, in nobody's name: "%" must not list everyone.
            name = q.replace("%", "").replace("_", "")
            if not name:
                return []
            search["name_containing"] = name
    return [_elder_out(r, today) for r in await queries.elders(scope, limit, **search)]


async def link(elder_id: int, username: str, *, actor: str = SYSTEM_ACTOR) -> LinkOut:
    if not await queries.elder_exists(elder_id):
        raise NotFound(f"没有编号为 {elder_id} 的老人")
    staff = await queries.staff_role(username)
    if staff is None:
        raise BadInput(f"username：没有用户名为 {username} 的账号", field="username")
    if staff["role"] not in PROXY_ROLES:
        raise BadInput(
            f"username：只能关联志愿者或家属账号，{username} 是{role_label(staff['role'])}",
            field="username",
        )
    if await is_linked(elder_id, staff["id"]):
        raise Conflict(f"username：{username} 已与该老人关联", field="username")

    async def write() -> None:
        await queries.add_link(elder_id, staff["id"], now_utc())
        await audit.record(
            actor, "elder.link", f"elder:{elder_id}", {"username": username, "role": staff["role"]}
        )

    await write_transaction(write)
    return LinkOut(elder_id=elder_id, username=username, role=staff["role"])


# ---------------------------------------------------------------- 爱心卡 PIN


async def verify_card_pin(
    card_no: str, pin: str, settings: Settings, *, client: str | None = None
) -> int:
    """The elder id behind a card and PIN; counts wrong PINs and locks the card after five.

    With `client` (the request's address, `attempts.service.client_address(request)`), wrong PINs
    and unknown cards also count against that address, which gets 429 after too many
    (attempts.rules.PIN_PER_CLIENT): this stops guessing across many cards from one terminal.
    The counters are written in their own statements, not the caller's transaction, so that a
    refused order cannot roll a failed attempt back: call this before opening one.
    """
    await attempts.check("pin", client)
    row = await queries.card(card_no)
    if row is None or not rules.is_valid_card_no(card_no):
        await attempts.record_failure("pin", client)
        raise NotAuthenticated("爱心卡号或密码错误", field="card_no")
    now = now_utc()
    locked_until: datetime | None = row["locked_until"]
    if locked_until is not None and locked_until > now:
        minutes = max(1, int((locked_until - now).total_seconds() // 60) + 1)
        raise Locked(
            f"密码连续输错 {rules.PIN_ATTEMPTS} 次，爱心卡已锁定，请 {minutes} 分钟后再试",
            field="pin",
        )
    if not secrets.compare_digest(
        row["pin_digest"], rules.pin_digest(settings.secret_key, card_no, pin)
    ):
        await attempts.record_failure("pin", client)
        failed = row["failed_pins"] + 1
        if failed >= rules.PIN_ATTEMPTS:
            await queries.lock_card(row["id"], now + timedelta(minutes=rules.PIN_LOCK_MINUTES))
            raise Locked(
                f"密码连续输错 {rules.PIN_ATTEMPTS} 次，爱心卡已锁定 {rules.PIN_LOCK_MINUTES} 分钟",
                field="pin",
            )
        await queries.count_wrong_pin(row["id"])
        raise NotAuthenticated(
            f"爱心卡号或密码错误，还可再试 {rules.PIN_ATTEMPTS - failed} 次", field="pin"
        )
    if row["failed_pins"] or locked_until is not None:
        await queries.unlock_card(row["id"])
    if row["status"] != "active":
        raise Forbidden("该爱心卡已冻结（老人已去世或迁出）", field="card_no")
    return row["id"]
