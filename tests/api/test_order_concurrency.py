"""Concurrency against a real server process (Litestar's test client serialises requests):
`zhucan serve` with two workers on the test database of this engine, hit by simultaneous requests.
"""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx
import pytest

from tests.live_server import live_server
from tests.meals import assert_ledger_balanced, balance, dish, order_body, publish_menu, topup
from zhucan.ordering.tables import MealOrder

SIMULTANEOUS = 12


@pytest.fixture(scope="module")
async def server(database, tmp_path_factory):
    async with live_server(database, tmp_path_factory.mktemp("server"), workers=2) as base_url:
        yield base_url


async def _all_at_once(base_url: str, bodies: list[dict], keys: list[str]) -> list[httpx.Response]:
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
        return await asyncio.gather(*[
            http.post("/api/v1/orders", json=body, headers={"Idempotency-Key": key})
            for body, key in zip(bodies, keys, strict=True)])


async def test_card_pays_for_exactly_as_many_orders_as_it_holds(server, factory):
    await factory.canteen("C1")
    await publish_menu(factory, [dish("A", 500)])
    elder = await factory.elder(age=65)  # 500 fen is below the 60+ tier's 1000 fen threshold
    await topup(factory, elder["elder_id"], 2000)
    body = order_body(card_no=elder["card_no"], pin="246810", cash_allowed=False)
    responses = await _all_at_once(server, [body] * SIMULTANEOUS,
                                   [f"card-{i}" for i in range(SIMULTANEOUS)])
    statuses = Counter(r.status_code for r in responses)
    assert statuses == {201: 4, 409: SIMULTANEOUS - 4}, [r.text for r in responses]
    assert all("余额不足" in r.json()["detail"] for r in responses if r.status_code == 409)
    assert await balance(factory, elder["elder_id"]) == {"card_fen": 0, "points": 0}
    assert await MealOrder.count() == 4
    await assert_ledger_balanced(factory)


async def test_a_small_quota_is_never_oversold(server, factory):
    await factory.canteen("C1")
    await publish_menu(factory, [dish("A", 800, quota=3)])
    elders = [await factory.elder() for _ in range(SIMULTANEOUS)]
    bodies = [order_body(card_no=e["card_no"], pin="246810") for e in elders]
    responses = await _all_at_once(server, bodies, [f"quota-{i}" for i in range(SIMULTANEOUS)])
    statuses = Counter(r.status_code for r in responses)
    assert statuses == {201: 3, 409: SIMULTANEOUS - 3}, [r.text for r in responses]
    day = bodies[0]["meal_date"]
    menu = (await factory.client.get(f"/api/v1/canteens/C1/menus/{day}/lunch")).json()
    assert menu["items"][0]["remaining"] == 0
    await assert_ledger_balanced(factory)


async def test_one_key_sent_many_times_at_once_makes_one_order(server, factory):
    await factory.canteen("C1")
    await publish_menu(factory, [dish("A", 500)])
    elder = await factory.elder(age=65)
    await topup(factory, elder["elder_id"], 5000)
    body = order_body(card_no=elder["card_no"], pin="246810")
    responses = await _all_at_once(server, [body] * SIMULTANEOUS, ["same-key"] * SIMULTANEOUS)
    created = [r for r in responses if r.status_code == 201]
    assert created and all(r.status_code in (201, 409) for r in responses), \
        [r.text for r in responses]
    assert all(r.json() == created[0].json() for r in created)
    assert all("仍在处理中" in r.json()["detail"] for r in responses if r.status_code == 409)
    assert await MealOrder.count() == 1
    assert (await balance(factory, elder["elder_id"]))["card_fen"] == 4500
    await assert_ledger_balanced(factory)
