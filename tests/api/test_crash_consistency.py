"""Crash consistency: `zhucan serve` is killed with SIGKILL in the middle of a burst of
orders, restarted on the same database, and every client retries with its Idempotency-Key.

Afterwards: the ledger is balanced; no order is half-written (each has its payment transfer and
each order payment its order, portions sold equal the live orders' portions); every retry gets
its original answer or a fresh success, and no card is charged twice.

A request killed between claiming its key and answering leaves an unanswered claim; a retry gets
409 "in flight" until the claim is older than ZHUCAN_IDEMPOTENCY_TAKEOVER_SECONDS and is taken
over. The server here runs with 2 seconds (production: 2 minutes) and the clients retry.

An order commits within milliseconds, so a kill at a random moment may find every claim already
answered. A trigger makes each order's effects take ~0.15 s while the burst is sent, so that the
kill lands between claims and answers; it is dropped before the restart.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from tests.live_server import start_server
from tests.meals import assert_ledger_balanced, dish, order_body, publish_menu, topup
from zhucan.http.tables import IdempotencyRecord
from zhucan.menus.tables import MenuItem
from zhucan.money.tables import Transfer
from zhucan.ordering.tables import MealOrder, OrderLine

ELDERS = 6
ORDERS_PER_ELDER = 8
PRICE = 500  # below the 60+ tier's 1000 fen threshold: the card pays every fen
STARTING_CARD = 100_000
TAKEOVER_SECONDS = 2


SLOW_ORDER_SQLITE = [
    # SQLite has no sleep: a 1500 x 1500 join the planner cannot shortcut takes ~0.15 s.
    "CREATE TABLE crash_test_rows (n INTEGER)",
    "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 1500) "
    "INSERT INTO crash_test_rows SELECT n FROM c",
    "CREATE TRIGGER crash_test_slow_order AFTER INSERT ON meal_order BEGIN "
    "SELECT count(*) FROM crash_test_rows a, crash_test_rows b WHERE a.n + b.n < 0; END",
]
SLOW_ORDER_POSTGRES = [
    "CREATE FUNCTION crash_test_slow_order() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN PERFORM pg_sleep(0.15); RETURN NEW; END $$",
    "CREATE TRIGGER crash_test_slow_order AFTER INSERT ON meal_order FOR EACH ROW "
    "EXECUTE FUNCTION crash_test_slow_order()",
]
UNDO_SLOW_ORDER = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS crash_test_slow_order",
        "DROP TABLE IF EXISTS crash_test_rows",
    ],
    "postgresql": [
        "DROP TRIGGER IF EXISTS crash_test_slow_order ON meal_order",
        "DROP FUNCTION IF EXISTS crash_test_slow_order()",
    ],
}


@asynccontextmanager
async def _slow_orders(database) -> AsyncIterator[None]:
    setup = SLOW_ORDER_SQLITE if database.kind == "sqlite" else SLOW_ORDER_POSTGRES
    try:
        for statement in setup:
            await MealOrder.raw(statement)
        yield
    finally:
        for statement in UNDO_SLOW_ORDER[database.kind]:
            await MealOrder.raw(statement)


async def _send(http: httpx.AsyncClient, body: dict, key: str) -> httpx.Response | None:
    try:
        return await http.post("/api/v1/orders", json=body, headers={"Idempotency-Key": key})
    except httpx.TransportError:  # the server died before answering
        return None


async def _retry_until_answered(http: httpx.AsyncClient, body: dict, key: str) -> httpx.Response:
    deadline = time.monotonic() + TAKEOVER_SECONDS + 30
    while True:
        response = await _send(http, body, key)
        in_flight = (
            response is not None
            and response.status_code == 409
            and "仍在处理中" in response.json()["detail"]
        )
        if response is not None and not in_flight:
            return response
        assert time.monotonic() < deadline, f"{key} still in flight: {response and response.text}"
        await asyncio.sleep(0.5)


async def test_killed_mid_burst_then_retried(database, factory, tmp_path):
    await factory.canteen("C1")
    await publish_menu(factory, [dish("A", PRICE, quota=1000)])
    elders = [await factory.elder(age=65) for _ in range(ELDERS)]
    for elder in elders:
        await topup(factory, elder["elder_id"], STARTING_CARD)
    requests = [
        (
            order_body(card_no=e["card_no"], pin="246810", cash_allowed=False),
            f"crash-{e['elder_id']}-{i}",
        )
        for e in elders
        for i in range(ORDERS_PER_ELDER)
    ]
    env = {"ZHUCAN_IDEMPOTENCY_TAKEOVER_SECONDS": str(TAKEOVER_SECONDS)}

    process, base_url = await start_server(database, tmp_path, env=env)
    try:
        async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
            # A first wave is answered; the kill lands while the second is on its way, some of
            # it claimed, some perhaps committed but not answered, some not yet received.
            # (Not "after the first answer": SQLite's group commit answers a batch at once.)
            done = len(requests) // 3
            first = list(
                await asyncio.gather(*[_send(http, body, key) for body, key in requests[:done]])
            )
            async with _slow_orders(database):
                burst = [
                    asyncio.create_task(_send(http, body, key)) for body, key in requests[done:]
                ]
                # Watching the database: kill once half of the second wave has claimed its key.
                while await IdempotencyRecord.count() < done + (len(requests) - done) // 2:
                    await asyncio.sleep(0.005)
                os.killpg(process.pid, signal.SIGKILL)
                first += await asyncio.gather(*burst)
    finally:
        if process.poll() is None:  # the test failed before its kill
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=20)
    answered = {key: r for (_, key), r in zip(requests, first, strict=True) if r is not None}
    assert all(r.status_code == 201 for r in answered.values()), [r.text for r in answered.values()]
    assert len(answered) < len(requests), "the kill should land in the middle of the burst"
    # Keys claimed by requests that died unanswered: the retries below must take them over.
    assert await IdempotencyRecord.count().where(IdempotencyRecord.status_code.is_null()) > 0

    process, base_url = await start_server(database, tmp_path, env=env)
    try:
        async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
            retries = await asyncio.gather(
                *[_retry_until_answered(http, body, key) for body, key in requests]
            )
    finally:
        process.terminate()
        process.wait(timeout=20)

    # Every retry: its original answer, or a fresh success.
    for (_, key), retry in zip(requests, retries, strict=True):
        assert retry.status_code == 201, retry.text
        if key in answered:
            assert retry.json() == answered[key].json()
            assert retry.headers.get("Idempotent-Replayed") == "true"
    order_ids = [r.json()["order_id"] for r in retries]
    assert len(set(order_ids)) == len(requests)

    # No order is half-written, none is extra, and each is paid exactly once.
    orders = await MealOrder.select(
        MealOrder.id, MealOrder.payment, MealOrder.card_fen, MealOrder.elder, MealOrder.status
    )
    assert sorted(o["id"] for o in orders) == sorted(order_ids)
    payments = await Transfer.select(Transfer.id, Transfer.key).where(
        Transfer.kind == "order_payment"
    )
    assert sorted(p["key"] for p in payments) == sorted(f"order:{i}" for i in order_ids)
    assert {o["payment"] for o in orders} == {p["id"] for p in payments}
    sold = await MenuItem.select(MenuItem.sold).first()
    lines = await OrderLine.select(OrderLine.qty)
    assert sold["sold"] == sum(line["qty"] for line in lines) == len(requests)

    # Each card paid for exactly its own orders, once.
    for elder in elders:
        paid = sum(o["card_fen"] for o in orders if o["elder"] == elder["elder_id"])
        assert paid == PRICE * ORDERS_PER_ELDER
        response = await factory.client.get(
            f"/api/v1/elders/{elder['elder_id']}/balance", headers=await factory.admin()
        )
        assert response.json()["card_fen"] == STARTING_CARD - paid
    await assert_ledger_balanced(factory)
