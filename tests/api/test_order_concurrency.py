"""Concurrency against a real server process (Litestar's test client serialises requests):
`zhucan serve` with two workers on the test database of this engine, hit by simultaneous requests.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import httpx
import pytest

from tests.live_server import live_server
from tests.meals import (
    assert_ledger_balanced,
    balance,
    card_order,
    dish,
    order_body,
    publish_menu,
    topup,
)
from zhucan.menus.tables import MenuItem
from zhucan.ordering.tables import MealOrder, OrderLine

SIMULTANEOUS = 12


@pytest.fixture(scope="module")
def server_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("server")


@pytest.fixture(scope="module")
async def server(database, server_dir):
    async with live_server(database, server_dir, workers=2) as base_url:
        yield base_url


async def _all_at_once(base_url: str, bodies: list[dict], keys: list[str]) -> list[httpx.Response]:
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
        return await asyncio.gather(
            *[
                http.post("/api/v1/orders", json=body, headers={"Idempotency-Key": key})
                for body, key in zip(bodies, keys, strict=True)
            ]
        )


async def test_card_pays_for_exactly_as_many_orders_as_it_holds(server, factory):
    await factory.canteen("C1")
    await publish_menu(factory, [dish("A", 500)])
    elder = await factory.elder(age=65)  # 500 fen is below the 60+ tier's 1000 fen threshold
    await topup(factory, elder["elder_id"], 2000)
    body = order_body(card_no=elder["card_no"], pin="246810", cash_allowed=False)
    responses = await _all_at_once(
        server, [body] * SIMULTANEOUS, [f"card-{i}" for i in range(SIMULTANEOUS)]
    )
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
    assert created and all(r.status_code in (201, 409) for r in responses), [
        r.text for r in responses
    ]
    assert all(r.json() == created[0].json() for r in created)
    assert all("仍在处理中" in r.json()["detail"] for r in responses if r.status_code == 409)
    assert await MealOrder.count() == 1
    assert (await balance(factory, elder["elder_id"]))["card_fen"] == 4500
    await assert_ledger_balanced(factory)


async def test_orders_and_cancellations_of_the_same_dishes_never_deadlock(
    server, server_dir, factory
):
    # Two dishes taken in both orders, and refunds putting portions back, all at once: each
    # path must lock dishes and accounts in the same order, or PostgreSQL detects a deadlock
    # after a second and one transaction is retried (logged by write_transaction).
    await factory.canteen("C1")
    await publish_menu(factory, [dish("A", 600), dish("B", 700)])
    elders = [await factory.elder() for _ in range(SIMULTANEOUS)]
    earlier = [
        (await card_order(factory, elder, items=[("A", 1), ("B", 1)])).json()["order_id"]
        for elder in elders[: SIMULTANEOUS // 2]
    ]
    admin = await factory.admin()
    bodies = [
        order_body(
            card_no=e["card_no"],
            pin="246810",
            items=[("A", 1), ("B", 1)] if i % 2 else [("B", 1), ("A", 1)],
        )
        for i, e in enumerate(elders)
    ]
    async with httpx.AsyncClient(base_url=server, timeout=60) as http:
        responses = await asyncio.gather(
            *[
                http.post("/api/v1/orders", json=body, headers={"Idempotency-Key": f"ab-{i}"})
                for i, body in enumerate(bodies)
            ],
            *[
                http.post(
                    f"/api/v1/orders/{order_id}/cancel",
                    headers=admin | {"Idempotency-Key": f"cancel-{order_id}"},
                )
                for order_id in earlier
            ],
        )
    assert [r.status_code for r in responses] == [201] * len(bodies) + [200] * len(earlier), [
        r.text for r in responses
    ]
    retried = [
        line
        for log in Path(server_dir).glob("server-*.log")
        for line in log.read_text().splitlines()
        if "write transaction retried" in line
    ]
    assert retried == []
    sold = {
        row["dish_id"]: row["sold"]
        for row in await MenuItem.select(MenuItem.dish_id, MenuItem.sold)
    }
    assert sold == {"A": SIMULTANEOUS, "B": SIMULTANEOUS}
    assert await OrderLine.count() == 2 * (SIMULTANEOUS + len(earlier))
    await assert_ledger_balanced(factory)
