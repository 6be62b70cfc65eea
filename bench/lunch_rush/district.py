"""A district of N canteens and M elders with funded cards, lunch menus and staff, built through
the service layer (the same validation, digests and ledger transfers as the API)."""

from __future__ import annotations

import asyncio
import random
from dataclasses import asdict, dataclass, field
from datetime import date

from zhucan.access import Staff
from zhucan.canteens.schemas import CanteenIn
from zhucan.clock import now_utc
from zhucan.compliance import canteen_profile as canteens
from zhucan.db.tx import write_transaction
from zhucan.menus import service as menus
from zhucan.menus.schemas import MenuIn, MenuItemIn
from zhucan.money import rules as money_rules
from zhucan.money import service as money
from zhucan.people import rules as people_rules
from zhucan.people import service as people
from zhucan.people.auth import issue_token
from zhucan.people.schemas import ElderIn, StaffIn
from zhucan.people.tables import ElderLink
from zhucan.regions import service as regions
from zhucan.regions.schemas import RegionIn
from zhucan.settings import Settings

PIN = "135790"
# 2,000 元: no card runs dry during a run, so no order falls back to cash. Not more: the
# government fund's cached balance (every elder's opening top-up) is an int4 on PostgreSQL.
CARD_FEN = 200_000
POINTS = 5_000
DISHES = [
    ("A", "红烧肉套餐", 1500),
    ("B", "清蒸鱼套餐", 1800),
    ("C", "素三鲜", 900),
    ("D", "番茄蛋汤", 300),
    ("E", "软米饭", 200),
]
CATEGORIES = [[], [], [], ["tekun"], ["dibao"], ["dibian"], ["disabled"], ["youfu"], ["other"]]
AGES = [62, 68, 75, 79, 81, 86, 89, 91, 95]
ELDERS_PER_VOLUNTEER = 20
TOKEN_TTL = 6 * 3600


@dataclass
class District:
    """What the load generator needs to know; JSON-able."""

    meal_date: str
    slot: str
    canteens: list[str]
    dishes: list[str]
    # [elder_id, card_no, home canteen code, volunteer index or -1]
    elders: list[list] = field(default_factory=list)
    admin_token: str = ""
    operator_token: str = ""
    volunteer_tokens: list[str] = field(default_factory=list)
    staff_tokens: dict[str, str] = field(default_factory=dict)  # canteen code → token
    pin: str = PIN

    def to_json(self) -> dict:
        return asdict(self)


def _id_number(rng: random.Random, today: date, age: int, serial: int) -> str:
    body = (
        f"330212{today.year - age - 1}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        f"{serial % 1000:03d}"
    )
    return body + people_rules.id_check_char(body)


async def _gather_bounded(coros, limit: int):
    semaphore = asyncio.Semaphore(limit)

    async def one(coro):
        async with semaphore:
            return await coro

    return await asyncio.gather(*[one(c) for c in coros])


async def build(
    settings: Settings,
    n_canteens: int,
    n_elders: int,
    meal_date: date,
    today: date,
    parallel: int = 8,
) -> District:
    # Staff sign in with tokens issued here, never with their passwords: hash those cheaply
    # (as the test suite does) instead of ~0.3 s of argon2 per account.
    from argon2 import PasswordHasher

    from zhucan.people import auth

    saved, auth._hasher = auth._hasher, PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    try:
        return await _build(settings, n_canteens, n_elders, meal_date, today, parallel)
    finally:
        auth._hasher = saved


async def _build(
    settings: Settings, n_canteens: int, n_elders: int, meal_date: date, today: date, parallel: int
) -> District:
    rng = random.Random(12349)
    await regions.create(RegionIn(code="BR", name="压测区"))
    streets = max(1, n_canteens // 5)
    for s in range(streets):
        await regions.create(RegionIn(code=f"BR-S{s}", name=f"压测街道{s}", parent="BR"))
        for c in range(3):
            await regions.create(
                RegionIn(code=f"BR-S{s}-C{c}", name=f"压测社区{s}-{c}", parent=f"BR-S{s}")
            )
    communities = [f"BR-S{s}-C{c}" for s in range(streets) for c in range(3)]
    codes = [f"BR{i:03d}" for i in range(n_canteens)]
    for i, code in enumerate(codes):
        await canteens.create(
            CanteenIn(
                code=code,
                name=f"压测老年食堂{i}",
                kind="elder_canteen",
                region=communities[i % len(communities)],
                size="medium",
                address=f"压测路 {i} 号",
                license_no=f"JYBR{i:05d}",
                license_issued=date(2020, 1, 1),
                license_expires=date(2099, 12, 31),
                sunshine_level="video",
                capacity=200,
            ),
            today,
            actor="bench",
        )
        await menus.put_menu(
            code,
            meal_date,
            "lunch",
            MenuIn(
                items=[
                    MenuItemIn(dish_id=d, name=name, price_fen=price, quota=None)
                    for d, name, price in DISHES
                ]
            ),
        )

    async def staff(username: str, role: str, canteen: str | None = None) -> Staff:
        return await people.create_staff(
            StaffIn(username=username, password="bench-password", role=role, canteen=canteen),
            actor="bench",
        )

    def token(s: Staff) -> str:
        return issue_token(s, settings.secret_key, TOKEN_TTL)

    district = District(
        meal_date=meal_date.isoformat(),
        slot="lunch",
        canteens=codes,
        dishes=[d for d, _, _ in DISHES],
    )
    district.admin_token = token(await staff("bench-admin", "admin"))
    district.operator_token = token(await staff("bench-hotline", "operator"))
    for code in codes:
        district.staff_tokens[code] = token(await staff(f"bench-k-{code}", "canteen_staff", code))
    n_volunteers = max(1, n_elders // (ELDERS_PER_VOLUNTEER * 5))
    volunteers = [await staff(f"bench-v{i}", "volunteer") for i in range(n_volunteers)]
    district.volunteer_tokens = [token(v) for v in volunteers]

    async def elder(i: int):
        age = AGES[i % len(AGES)]
        out = await people.create_elder(
            ElderIn(
                name="压测老人",
                id_number=_id_number(rng, today, age, i),
                phone="",
                region=communities[i % len(communities)],
                categories=CATEGORIES[i % len(CATEGORIES)],
                pin=PIN,
                proxy_consent=True,
                address=f"压测路 {i % 50} 号 {i % 6 + 1}01 室",
            ),
            settings,
            today,
            actor="bench",
        )
        return out.elder_id, out.card_no

    made = await _gather_bounded([elder(i) for i in range(n_elders)], parallel)

    async def fund(batch: list[int]):
        async def work():
            for elder_id in batch:
                await money.post_transfer(
                    f"bench:opening:{elder_id}",
                    "opening_balance",
                    [
                        *money_rules.topup_legs(elder_id, "government", CARD_FEN),
                        *money_rules.points_grant_legs(elder_id, POINTS),
                    ],
                    created_by="bench",
                )

        await write_transaction(work)

    ids = [e for e, _ in made]
    for start in range(0, len(ids), 500):
        await fund(ids[start : start + 500])

    # Every fifth elder has a volunteer (20 elders each); links go straight in, in one statement.
    links = []
    for n, (elder_id, card_no) in enumerate(made):
        vol = (n // 5) % n_volunteers if n % 5 == 0 else -1
        district.elders.append([elder_id, card_no, codes[n % len(codes)], vol])
        if vol >= 0:
            links.append(ElderLink(elder=elder_id, staff=volunteers[vol].id, created_at=now_utc()))
    if links:
        await write_transaction(lambda: ElderLink.insert(*links).run())
    return district
