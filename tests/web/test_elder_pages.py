"""The elder's QR pages: what a Chinese keyboard types, and the clock moving on between seeing
the bill and confirming it."""

from __future__ import annotations

import re
from datetime import datetime, time
from zoneinfo import ZoneInfo

from tests.meals import assert_ledger_balanced, balance, dish, publish_menu, tomorrow, topup


def _clock(client, monkeypatch, hour: int, minute: int) -> None:
    """Both the page and the order see this time on the day of the published menus."""
    now = datetime.combine(tomorrow(), time(hour, minute), ZoneInfo("Asia/Shanghai"))
    monkeypatch.setattr(client.app.state, "clock", lambda: now)


async def test_lunch_ending_before_the_confirmation_orders_nothing_and_offers_dinner(
    client, factory, monkeypatch
):
    await factory.canteen("C1", name="幸福里老年食堂")
    await publish_menu(factory, [dish("A", 1200, name="红烧鱼套餐")])
    await publish_menu(factory, [dish("D", 900, name="番茄鸡蛋面")], slot="dinner")
    elder = await factory.elder()
    await topup(factory, elder["elder_id"], 5000)

    _clock(client, monkeypatch, 13, 55)
    assert "红烧鱼套餐" in (await client.get("/c/C1")).text
    bill = await client.post(
        "/c/C1/preview",
        data={
            "card_no": elder["card_no"],
            "pin": "246810",
            "qty_A": "1",
            "meal_date": str(tomorrow()),
            "slot": "lunch",
            "cash_allowed": "1",
        },
    )
    assert bill.status_code == 200, bill.text
    confirm = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', bill.text))
    assert confirm["slot"] == "lunch" and confirm["qty_A"] == "1"

    _clock(client, monkeypatch, 14, 1)
    refused = await client.post("/c/C1/order", data=confirm)
    assert refused.status_code == 400
    assert "这一餐已经过了供应时间" in refused.text and "slot：" not in refused.text
    assert "番茄鸡蛋面" in refused.text  # the page now offers the meal that can still be ordered
    assert (await balance(factory, elder["elder_id"]))["card_fen"] == 5000
    await assert_ledger_balanced(factory)


async def test_full_width_digits_are_read_as_digits_and_odd_ones_are_explained(client, factory):
    await factory.canteen("C1")
    await publish_menu(factory, [dish("A", 1200, name="红烧鱼套餐")])
    elder = await factory.elder()
    await topup(factory, elder["elder_id"], 5000)
    full_width = str.maketrans("0123456789", "０１２３４５６７８９")
    form = {
        "card_no": elder["card_no"].translate(full_width),
        "pin": "２４６８１０",
        "meal_date": str(tomorrow()),
        "slot": "lunch",
        "cash_allowed": "1",
    }
    bill = await client.post("/c/C1/preview", data=form | {"qty_A": "２"})
    assert bill.status_code == 200, bill.text
    assert "¥24.00" in bill.text
    for typed in ("²", "⑴", "三"):  # "²" used to pass isdigit() and then break int(): a 500
        refused = await client.post("/c/C1/preview", data=form | {"qty_A": typed})
        assert refused.status_code == 400, (typed, refused.status_code)
        assert "份数请填 0 到 20 之间的数字" in refused.text


async def test_refusals_are_told_without_the_apis_field_names(client, factory):
    await factory.canteen("C1")
    await publish_menu(factory, [dish("A", 1200, name="红烧鱼套餐")])
    elder = await factory.elder()
    refused = await client.post(
        "/c/C1/preview",
        data={
            "card_no": elder["card_no"],
            "pin": "246810",
            "qty_Z": "1",
            "meal_date": str(tomorrow()),
            "slot": "lunch",
        },
    )
    assert refused.status_code == 400
    assert "菜单中没有菜品 Z" in refused.text and "items[0]" not in refused.text
