"""POST /orders on every channel, its refusals, idempotency, cancel, status and the kitchen view.
Every test that moves money checks /ledger/verify afterwards."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from tests.meals import (
    assert_ledger_balanced,
    balance,
    card_order,
    dish,
    grant_points,
    new_key,
    order_body,
    place,
    publish_menu,
    tomorrow,
    topup,
)
from zhucan.clock import now_utc
from zhucan.http import idempotency
from zhucan.http.idempotency import fingerprint
from zhucan.http.tables import IdempotencyRecord
from zhucan.money.tables import Account
from zhucan.ordering.schemas import OrderIn


async def _setup(factory, price_fen=1200, quota=None, **elder_fields):
    await factory.canteen("C1")
    await publish_menu(factory, [dish("A", price_fen, quota), dish("B", 600)])
    return await factory.elder(**elder_fields)


def _parts_add_up(order: dict) -> None:
    assert order["total_fen"] == (
        order["subsidy_fen"] + order["points_fen"] + order["card_fen"] + order["cash_fen"]
    )


# ---------------------------------------------------------------- placing on each channel


async def test_card_order_splits_subsidy_points_card_and_cash(factory):
    elder = await _setup(factory, price_fen=2000, categories=["dibao"])
    await topup(factory, elder["elder_id"], 500)
    await grant_points(elder["elder_id"], 300, key="test-grant")
    response = await card_order(factory, elder)
    assert response.status_code == 201, response.text
    order = response.json()
    # 低保 800; rest 1200; points up to 50% of it = 600 but only 300 held; card 500; cash 400.
    assert (
        order["subsidy_fen"],
        order["points_used"],
        order["points_fen"],
        order["card_fen"],
        order["cash_fen"],
    ) == (800, 300, 300, 500, 400)
    assert order["status"] == "placed" and order["channel"] == "qr"
    assert order["placed_by"] is None and order["elder_id"] == elder["elder_id"]
    assert order["meal_date"] == str(tomorrow()) and order["slot"] == "lunch"
    _parts_add_up(order)
    assert await balance(factory, elder["elder_id"]) == {"card_fen": 0, "points": 0}
    await assert_ledger_balanced(factory)


async def test_only_one_subsidised_order_per_slot_and_none_at_breakfast(factory):
    elder = await _setup(factory, categories=["tekun"])
    await publish_menu(factory, [dish("A", 1200)], slot="breakfast")
    first = (await card_order(factory, elder)).json()
    second = (await card_order(factory, elder)).json()
    breakfast = (await card_order(factory, elder, slot="breakfast")).json()
    assert first["subsidy_fen"] == 800 and first["subsidy_tier"] == "特困、低保"
    assert second["subsidy_fen"] == 0 and second["cash_fen"] == 1200
    assert breakfast["subsidy_fen"] == 0
    await assert_ledger_balanced(factory)


async def test_age_tier_60_pays_ten_percent_only_from_1000_fen(factory):
    elder = await _setup(factory, price_fen=900, age=65)
    small = (await card_order(factory, elder, items=[("A", 1)])).json()
    assert small["subsidy_fen"] == 0
    big = (await card_order(factory, elder, items=[("A", 5)])).json()  # 4500 → 10% = 450 → 300
    assert big["subsidy_fen"] == 300
    await assert_ledger_balanced(factory)


async def test_linked_volunteer_orders_by_proxy_with_delivery(factory):
    elder = await _setup(factory, address="幸福路 3 号")
    volunteer = await factory.staff("volunteer")
    await factory.post(f"/elders/{elder['elder_id']}/links", {"username": volunteer.username})
    response = await place(
        factory,
        order_body(elder_id=elder["elder_id"], fulfilment="delivery", note="少放辣"),
        factory.headers_for(volunteer),
    )
    assert response.status_code == 201, response.text
    order = response.json()
    assert order["channel"] == "proxy" and order["placed_by"] == volunteer.username
    assert order["delivery_address"] == "幸福路 3 号"
    assert (
        await factory.client.get(
            f"/api/v1/orders/{order['order_id']}", headers=factory.headers_for(volunteer)
        )
    ).json() == order
    await assert_ledger_balanced(factory)


async def test_operator_orders_on_the_hotline_and_staff_at_the_counter(factory):
    elder = await _setup(factory)
    hotline = await place(
        factory, order_body(elder_id=elder["elder_id"]), await factory.headers("operator")
    )
    counter = await place(
        factory,
        order_body(elder_id=elder["elder_id"]),
        await factory.headers("canteen_staff", canteen="C1"),
    )
    assert hotline.status_code == 201 and hotline.json()["channel"] == "hotline"
    assert counter.status_code == 201 and counter.json()["channel"] == "counter"
    await assert_ledger_balanced(factory)


# ---------------------------------------------------------------- refusals


async def test_missing_idempotency_key_is_400(factory):
    elder = await _setup(factory)
    response = await factory.client.post(
        "/api/v1/orders", json=order_body(card_no=elder["card_no"], pin="246810")
    )
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["detail"]
    # The key is checked before the PIN, so a request that cannot count does not cost an attempt.
    for _ in range(5):
        wrong_pin = await factory.client.post(
            "/api/v1/orders", json=order_body(card_no=elder["card_no"], pin="000000")
        )
        assert wrong_pin.status_code == 400
    assert (await card_order(factory, elder)).status_code == 201


async def test_same_key_same_body_replays_and_different_body_is_422(factory):
    elder = await _setup(factory)
    key = new_key()
    body = order_body(card_no=elder["card_no"], pin="246810")
    first = await place(factory, body, key=key)
    again = await place(factory, body, key=key)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers.get("idempotent-replayed") == "true"
    changed = await place(factory, body | {"items": [{"dish_id": "B", "qty": 1}]}, key=key)
    assert changed.status_code == 422
    assert "Idempotency-Key" in changed.json()["detail"]
    assert (await balance(factory, elder["elder_id"]))["card_fen"] == 0
    await assert_ledger_balanced(factory)


async def test_refusal_is_replayed_identically(factory):
    elder = await _setup(factory, quota=0)
    key = new_key()
    body = order_body(card_no=elder["card_no"], pin="246810")
    first = await place(factory, body, key=key)
    again = await place(factory, body, key=key)
    assert first.status_code == again.status_code == 409
    assert first.json() == again.json()


async def test_key_still_in_flight_is_409(factory):
    elder = await _setup(factory)
    body = order_body(card_no=elder["card_no"], pin="246810")
    principal = f"card:{elder['elder_id']}"
    print_ = fingerprint(principal, OrderIn(**body).model_dump(mode="json", exclude={"pin"}))
    await IdempotencyRecord.insert(
        IdempotencyRecord(
            endpoint="POST /orders",
            key="busy-key",
            fingerprint=print_,
            claim="other",
            created_at=now_utc(),
        )
    )
    response = await place(factory, body, key={"Idempotency-Key": "busy-key"})
    assert response.status_code == 409
    assert "仍在处理中" in response.json()["detail"]


async def test_keys_older_than_the_retention_are_forgotten_and_recent_ones_still_replay(
    factory, monkeypatch
):
    elder = await _setup(factory)
    await topup(factory, elder["elder_id"], 10_000)
    body = order_body(card_no=elder["card_no"], pin="246810")
    old_keys, recent_key = [new_key() for _ in range(5)], new_key()
    old_orders = [
        (await place(factory, body | {"note": str(i)}, key=key)).json()
        for i, key in enumerate(old_keys)
    ]
    recent = await place(factory, body, key=recent_key)
    claimed_before = now_utc() - timedelta(days=7)
    await IdempotencyRecord.update(
        {IdempotencyRecord.created_at: claimed_before - timedelta(seconds=1)}
    ).where(IdempotencyRecord.key.is_in([k["Idempotency-Key"] for k in old_keys]))
    monkeypatch.setattr(idempotency, "PRUNE_BATCH", 2)  # several batches, one partly empty

    assert await idempotency.prune(claimed_before) == 5
    assert await idempotency.prune(claimed_before) == 0
    replay = await place(factory, body, key=recent_key)
    assert replay.headers.get("idempotent-replayed") == "true"
    assert replay.json() == recent.json()
    card_before = (await balance(factory, elder["elder_id"]))["card_fen"]
    # A forgotten key is a new request: the retry places (and pays for) another order.
    again = await place(factory, body | {"note": "0"}, key=old_keys[0])
    assert again.status_code == 201 and "idempotent-replayed" not in again.headers
    assert again.json()["order_id"] not in {o["order_id"] for o in old_orders}
    assert (await balance(factory, elder["elder_id"]))["card_fen"] == (
        card_before - again.json()["card_fen"]
    )
    await assert_ledger_balanced(factory)


async def test_wrong_pin_is_401_and_five_lock_the_card_423(factory):
    elder = await _setup(factory)
    statuses = [(await card_order(factory, elder, pin="000000")).status_code for _ in range(5)]
    assert statuses == [401, 401, 401, 401, 423]
    locked = await card_order(factory, elder)
    assert locked.status_code == 423 and "锁定" in locked.json()["detail"]


async def test_no_token_and_no_card_is_401(factory):
    await _setup(factory)
    response = await place(factory, order_body(elder_id=1))
    assert response.status_code == 401
    assert "card_no" in response.json()["detail"]


async def test_unlinked_volunteer_and_no_consent_are_403(factory):
    elder = await _setup(factory)
    unlinked = await place(
        factory, order_body(elder_id=elder["elder_id"]), await factory.headers("family")
    )
    assert unlinked.status_code == 403 and "关联" in unlinked.json()["detail"]
    shy = await factory.elder(proxy_consent=False)
    hotline = await place(
        factory, order_body(elder_id=shy["elder_id"]), await factory.headers("operator")
    )
    assert hotline.status_code == 403 and "proxy_consent" in hotline.json()["detail"]


async def test_staff_of_another_canteen_and_admins_cannot_order(factory):
    elder = await _setup(factory)
    await factory.canteen("C2")
    other = await place(
        factory,
        order_body(elder_id=elder["elder_id"]),
        await factory.headers("canteen_staff", canteen="C2"),
    )
    assert other.status_code == 403 and "本食堂" in other.json()["detail"]
    admin = await place(factory, order_body(elder_id=elder["elder_id"]), await factory.admin())
    assert admin.status_code == 403


async def test_cash_not_allowed_and_card_short_is_409_and_charges_nothing(factory):
    elder = await _setup(factory, price_fen=1000, age=65)
    await topup(factory, elder["elder_id"], 700)
    response = await card_order(factory, elder, cash_allowed=False)
    assert response.status_code == 409
    assert "cash_allowed" in response.json()["detail"] and "还差" in response.json()["detail"]
    assert (await balance(factory, elder["elder_id"]))["card_fen"] == 700
    menu = (await factory.client.get(f"/api/v1/canteens/C1/menus/{tomorrow()}/lunch")).json()
    assert menu["items"][0]["remaining"] is None
    await assert_ledger_balanced(factory)


async def test_more_portions_than_remain_is_409(factory):
    elder = await _setup(factory, quota=2)
    too_many = await card_order(factory, elder, items=[("A", 3)])
    assert too_many.status_code == 409 and "仅剩 2 份" in too_many.json()["detail"]
    assert (await card_order(factory, elder, items=[("A", 2)])).status_code == 201
    sold_out = await card_order(factory, elder, items=[("A", 1)])
    assert sold_out.status_code == 409 and "已售罄" in sold_out.json()["detail"]
    await assert_ledger_balanced(factory)


async def test_one_dish_short_takes_no_portion_of_the_others(factory):
    await factory.canteen("C1")
    await publish_menu(factory, [dish("A", 800, quota=5), dish("B", 600, quota=1)])
    elder = await factory.elder()
    refused = await card_order(factory, elder, items=[("A", 2), ("B", 2)])
    assert refused.status_code == 409 and "菜品B仅剩 1 份，不够 2 份" in refused.json()["detail"]
    menu = (await factory.client.get(f"/api/v1/canteens/C1/menus/{tomorrow()}/lunch")).json()
    assert {i["dish_id"]: i["remaining"] for i in menu["items"]} == {"A": 5, "B": 1}
    placed = await card_order(factory, elder, items=[("B", 1), ("A", 2)])
    assert placed.status_code == 201, placed.text
    menu = (await factory.client.get(f"/api/v1/canteens/C1/menus/{tomorrow()}/lunch")).json()
    assert {i["dish_id"]: i["remaining"] for i in menu["items"]} == {"A": 3, "B": 0}
    await assert_ledger_balanced(factory)


async def test_expired_licence_or_inactive_canteen_is_409(factory):
    elder = await _setup(factory)
    admin = await factory.admin()
    await factory.client.patch(
        "/api/v1/canteens/C1",
        json={"license_expires": str(tomorrow() - timedelta(days=1))},
        headers=admin,
    )
    expired = await card_order(factory, elder)
    assert expired.status_code == 409 and "许可证已过期" in expired.json()["detail"]
    await factory.client.patch(
        "/api/v1/canteens/C1",
        json={"license_expires": "2099-12-31", "active": False},
        headers=admin,
    )
    inactive = await card_order(factory, elder)
    assert inactive.status_code == 409 and "停用" in inactive.json()["detail"]


async def test_diet_clash_is_refused_naming_dishes_unless_confirmed(factory):
    await factory.canteen("C1")
    await publish_menu(
        factory,
        [dish("A", name="红烧肉"), dish("B", name="清蒸鱼", tags=["soft"], allergens=["海鲜"])],
    )
    elder = await factory.elder(diet=["soft"], allergies=["海鲜"])
    refused = await card_order(factory, elder, items=[("A", 1), ("B", 1)])
    assert refused.status_code == 409
    detail = refused.json()["detail"]
    assert "红烧肉（不符合软食要求）" in detail and "清蒸鱼（含过敏原海鲜）" in detail
    assert "confirm_diet_clash" in detail
    confirmed = await card_order(factory, elder, items=[("A", 1)], confirm_diet_clash=True)
    assert confirmed.status_code == 201 and confirmed.json()["diet_clash_confirmed"] is True


async def test_bad_input_names_the_field(factory):
    elder = await _setup(factory)
    unknown = await card_order(factory, elder, items=[("Z", 1)])
    assert unknown.status_code == 400 and "items[0].dish_id" in unknown.json()["detail"]
    past = await card_order(factory, elder, meal_date=str(tomorrow() - timedelta(days=3)))
    assert past.status_code == 400 and "meal_date" in past.json()["detail"]
    zero = await card_order(factory, elder, items=[("A", 0)])
    assert zero.status_code == 400 and "qty" in zero.json()["detail"]
    no_elder = await place(factory, order_body(), await factory.headers("operator"))
    assert no_elder.status_code == 400 and "elder_id" in no_elder.json()["detail"]
    no_menu = await card_order(factory, elder, slot="dinner")
    assert no_menu.status_code == 409 and "菜单" in no_menu.json()["detail"]


# ---------------------------------------------------------------- cancel and status


async def test_a_slot_whose_serving_ended_today_is_refused_and_charges_nothing(
    factory, monkeypatch
):
    elder = await _setup(factory)
    await publish_menu(factory, [dish("D", 900)], slot="dinner")
    await topup(factory, elder["elder_id"], 5000)
    # "Now" is 18:30 on the day of the published menus.
    evening = datetime.combine(tomorrow(), time(18, 30), ZoneInfo("Asia/Shanghai"))
    monkeypatch.setattr(factory.client.app.state, "clock", lambda: evening)
    lunch = await card_order(factory, elder)
    assert lunch.status_code == 400
    assert lunch.json()["detail"] == (
        "slot：今天的午餐已于 14:00 结束供应，不能再点；请点之后的餐次或改日"
    )
    preview = await factory.client.post(
        "/api/v1/orders/preview", json=order_body(card_no=elder["card_no"], pin="246810")
    )
    assert preview.status_code == 400 and "午餐已于 14:00 结束供应" in preview.json()["detail"]
    assert (await balance(factory, elder["elder_id"]))["card_fen"] == 5000
    dinner = await card_order(factory, elder, slot="dinner", items=[("D", 1)])
    assert dinner.status_code == 201, dinner.text
    unnamed = await card_order(factory, elder, slot=None, items=[("D", 1)])
    assert unnamed.status_code == 201 and unnamed.json()["slot"] == "dinner"
    assert (await balance(factory, elder["elder_id"]))["card_fen"] == 5000 - dinner.json()[
        "card_fen"
    ] - unnamed.json()["card_fen"]
    await assert_ledger_balanced(factory)


async def _all_balances() -> dict[str, int]:
    return {r["key"]: r["balance"] for r in await Account.select(Account.key, Account.balance)}


async def test_cancel_restores_every_balance_and_the_quota(factory):
    elder = await _setup(factory, price_fen=2000, quota=5, categories=["dibian"])
    await topup(factory, elder["elder_id"], 1000)
    await grant_points(elder["elder_id"], 200, key="test-grant")
    before = await balance(factory, elder["elder_id"])
    before_accounts = await _all_balances()
    before_ledger = await assert_ledger_balanced(factory)
    order = (await card_order(factory, elder, items=[("A", 2)])).json()
    assert order["subsidy_fen"] == 600 and order["points_used"] == 200
    staff = await factory.headers("canteen_staff", canteen="C1")
    cancelled = await factory.client.post(
        f"/api/v1/orders/{order['order_id']}/cancel", headers=staff | new_key()
    )
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    assert await balance(factory, elder["elder_id"]) == before
    menu = (await factory.client.get(f"/api/v1/canteens/C1/menus/{tomorrow()}/lunch")).json()
    assert menu["items"][0]["remaining"] == 5
    again = await factory.client.post(
        f"/api/v1/orders/{order['order_id']}/cancel", headers=staff | new_key()
    )
    assert again.status_code == 200 and again.json() == cancelled.json()
    assert await balance(factory, elder["elder_id"]) == before
    after_accounts = await _all_balances()
    assert {k: v for k, v in after_accounts.items() if v} == before_accounts
    assert set(after_accounts) > set(before_accounts)  # the canteen's accounts, back at zero
    after_ledger = await assert_ledger_balanced(factory)
    assert after_ledger["transfers"] == before_ledger["transfers"] + 2
    # The subsidy is free again for this slot.
    assert (await card_order(factory, elder)).json()["subsidy_fen"] == 600


async def test_cancel_needs_a_key_and_served_orders_cannot_be_cancelled(factory):
    elder = await _setup(factory)
    order = (await card_order(factory, elder)).json()
    staff = await factory.headers("canteen_staff", canteen="C1")
    url = f"/api/v1/orders/{order['order_id']}"
    assert (await factory.client.post(f"{url}/cancel", headers=staff)).status_code == 400
    served = await factory.client.post(f"{url}/status", json={"status": "served"}, headers=staff)
    assert served.status_code == 200 and served.json()["status"] == "served"
    refused = await factory.client.post(f"{url}/cancel", headers=staff | new_key())
    assert refused.status_code == 409 and "不能取消" in refused.json()["detail"]
    await assert_ledger_balanced(factory)


async def test_status_flow_and_who_may_set_it(factory):
    elder = await _setup(factory)
    order = (await card_order(factory, elder, fulfilment="delivery")).json()
    url = f"/api/v1/orders/{order['order_id']}/status"
    staff = await factory.headers("canteen_staff", canteen="C1")
    assert (
        await factory.client.post(
            url, json={"status": "preparing"}, headers=await factory.headers("operator")
        )
    ).status_code == 403
    served = await factory.client.post(url, json={"status": "served"}, headers=staff)
    assert served.status_code == 409 and "delivered" in served.json()["detail"]
    for status in ("preparing", "ready", "not_home", "delivered"):
        response = await factory.client.post(url, json={"status": status}, headers=staff)
        assert response.status_code == 200 and response.json()["status"] == status
    back = await factory.client.post(url, json={"status": "preparing"}, headers=staff)
    assert back.status_code == 409
    bogus = await factory.client.post(url, json={"status": "eaten"}, headers=staff)
    assert bogus.status_code == 400 and "status" in bogus.json()["detail"]


async def test_get_order_access(factory):
    elder = await _setup(factory)
    order = (await card_order(factory, elder)).json()
    url = f"/api/v1/orders/{order['order_id']}"
    assert (
        await factory.client.get(url, headers=await factory.headers("operator"))
    ).json() == order
    assert (
        await factory.client.get(url, headers=await factory.headers("canteen_staff", canteen="C1"))
    ).status_code == 200
    await factory.canteen("C2")
    assert (
        await factory.client.get(url, headers=await factory.headers("canteen_staff", canteen="C2"))
    ).status_code == 403
    assert (
        await factory.client.get(url, headers=await factory.headers("volunteer"))
    ).status_code == 403
    assert (await factory.client.get(url)).status_code == 401
    assert (
        await factory.client.get("/api/v1/orders/999999", headers=await factory.admin())
    ).status_code == 404


async def test_only_those_who_see_every_order_learn_whether_an_order_id_exists(factory):
    elder = await _setup(factory)
    order_id = (await card_order(factory, elder)).json()["order_id"]
    await factory.canteen("C2")
    unknown_id = order_id + 1000
    for role in ("volunteer", "family", "canteen_staff", "inspector"):
        headers = await factory.headers(role, canteen="C2" if role == "canteen_staff" else None)
        for method, suffix, body in (
            ("GET", "", None),
            ("POST", "/cancel", None),
            ("POST", "/status", {"status": "delivered"}),
        ):
            replies = []
            for some_id in (order_id, unknown_id):
                response = await factory.client.request(
                    method,
                    f"/api/v1/orders/{some_id}{suffix}",
                    json=body,
                    headers=headers | new_key(),
                )
                replies.append((response.status_code, response.json()["detail"]))
            # Someone else's order and no order at all read exactly the same.
            assert replies[0] == replies[1] and replies[0][0] == 403, (role, suffix, replies)
    operator = await factory.headers("operator")
    for method, suffix in (("GET", ""), ("POST", "/status")):
        response = await factory.client.request(
            method,
            f"/api/v1/orders/{unknown_id}{suffix}",
            json={"status": "ready"},
            headers=operator,
        )
        assert response.status_code == 404 and str(unknown_id) in response.json()["detail"]
    assert (await card_order(factory, elder)).status_code == 201  # nothing was cancelled
    await assert_ledger_balanced(factory)


# ---------------------------------------------------------------- kitchen


async def test_kitchen_view_counts_portions_and_orders_deliveries_by_community(factory):
    await factory.canteen("C1")
    await publish_menu(factory, [dish("A", name="红烧肉"), dish("B", name="青菜豆腐")])
    near = await factory.elder(region="D-S-C1", address="一号社区 9 幢", diet=["low_salt"])
    far = await factory.elder(region="D-S-C2", address="二号社区 1 幢", allergies=["花生"])
    also_near = await factory.elder(region="D-S-C1", address="一号社区 2 幢")
    for elder, fulfilment in ((far, "delivery"), (near, "delivery"), (also_near, "delivery")):
        response = await card_order(
            factory,
            elder,
            items=[("A", 1), ("B", 2)],
            fulfilment=fulfilment,
            confirm_diet_clash=True,
        )
        assert response.status_code == 201, response.text
    await card_order(factory, also_near, items=[("B", 1)], fulfilment="dine_in")
    cancelled = (await card_order(factory, far, items=[("A", 4)])).json()
    await factory.client.post(
        f"/api/v1/orders/{cancelled['order_id']}/cancel", headers=await factory.admin() | new_key()
    )
    url = f"/api/v1/canteens/C1/kitchen?date={tomorrow()}&slot=lunch"
    view = await factory.client.get(
        url, headers=await factory.headers("canteen_staff", canteen="C1")
    )
    assert view.status_code == 200, view.text
    body = view.json()
    assert [(p["dish_id"], p["portions"]) for p in body["portions"]] == [("A", 3), ("B", 7)]
    assert len(body["orders"]) == 4
    notes = {o["elder_id"]: (o["diet"], o["allergies"]) for o in body["orders"]}
    assert notes[near["elder_id"]] == (["low_salt"], [])
    assert notes[far["elder_id"]] == ([], ["花生"])
    assert [d["address"] for d in body["deliveries"]] == [
        "一号社区 2 幢",
        "一号社区 9 幢",
        "二号社区 1 幢",
    ]
    assert body["deliveries"][0]["elder_name"] == "张*明"
    assert (await factory.client.get(url, headers=await factory.admin())).status_code == 200
    assert (
        await factory.client.get(url, headers=await factory.headers("operator"))
    ).status_code == 403
    await assert_ledger_balanced(factory)
