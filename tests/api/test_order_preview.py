"""POST /orders/preview: the split an order would get, by the same checkout, without placing it."""

from __future__ import annotations

from tests.meals import (
    assert_ledger_balanced,
    balance,
    card_order,
    dish,
    grant_points,
    order_body,
    publish_menu,
    topup,
)
from zhucan.ordering.tables import MealOrder

SPLIT = (
    "total_fen",
    "subsidy_fen",
    "subsidy_tier",
    "points_used",
    "points_fen",
    "card_fen",
    "cash_fen",
)


async def _preview(factory, body: dict, headers: dict | None = None):
    return await factory.client.post("/api/v1/orders/preview", json=body, headers=headers or {})


async def test_preview_equals_the_order_placed_after_it_and_charges_nothing(factory):
    await factory.canteen("C1")
    await publish_menu(factory, [dish("A", 2000, quota=5)])
    elder = await factory.elder(categories=["dibao"])
    await topup(factory, elder["elder_id"], 500)
    await grant_points(elder["elder_id"], 300)
    body = order_body(card_no=elder["card_no"], pin="246810")
    response = await _preview(factory, body)
    assert response.status_code == 200, response.text
    preview = response.json()
    assert (
        preview["subsidy_fen"],
        preview["points_fen"],
        preview["card_fen"],
        preview["cash_fen"],
    ) == (800, 300, 500, 400)
    assert preview["items"] == [{"dish_id": "A", "name": "菜品A", "qty": 1, "price_fen": 2000}]
    assert await MealOrder.count() == 0
    assert await balance(factory, elder["elder_id"]) == {"card_fen": 500, "points": 300}
    menu = (await factory.client.get(f"/api/v1/canteens/C1/menus/{body['meal_date']}/lunch")).json()
    assert menu["items"][0]["remaining"] == 5

    order = (await card_order(factory, elder)).json()
    assert {k: order[k] for k in SPLIT} == {k: preview[k] for k in SPLIT}
    await assert_ledger_balanced(factory)


async def test_preview_refuses_what_the_order_would_refuse(factory):
    await factory.canteen("C1")
    await publish_menu(factory, [dish("A", 500, quota=1), dish("B", 900, allergens=["花生"])])
    elder = await factory.elder(age=65, allergies=["花生"])
    card = {"card_no": elder["card_no"], "pin": "246810"}

    wrong = await _preview(factory, order_body(card_no=elder["card_no"], pin="000000"))
    assert wrong.status_code == 401 and "还可再试 4 次" in wrong.json()["detail"]
    too_many = await _preview(factory, order_body(items=[("A", 2)], **card))
    assert too_many.status_code == 409 and "仅剩 1 份" in too_many.json()["detail"]
    no_cash = await _preview(factory, order_body(cash_allowed=False, **card))
    assert no_cash.status_code == 409 and no_cash.json()["field"] == "cash_allowed"

    volunteer = await factory.staff("volunteer")
    await factory.post(f"/elders/{elder['elder_id']}/links", {"username": volunteer.username})
    headers = factory.headers_for(volunteer)
    clash = await _preview(
        factory, order_body(items=[("B", 1)], elder_id=elder["elder_id"]), headers
    )
    assert clash.status_code == 409 and "含过敏原花生" in clash.json()["detail"]
    confirmed = await _preview(
        factory,
        order_body(items=[("B", 1)], elder_id=elder["elder_id"], confirm_diet_clash=True),
        headers,
    )
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["diet_clashes"] == ["菜品B（含过敏原花生）"]
    assert confirmed.json()["cash_fen"] == 900
