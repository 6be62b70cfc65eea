"""Races between a cancellation, a status change, an order and a menu edit, made certain by
pausing one transaction at a chosen call while the other request runs. On PostgreSQL the other
request runs into the paused one's row locks; on SQLite it waits for the one writer. Either way
exactly one of the two may win, and no money, portion or order line is lost."""

from __future__ import annotations

import asyncio
from datetime import time

from tests.meals import assert_ledger_balanced, balance, dish, publish_menu, tomorrow, topup
from zhucan.access import Staff
from zhucan.errors import Conflict, DomainError
from zhucan.menus import queries as menu_queries
from zhucan.menus import service as menus
from zhucan.menus.schemas import MenuIn, MenuItemIn
from zhucan.money import service as money
from zhucan.ordering import service as ordering
from zhucan.ordering.schemas import OrderIn
from zhucan.ordering.tables import MealOrder, OrderLine
from zhucan.people import service as people

MORNING = time(9, 0)
ADMIN = Staff(id=0, username="admin", role="admin")
OTHER_ADMIN = Staff(id=0, username="admin2", role="admin")
COOK = Staff(id=0, username="cook", role="canteen_staff", canteen_code="C1")


class Gate:
    """Replaces `module.name`: the first call stops (before or after the real call) until
    released; the calls after it go straight through."""

    def __init__(self, monkeypatch, module, name: str, after: bool = False):
        self.original, self.after, self.calls = getattr(module, name), after, 0
        self.reached, self.released = asyncio.Event(), asyncio.Event()
        monkeypatch.setattr(module, name, self)

    async def __call__(self, *args, **kwargs):
        self.calls += 1
        if self.calls == 1 and not self.after:
            await self._hold()
        result = await self.original(*args, **kwargs)
        if self.calls == 1 and self.after:
            await self._hold()
        return result

    async def _hold(self) -> None:
        self.reached.set()
        await self.released.wait()


async def _race(gate: Gate, paused, other) -> tuple:
    """Start `paused` and stop it at the gate, let `other` run into it, then let both finish."""
    first = asyncio.create_task(paused)
    await gate.reached.wait()
    second = asyncio.create_task(other)
    await asyncio.wait([second], timeout=0.5)  # it waits on the paused one, or finishes
    gate.released.set()
    return tuple(await asyncio.gather(first, second, return_exceptions=True))


def _names(results) -> tuple[str, ...]:
    return tuple(type(r).__name__ for r in results)


def _order_in(elder_id: int, dish_id: str = "A", **fields) -> OrderIn:
    return OrderIn(
        canteen="C1",
        elder_id=elder_id,
        items=[{"dish_id": dish_id, "qty": 1}],
        meal_date=tomorrow(),
        slot="lunch",
        **fields,
    )


async def _placed(factory, menu=None, **fields):
    await factory.canteen("C1")
    await publish_menu(factory, menu or [dish("A", 1200, quota=5)])
    elder = await factory.elder(age=82)  # 80+: 500 fen of subsidy a meal
    await topup(factory, elder["elder_id"], 5000)
    placer = ordering.Placer(elder["elder_id"], "counter", "cook")
    order = await ordering.place_order(
        _order_in(elder["elder_id"], **fields), placer, tomorrow(), MORNING
    )
    return elder, order


async def _status(order_id: int) -> str:
    return (await MealOrder.select(MealOrder.status).where(MealOrder.id == order_id).first())[
        "status"
    ]


async def test_two_cancellations_at_once_both_get_the_cancelled_order(factory, monkeypatch):
    elder, order = await _placed(factory)
    gate = Gate(monkeypatch, money, "lock_elder")
    results = await _race(
        gate,
        ordering.cancel_order(order.order_id, ADMIN),
        ordering.cancel_order(order.order_id, OTHER_ADMIN),
    )
    assert _names(results) == ("OrderOut", "OrderOut"), results
    assert all(r.status == "cancelled" for r in results)
    assert (await balance(factory, elder["elder_id"]))["card_fen"] == 5000
    await assert_ledger_balanced(factory)


async def test_a_meal_served_while_being_cancelled_is_either_served_or_refunded(
    factory, monkeypatch
):
    elder, order = await _placed(factory)
    gate = Gate(monkeypatch, money, "lock_elder")
    results = await _race(
        gate,
        ordering.cancel_order(order.order_id, ADMIN),
        ordering.set_status(order.order_id, "served", COOK),
    )
    # The cancel came first, so "served" is refused: never a refunded meal marked served.
    assert _names(results) == ("OrderOut", "Conflict"), results
    assert await _status(order.order_id) == "cancelled"
    assert (await balance(factory, elder["elder_id"]))["card_fen"] == 5000
    await assert_ledger_balanced(factory)


async def test_a_meal_marked_delivered_while_being_cancelled_stays_delivered_and_paid(
    factory, monkeypatch
):
    elder, order = await _placed(factory, fulfilment="delivery", delivery_address="幸福路 1 号")
    volunteer = await factory.staff("volunteer")
    await factory.post(f"/elders/{elder['elder_id']}/links", {"username": volunteer.username})
    gate = Gate(monkeypatch, people, "is_linked")
    results = await _race(
        gate,
        ordering.set_status(order.order_id, "delivered", volunteer),
        ordering.cancel_order(order.order_id, ADMIN),
    )
    assert _names(results) == ("OrderOut", "Conflict"), results
    assert await _status(order.order_id) == "delivered"
    assert (await balance(factory, elder["elder_id"]))["card_fen"] == 5000 - 700
    await assert_ledger_balanced(factory)


async def test_a_dish_taken_off_the_menu_while_ordered_leaves_no_order_without_lines(
    factory, monkeypatch
):
    await factory.canteen("C1")
    await publish_menu(factory, [dish("A", 1200), dish("B", 900)])
    elder = await factory.elder(age=65)
    await topup(factory, elder["elder_id"], 5000)
    gate = Gate(monkeypatch, menu_queries, "locked_items", after=True)
    placer = ordering.Placer(elder["elder_id"], "counter", "cook")
    edit, order = await _race(
        gate,
        menus.put_menu(
            "C1",
            tomorrow(),
            "lunch",
            MenuIn(items=[MenuItemIn(dish_id="A", name="菜品A", price_fen=1200)]),
        ),
        ordering.place_order(_order_in(elder["elder_id"], "B"), placer, tomorrow(), MORNING),
    )
    assert type(edit).__name__ == "MenuOut", edit
    # The edit went first: the order is refused (409 on PostgreSQL, where it had read the old
    # menu; 400 on SQLite, where it reads the new one), and nothing is charged.
    assert isinstance(order, DomainError), order
    assert await OrderLine.count() == 0 and await MealOrder.count() == 0
    assert (await balance(factory, elder["elder_id"]))["card_fen"] == 5000
    await assert_ledger_balanced(factory)


async def test_a_dish_ordered_while_the_menu_is_edited_stays_on_the_menu(factory, monkeypatch):
    await factory.canteen("C1")
    await publish_menu(factory, [dish("A", 1200), dish("B", 900)])
    elder = await factory.elder(age=65)
    await topup(factory, elder["elder_id"], 5000)
    gate = Gate(monkeypatch, money, "lock_elder")
    placer = ordering.Placer(elder["elder_id"], "counter", "cook")
    order, edit = await _race(
        gate,
        ordering.place_order(_order_in(elder["elder_id"], "B"), placer, tomorrow(), MORNING),
        menus.put_menu(
            "C1",
            tomorrow(),
            "lunch",
            MenuIn(items=[MenuItemIn(dish_id="A", name="菜品A", price_fen=1200)]),
        ),
    )
    if isinstance(order, Conflict):  # PostgreSQL: the edit took B off before the order took it
        assert type(edit).__name__ == "MenuOut" and "撤下" in order.detail
        assert await MealOrder.count() == 0
    else:  # SQLite: the order held the writer; B is sold now and stays
        assert isinstance(edit, Conflict) and "B" in edit.detail, edit
        assert await OrderLine.count().where(OrderLine.order == order.order_id) == 1
    await assert_ledger_balanced(factory)


async def test_a_dish_of_a_cancelled_order_cannot_be_removed_and_the_order_keeps_its_lines(factory):
    elder, order = await _placed(factory, menu=[dish("A", 1200), dish("B", 900)])
    await ordering.cancel_order(order.order_id, ADMIN)
    refused = await factory.client.put(
        f"/api/v1/canteens/C1/menus/{tomorrow()}/lunch",
        json={"items": [dish("B", 900)]},
        headers=await factory.admin(),
    )
    assert refused.status_code == 409 and "A" in refused.json()["detail"]
    assert [line.dish_id for line in (await ordering.order_out(order.order_id)).items] == ["A"]
