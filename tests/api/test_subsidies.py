"""The subsidy programme over HTTP and through its services: policy versions, the monthly issue
(also run twice at once), frozen cards, 敬老分 expiry and the time bank. Every test that moves
money or points checks /ledger/verify afterwards."""

from __future__ import annotations

import asyncio
import json
from datetime import date, timedelta

from tests.meals import (
    assert_ledger_balanced,
    balance,
    card_order,
    dish,
    new_key,
    order_body,
    place,
    publish_menu,
    tomorrow,
    topup,
)
from tests.problems import assert_problem
from zhucan.clock import today as service_today
from zhucan.subsidies import rules
from zhucan.subsidies import service as subsidies
from zhucan.subsidies.policy import default_policy
from zhucan.subsidies.tables import MonthlyGrant


def _today(factory) -> date:
    return service_today(factory.settings.tz)


def _month(factory) -> str:
    return rules.month_key(_today(factory))


def _policy_body(effective_from: date, **changes) -> dict:
    body = default_policy().model_dump(mode="json") | {"effective_from": str(effective_from)}
    return body | changes


async def _put_policy(factory, body: dict, headers: dict | None = None):
    return await factory.client.put(
        "/api/v1/subsidies/policy", json=body, headers=headers or await factory.admin()
    )


async def _issue(factory, month: str, expect: int = 200) -> dict:
    response = await factory.client.post(
        "/api/v1/subsidies/issue", json={"month": month}, headers=await factory.admin()
    )
    assert response.status_code == expect, response.text
    return response.json()


# ---------------------------------------------------------------- policy versions


async def test_policy_in_force_defaults_to_the_file_and_is_admin_only(factory):
    response = await factory.client.get("/api/v1/subsidies/policy", headers=await factory.admin())
    assert response.status_code == 200
    assert response.json() == default_policy().model_dump(mode="json")
    operator = await factory.headers("operator")
    assert (
        await factory.client.get("/api/v1/subsidies/policy", headers=operator)
    ).status_code == 403
    assert (await _put_policy(factory, _policy_body(tomorrow()), operator)).status_code == 403


async def test_invalid_policies_are_refused_naming_the_field(factory):
    today = _today(factory)
    base = _policy_body(tomorrow())
    negative = base | {"allowance": [{"name": "特困", "categories": ["tekun"], "card_fen": -1}]}
    assert_problem(await _put_policy(factory, negative), 400, "allowance.0.card_fen")
    unknown = base | {"tier": [{"name": "新类", "categories": ["rich"], "fen": 100}]}
    assert_problem(await _put_policy(factory, unknown), 400, "tier.0.categories.0")
    both = base | {"tier": [{"name": "混", "categories": ["tekun"], "min_age": 80, "fen": 1}]}
    assert_problem(await _put_policy(factory, both), 400, "categories 与 min_age")
    rate = base | {"timebank_points_per_hour": -5}
    assert_problem(await _put_policy(factory, rate), 400, "timebank_points_per_hour")
    past = _policy_body(today - timedelta(days=1))
    assert_problem(await _put_policy(factory, past), 400, "effective_from", "早于今天")
    assert (await _put_policy(factory, _policy_body(today))).status_code == 200
    assert_problem(await _put_policy(factory, _policy_body(today)), 409, "effective_from", "重叠")


async def test_a_new_version_applies_from_its_date_and_never_to_earlier_orders(factory):
    await factory.canteen("C1")
    await publish_menu(factory, [dish("A", 2000)])
    await publish_menu(factory, [dish("A", 2000)], slot="dinner")
    elder = await factory.elder(categories=["tekun"])
    before = (await card_order(factory, elder)).json()
    assert before["subsidy_fen"] == 800
    tiers = default_policy().model_dump(mode="json")["tier"]
    tiers[0]["fen"] = 1000
    later = tomorrow() + timedelta(days=30)
    # Scheduled for later, then replaced from tomorrow: the later one is gone.
    assert (await _put_policy(factory, _policy_body(later, tier=tiers))).status_code == 200
    stored = await _put_policy(factory, _policy_body(tomorrow(), tier=tiers))
    assert stored.status_code == 200 and stored.json()["tier"][0]["fen"] == 1000
    versions = (
        await factory.client.get("/api/v1/subsidies/policy/versions", headers=await factory.admin())
    ).json()
    assert [v["effective_from"] for v in versions] == ["2024-01-01", str(tomorrow())]
    in_force = await factory.client.get(
        f"/api/v1/subsidies/policy?on={tomorrow()}", headers=await factory.admin()
    )
    assert in_force.json()["tier"][0]["fen"] == 1000
    today_policy = (
        await factory.client.get("/api/v1/subsidies/policy", headers=await factory.admin())
    ).json()
    assert today_policy["tier"][0]["fen"] == 800
    after = (await card_order(factory, elder, slot="dinner")).json()
    assert after["subsidy_fen"] == 1000
    again = await factory.client.get(
        f"/api/v1/orders/{before['order_id']}", headers=await factory.admin()
    )
    assert again.json()["subsidy_fen"] == 800
    await assert_ledger_balanced(factory)


# ---------------------------------------------------------------- monthly issue


async def test_issue_credits_once_and_skips_elders_who_died_or_moved(factory):
    tekun = await factory.elder(age=70, categories=["tekun"])
    old = await factory.elder(age=91)
    young = await factory.elder(age=65)
    gone = await factory.elder(age=85, categories=["dibao"])
    await topup(factory, gone["elder_id"], 1234)
    month = _month(factory)
    status = await factory.post(
        f"/elders/{gone['elder_id']}/status", {"status": "deceased", "note": "家属告知"}, expect=200
    )
    assert status == {
        "elder_id": gone["elder_id"],
        "status": "deceased",
        "card_frozen": True,
        "card_fen": 1234,
        "points": 0,
    }
    first = await _issue(factory, month)
    assert (first["elders"], first["card_fen"], first["points"]) == (3, 30000, 100 + 300 + 100)
    assert first["frozen"]["card_fen"] == 1234
    assert first["frozen"]["cards"] == [
        {"elder_id": gone["elder_id"], "status": "deceased", "card_fen": 1234, "points": 0}
    ]
    assert await _issue(factory, month) == first
    assert await balance(factory, tekun["elder_id"]) == {"card_fen": 20000, "points": 100}
    assert await balance(factory, old["elder_id"]) == {"card_fen": 10000, "points": 300}
    assert await balance(factory, young["elder_id"]) == {"card_fen": 0, "points": 100}
    assert await balance(factory, gone["elder_id"]) == {"card_fen": 1234, "points": 0}
    frozen = await factory.client.get(
        "/api/v1/subsidies/frozen-cards", headers=await factory.admin()
    )
    assert frozen.json() == first["frozen"]
    await assert_ledger_balanced(factory)


async def test_issue_refuses_bad_and_future_months(factory):
    assert_problem(
        await factory.client.post(
            "/api/v1/subsidies/issue", json={"month": "2026-13"}, headers=await factory.admin()
        ),
        400,
        "month",
        "YYYY-MM",
    )
    future = rules.month_key(rules.add_months(_today(factory), 1))
    assert_problem(
        await factory.client.post(
            "/api/v1/subsidies/issue", json={"month": future}, headers=await factory.admin()
        ),
        400,
        "month",
    )
    assert (
        await factory.client.post(
            "/api/v1/subsidies/issue",
            json={"month": "2026-01"},
            headers=await factory.headers("operator"),
        )
    ).status_code == 403


async def test_issue_refuses_months_before_the_first_policy_and_pays_nothing(factory):
    elder = await factory.elder(categories=["dibao"])
    # kitchens/policy.toml takes effect on 2024-01-01.
    for month, words in (
        ("2023-12", ["month", "2024-01-01", "没有补贴可发"]),
        ("1900-01", ["month", "YYYY-MM", "2000–2099"]),
    ):
        assert_problem(
            await factory.client.post(
                "/api/v1/subsidies/issue", json={"month": month}, headers=await factory.admin()
            ),
            400,
            *words,
        )
    assert await balance(factory, elder["elder_id"]) == {"card_fen": 0, "points": 0}
    first = await factory.client.post(
        "/api/v1/subsidies/issue", json={"month": "2024-01"}, headers=await factory.admin()
    )
    assert first.status_code == 200 and first.json()["elders"] == 1
    await assert_ledger_balanced(factory)


async def test_issue_twice_at_the_same_time_credits_once(factory):
    elders = [
        await factory.elder(age=age, categories=cats)
        for age, cats in [(70, ["tekun"]), (82, []), (93, ["dibian"]), (66, [])] * 3
    ]
    month = _month(factory)
    runs = await asyncio.gather(
        *[
            subsidies.issue_month(month, _today(factory), factory.settings.tz, "admin")
            for _ in range(3)
        ]
    )
    assert runs[0] == runs[1] == runs[2]
    assert runs[0].elders == len(elders)
    assert runs[0].card_fen == 3 * (20000 + 5000 + 10000)
    assert await MonthlyGrant.count() == len(elders)
    assert await balance(factory, elders[0]["elder_id"]) == {"card_fen": 20000, "points": 100}
    await assert_ledger_balanced(factory)


async def test_frozen_card_cannot_order_on_any_channel_or_be_topped_up(factory):
    await factory.canteen("C1")
    await publish_menu(factory, [dish("A", 1000)])
    elder = await factory.elder()
    volunteer = await factory.staff("volunteer")
    await factory.post(f"/elders/{elder['elder_id']}/links", {"username": volunteer.username})
    await factory.post(f"/elders/{elder['elder_id']}/status", {"status": "moved"}, expect=200)
    assert_problem(await card_order(factory, elder), 403, "冻结")
    for headers in (
        factory.headers_for(volunteer),
        await factory.headers("operator"),
        await factory.headers("canteen_staff", canteen="C1"),
    ):
        response = await place(factory, order_body(elder_id=elder["elder_id"]), headers)
        assert_problem(response, 409, "冻结")
    response = await factory.client.post(
        f"/api/v1/elders/{elder['elder_id']}/card/topups",
        json={"amount_fen": 100, "source": "family"},
        headers=await factory.admin() | new_key(),
    )
    assert response.status_code == 409
    thawed = await factory.post(
        f"/elders/{elder['elder_id']}/status", {"status": "active"}, expect=200
    )
    assert thawed["card_frozen"] is False
    assert (await card_order(factory, elder)).status_code == 201
    await assert_ledger_balanced(factory)


async def test_status_endpoint_refusals(factory):
    elder = await factory.elder()
    url = f"/api/v1/elders/{elder['elder_id']}/status"
    assert (
        await factory.client.post(
            url, json={"status": "moved"}, headers=await factory.headers("operator")
        )
    ).status_code == 403
    assert_problem(
        await factory.client.post(url, json={"status": "gone"}, headers=await factory.admin()),
        400,
        "status",
    )
    assert (
        await factory.client.post(
            "/api/v1/elders/99999/status", json={"status": "moved"}, headers=await factory.admin()
        )
    ).status_code == 404


# ---------------------------------------------------------------- 敬老分 expiry


async def test_points_expire_oldest_first_twelve_months_after_their_month(factory):
    await factory.canteen("C1")
    await publish_menu(factory, [dish("A", 600)])
    elder = await factory.elder(age=82)
    month = _month(factory)
    await _issue(factory, month)  # 5000 fen and 200 points this month
    order = (await card_order(factory, elder, use_points=True)).json()
    spent = order["points_used"]
    assert spent == 50  # half of what the 500 fen subsidy leaves of 600
    granted_month = rules.parse_month(month)
    day_before = rules.add_months(granted_month, 12) - timedelta(days=1)
    none_yet = await subsidies.expire_points(day_before, factory.settings.tz, "admin")
    assert none_yet.points == 0
    due = rules.add_months(granted_month, 12)
    expired = await subsidies.expire_points(due, factory.settings.tz, "admin")
    assert (expired.elders, expired.points) == (1, 200 - spent)
    assert await subsidies.expire_points(due, factory.settings.tz, "admin") == expired
    assert await balance(factory, elder["elder_id"]) == {"card_fen": 4950, "points": 0}
    await assert_ledger_balanced(factory)


# ---------------------------------------------------------------- time bank


async def test_time_bank_credits_points_once_on_approval(factory):
    helper = await factory.elder(age=66)
    helped = await factory.elder(age=88)
    volunteer = await factory.staff("volunteer")
    day = str(_today(factory))
    body = {
        "helped_elder_id": helped["elder_id"],
        "helper_elder_id": helper["elder_id"],
        "service_date": day,
        "minutes": 90,
        "description": "陪同就医",
    }
    entry = await factory.post("/timebank/entries", body)
    assert entry["status"] == "pending" and entry["points"] == 0
    assert (
        await factory.client.post(
            f"/api/v1/timebank/entries/{entry['entry_id']}/approve",
            headers=factory.headers_for(volunteer),
        )
    ).status_code == 403
    approved = await factory.post(f"/timebank/entries/{entry['entry_id']}/approve", {}, expect=200)
    assert approved["status"] == "approved" and approved["points"] == 450
    again = await factory.post(f"/timebank/entries/{entry['entry_id']}/approve", {}, expect=200)
    assert again == approved
    assert_problem(
        await factory.client.post(
            f"/api/v1/timebank/entries/{entry['entry_id']}/reject", headers=await factory.admin()
        ),
        409,
        "已批准",
    )
    assert await balance(factory, helper["elder_id"]) == {"card_fen": 0, "points": 450}
    # A volunteer logs their own hours; their points are banked on their own account.
    own = await factory.client.post(
        "/api/v1/timebank/entries",
        json={"helped_elder_id": helped["elder_id"], "service_date": day, "minutes": 60},
        headers=factory.headers_for(volunteer),
    )
    assert own.status_code == 201, own.text
    assert own.json()["helper_username"] == volunteer.username
    mine = await factory.client.get(
        "/api/v1/timebank/entries", headers=factory.headers_for(volunteer)
    )
    assert [e["entry_id"] for e in mine.json()] == [own.json()["entry_id"]]
    credited = await factory.post(
        f"/timebank/entries/{own.json()['entry_id']}/approve", {}, expect=200
    )
    assert credited["points"] == 300
    await assert_ledger_balanced(factory)


async def test_time_bank_refusals(factory):
    helper = await factory.elder(age=86)
    helped = await factory.elder(age=80)
    body = {
        "helped_elder_id": helped["elder_id"],
        "helper_elder_id": helper["elder_id"],
        "service_date": str(_today(factory)),
        "minutes": 60,
    }
    assert_problem(
        await factory.client.post(
            "/api/v1/timebank/entries", json=body, headers=await factory.admin()
        ),
        400,
        "helper_elder_id",
        "低龄",
    )
    body |= {"helper_elder_id": helped["elder_id"], "helped_elder_id": helper["elder_id"]}
    future = body | {"service_date": str(_today(factory) + timedelta(days=2))}
    assert_problem(
        await factory.client.post(
            "/api/v1/timebank/entries", json=future, headers=await factory.admin()
        ),
        400,
        "service_date",
    )
    short = body | {"minutes": 5}
    assert_problem(
        await factory.client.post(
            "/api/v1/timebank/entries", json=short, headers=await factory.admin()
        ),
        400,
        "minutes",
    )
    nobody = {k: v for k, v in body.items() if k != "helper_elder_id"}
    assert_problem(
        await factory.client.post(
            "/api/v1/timebank/entries", json=nobody, headers=await factory.admin()
        ),
        400,
        "helper",
    )
    assert (
        await factory.client.post(
            "/api/v1/timebank/entries", json=body, headers=await factory.headers("family")
        )
    ).status_code == 403
    assert (
        await factory.client.post(
            "/api/v1/timebank/entries/999/approve", headers=await factory.admin()
        )
    ).status_code == 404


async def test_a_version_stored_by_another_worker_is_seen_at_once(factory):
    """Each worker caches the versions; a row written elsewhere must still count for the next
    order, so the cache is checked against the newest stored row on every lookup."""
    from zhucan.clock import now_utc
    from zhucan.subsidies.policy import policy_in_force
    from zhucan.subsidies.tables import PolicyVersion

    day = tomorrow()
    assert (await policy_in_force(day)).tier[0].fen == 800
    changed = _policy_body(day)
    changed["tier"][0]["fen"] = 850
    await PolicyVersion.insert(
        PolicyVersion(
            effective_from=day,
            body=json.dumps(changed),
            created_by="other-worker",
            created_at=now_utc(),
        )
    )
    assert (await policy_in_force(day)).tier[0].fen == 850
    assert (await policy_in_force(day - timedelta(days=1))).tier[0].fen == 800
