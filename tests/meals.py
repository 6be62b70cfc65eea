"""Helpers for menu, order and money tests, built on tests/factories.py's Factory."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from tests.factories import Factory
from zhucan.money.rules import points_grant_legs
from zhucan.money.service import post_once

_keys = itertools.count(1)


def tomorrow() -> date:
    """Orders in tests are for tomorrow, so no test depends on the hour it runs at."""
    return datetime.now(ZoneInfo("Asia/Shanghai")).date() + timedelta(days=1)


def new_key() -> dict[str, str]:
    return {"Idempotency-Key": f"test-key-{next(_keys)}"}


def dish(
    dish_id: str,
    price_fen: int = 1200,
    quota: int | None = None,
    name: str | None = None,
    tags: list[str] = (),
    allergens: list[str] = (),
) -> dict:
    return {
        "dish_id": dish_id,
        "name": name or f"菜品{dish_id}",
        "price_fen": price_fen,
        "quota": quota,
        "tags": list(tags),
        "allergens": list(allergens),
    }


async def publish_menu(
    factory: Factory,
    items: list[dict],
    canteen: str = "C1",
    day: date | None = None,
    slot: str = "lunch",
) -> dict:
    response = await factory.client.put(
        f"/api/v1/canteens/{canteen}/menus/{day or tomorrow()}/{slot}",
        json={"items": items},
        headers=await factory.admin(),
    )
    assert response.status_code == 200, response.text
    return response.json()


async def topup(
    factory: Factory, elder_id: int, amount_fen: int, source: str = "government"
) -> dict:
    response = await factory.client.post(
        f"/api/v1/elders/{elder_id}/card/topups",
        json={"amount_fen": amount_fen, "source": source, "note": "测试充值"},
        headers=await factory.admin() | new_key(),
    )
    assert response.status_code == 201, response.text
    return response.json()


async def grant_points(elder_id: int, points: int, key: str = "test-grant") -> bool:
    """敬老分 the way the monthly issue will grant them (no endpoint for that yet)."""
    return await post_once(key, "points_grant", points_grant_legs(elder_id, points))


async def balance(factory: Factory, elder_id: int) -> dict:
    response = await factory.client.get(
        f"/api/v1/elders/{elder_id}/balance", headers=await factory.admin()
    )
    assert response.status_code == 200, response.text
    return response.json()


async def assert_ledger_balanced(factory: Factory) -> dict:
    response = await factory.client.get("/api/v1/ledger/verify", headers=await factory.admin())
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["balanced"], report["problems"]
    assert report["problems"] == []
    return report


def order_body(canteen: str = "C1", items: list[tuple[str, int]] = (("A", 1),), **fields) -> dict:
    return {
        "canteen": canteen,
        "items": [{"dish_id": d, "qty": q} for d, q in items],
        "meal_date": str(tomorrow()),
        "slot": "lunch",
    } | fields


async def place(factory: Factory, body: dict, headers: dict | None = None, key: dict | None = None):
    return await factory.client.post(
        "/api/v1/orders", json=body, headers=(headers or {}) | (key or new_key())
    )


async def card_order(factory: Factory, elder: dict, pin: str = "246810", **fields):
    return await place(factory, order_body(card_no=elder["card_no"], pin=pin, **fields))
