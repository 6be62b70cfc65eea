"""GET /orders (a volunteer's, family member's or operator's list), volunteers marking a
delivery, the kitchen's next statuses and GET /canteens/{code}/menus/next."""

from __future__ import annotations

from tests.meals import dish, order_body, place, publish_menu, tomorrow


async def _linked_volunteer(factory, elder_id: int):
    volunteer = await factory.staff("volunteer")
    await factory.post(f"/elders/{elder_id}/links", {"username": volunteer.username})
    return factory.headers_for(volunteer)


async def test_a_volunteer_lists_linked_elders_orders_and_marks_the_delivery(factory):
    await factory.canteen("C1")
    await publish_menu(factory, [dish("A", 800)])
    elder, other = await factory.elder(), await factory.elder()
    volunteer = await _linked_volunteer(factory, elder["elder_id"])
    placed = await place(
        factory, order_body(elder_id=elder["elder_id"], fulfilment="delivery"), volunteer
    )
    assert placed.status_code == 201, placed.text
    operator = await factory.headers("operator")
    assert (
        await place(factory, order_body(elder_id=other["elder_id"], note="来电"), operator)
    ).status_code == 201

    mine = await factory.client.get(
        "/api/v1/orders", params={"date": str(tomorrow())}, headers=volunteer
    )
    assert mine.status_code == 200, mine.text
    [order] = mine.json()
    assert order["order_id"] == placed.json()["order_id"] and order["elder_name"] == "张*明"
    assert order["next_statuses"] == ["delivered", "not_home"]
    calls = (
        await factory.client.get(
            "/api/v1/orders", params={"date": str(tomorrow())}, headers=operator
        )
    ).json()
    assert [(o["elder_id"], o["note"], o["next_statuses"]) for o in calls] == [
        (other["elder_id"], "来电", [])
    ]

    path = f"/api/v1/orders/{order['order_id']}/status"
    not_home = await factory.client.post(path, json={"status": "not_home"}, headers=volunteer)
    assert not_home.status_code == 200 and not_home.json()["status"] == "not_home"
    ready = await factory.client.post(path, json={"status": "ready"}, headers=volunteer)
    assert ready.status_code == 403
    stranger = await factory.headers("volunteer")
    assert (
        await factory.client.post(path, json={"status": "delivered"}, headers=stranger)
    ).status_code == 403
    delivered = await factory.client.post(path, json={"status": "delivered"}, headers=volunteer)
    assert delivered.status_code == 200 and delivered.json()["status"] == "delivered"

    kitchen = await factory.client.get(
        "/api/v1/canteens/C1/kitchen",
        params={"date": str(tomorrow())},
        headers=await factory.headers("canteen_staff", "C1"),
    )
    assert [o["next_statuses"] for o in kitchen.json()["orders"]] == [
        [],
        ["preparing", "ready", "served"],
    ]
    assert (
        await factory.client.get("/api/v1/orders", headers=await factory.admin())
    ).status_code == 403


async def test_next_menu_is_the_next_slot_still_open(factory):
    await factory.canteen("C1")
    await publish_menu(factory, [dish("A", 800)], slot="dinner")
    await publish_menu(factory, [dish("B", 600)], slot="lunch")
    menu = await factory.client.get("/api/v1/canteens/C1/menus/next")
    assert menu.status_code == 200, menu.text
    assert (menu.json()["meal_date"], menu.json()["slot"]) == (str(tomorrow()), "lunch")
    assert [i["dish_id"] for i in menu.json()["items"]] == ["B"]
    await factory.canteen("C2")
    none = await factory.client.get("/api/v1/canteens/C2/menus/next")
    assert none.status_code == 404 and "没有还能点的菜单" in none.json()["detail"]
