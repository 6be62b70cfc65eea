"""`zhucan demo`: a demo district with canteens, 200 elders and one account of every role."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from zhucan.access import Role
from zhucan.compliance.demo_history import load_history as load_inspection_history
from zhucan.data_files import load_paths
from zhucan.db.tx import write_transaction
from zhucan.money import rules as money_rules
from zhucan.money import service as money
from zhucan.people import queries as people_queries
from zhucan.people import rules
from zhucan.people import service as people
from zhucan.people.schemas import ElderIn, StaffIn
from zhucan.settings import PROJECT_ROOT, Settings

DEMO_PIN = "123456"
DEMO_ELDERS = 200
# Every demo 爱心卡 starts with 50 元 and 300 敬老分, so card and points payments work at once.
DEMO_CARD_FEN = 5000
DEMO_POINTS = 300
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢"
GIVEN = "秀英桂兰玉兰建国志强淑珍凤英德明国华秀兰金凤美华永福春梅海英桂芳文华荣华阿毛阿根小妹"
CATEGORY_MIX = [
    [],
    [],
    [],
    ["tekun"],
    ["dibao"],
    ["dibian"],
    ["disabled"],
    ["youfu"],
    ["other"],
    ["dibao", "disabled"],
]
DIETS = [[], [], [], ["soft"], ["low_salt"], ["low_sugar"], ["soft", "low_salt"], ["vegetarian"]]
ALLERGIES: list[list[str]] = [[]] * 8 + [["花生"], ["海鲜"]]
COMMUNITIES = [
    "YZ-ZH-CQ",
    "YZ-ZH-HG",
    "YZ-ZH-XY",
    "YZ-SN-RD",
    "YZ-SN-XC",
    "YZ-SN-QH",
    "YZ-JS-ZJ",
    "YZ-JS-WJ",
    "YZ-JS-HD",
]


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    password: str
    canteen: str | None = None


ACCOUNTS = [
    DemoAccount("admin", "admin", "zhucan-admin"),
    DemoAccount("hotline", "operator", "zhucan-hotline"),
    DemoAccount("volunteer", "volunteer", "zhucan-volunteer"),
    DemoAccount("family", "family", "zhucan-family"),
    DemoAccount("kitchen", "canteen_staff", "zhucan-kitchen", canteen="ZH-CQ-01"),
    DemoAccount("inspector", "inspector", "zhucan-inspector"),
    DemoAccount("inspector2", "inspector", "zhucan-inspector"),
]


def demo_id_number(rng: random.Random, today: date, age: int) -> str:
    birth = today - timedelta(days=365 * age + rng.randint(1, 360))
    body = f"330212{birth:%Y%m%d}{rng.randint(0, 999):03d}"
    return body + rules.id_check_char(body)


def demo_elders(today: date, count: int = DEMO_ELDERS) -> list[ElderIn]:
    rng = random.Random(20231)
    elders = []
    for i in range(count):
        age = [62, 68, 75, 79, 81, 86, 89, 91, 95][i % 9]
        elders.append(
            ElderIn(
                name=rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice([1, 2]))),
                id_number=demo_id_number(rng, today, age),
                phone=f"13{rng.randint(0, 9)}{rng.randint(0, 99999999):08d}",
                region=COMMUNITIES[i % len(COMMUNITIES)],
                categories=CATEGORY_MIX[i % len(CATEGORY_MIX)],
                pin=DEMO_PIN,
                lives_alone=i % 4 == 0,
                diet=DIETS[i % len(DIETS)],
                allergies=ALLERGIES[i % len(ALLERGIES)],
                proxy_consent=i % 5 != 4,
                address=f"{COMMUNITIES[i % len(COMMUNITIES)]} {i % 30 + 1} 幢 {i % 6 + 1}0{i % 4 + 1} 室",
            )
        )
    return elders


async def _opening_balances(elder_ids: list[int]) -> None:
    for elder_id in elder_ids:
        await money.post_once(
            f"demo:opening:{elder_id}",
            "opening_balance",
            [
                *money_rules.topup_legs(elder_id, "government", DEMO_CARD_FEN),
                *money_rules.points_grant_legs(elder_id, DEMO_POINTS),
            ],
            note="演示：开户余额",
        )


async def load_demo(settings: Settings, today: date) -> dict:
    """Idempotent: a second run adds nothing."""
    paths = [PROJECT_ROOT / "kitchens"]
    if (PROJECT_ROOT / "menus").is_dir():
        paths.append(PROJECT_ROOT / "menus")
    report = await load_paths(paths)
    for account in ACCOUNTS:
        if not await people_queries.username_taken(account.username):
            await people.create_staff(
                StaffIn(
                    username=account.username,
                    password=account.password,
                    role=account.role,
                    canteen=account.canteen,
                )
            )
    if not await people_queries.elder_cards(limit=1):
        for elder in demo_elders(today):
            await people.create_elder(elder, settings, today)
    elder_ids = [e["id"] for e in await people_queries.elder_cards()]
    await write_transaction(lambda: _opening_balances(elder_ids))
    first = await people_queries.elder_cards(limit=3)
    for username in ("volunteer", "family"):
        staff = await people_queries.staff_role(username)
        assert staff is not None  # one of ACCOUNTS, created above
        for card in first:
            if not await people.is_linked(card["id"], staff["id"]):
                await people.link(card["id"], username)
    inspections = await load_inspection_history(
        today, [a.username for a in ACCOUNTS if a.role == Role.INSPECTOR]
    )
    return {
        "files_changed": report.changed,
        "elders": len(await people_queries.elder_cards()),
        "cards": [e["card_no"] for e in first],
        "links": await people_queries.link_count(),
        "inspections": inspections,
    }
