"""Every action a supervisor may ask "who did that?" about shows in GET /audit with who, what and
when: grades filed, policy changes, top-ups, the monthly issue, orders placed on an elder's behalf
and cancellations. The entries commit with the change (tests/api/test_audit.py shows
that they roll back with it)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tests.meals import dish, new_key, order_body, place, publish_menu, topup
from zhucan.clock import today as service_today
from zhucan.subsidies import rules as subsidy_rules
from zhucan.subsidies.policy import default_policy


async def entries(factory, action: str) -> list[dict]:
    response = await factory.client.get(
        "/api/v1/audit", params={"action": action}, headers=await factory.admin()
    )
    assert response.status_code == 200, response.text
    return response.json()["entries"]


def assert_recent(entry: dict) -> None:
    """`when`: stamped now, with its offset."""
    at = datetime.fromisoformat(entry["at"])
    assert at.tzinfo is not None
    assert abs(datetime.now(UTC) - at) < timedelta(minutes=5), entry


async def test_filing_an_inspection_is_recorded(factory):
    await factory.canteen("C1")
    filed = await factory.inspection("C1", str(date.today()), failed={"A01": None})
    [entry] = await entries(factory, "inspection.file")
    assert entry["actor"] == "insp-a" and entry["target"] == "canteen:C1"
    assert entry["detail"]["inspection_id"] == filed["inspection_id"]
    assert entry["detail"]["dynamic_grade"] == filed["dynamic_grade"]
    assert entry["detail"]["score"] == str(filed["score"])
    assert_recent(entry)


async def test_a_policy_change_is_recorded(factory):
    effective = service_today(factory.settings.tz) + timedelta(days=1)
    body = default_policy().model_dump(mode="json") | {"effective_from": str(effective)}
    response = await factory.client.put(
        "/api/v1/subsidies/policy", json=body, headers=await factory.admin()
    )
    assert response.status_code == 200, response.text
    [entry] = await entries(factory, "policy.update")
    assert (entry["actor"], entry["target"]) == ("admin", f"policy:{effective}")
    assert_recent(entry)


async def test_a_topup_is_recorded_once_even_when_retried(factory):
    elder = await factory.elder()
    key = new_key()
    for _ in range(2):
        response = await factory.client.post(
            f"/api/v1/elders/{elder['elder_id']}/card/topups",
            json={"amount_fen": 5000, "source": "charity", "note": "重阳节"},
            headers=await factory.admin() | key,
        )
        assert response.status_code == 201, response.text
    [entry] = await entries(factory, "card.topup")
    assert (entry["actor"], entry["target"]) == ("admin", f"elder:{elder['elder_id']}")
    assert entry["detail"] == {"amount_fen": 5000, "source": "charity"}
    assert_recent(entry)


async def test_the_monthly_issue_is_recorded(factory):
    await factory.elder(age=85)
    month = subsidy_rules.month_key(service_today(factory.settings.tz))
    response = await factory.client.post(
        "/api/v1/subsidies/issue", json={"month": month}, headers=await factory.admin()
    )
    assert response.status_code == 200, response.text
    [entry] = await entries(factory, "subsidy.issue")
    assert (entry["actor"], entry["target"]) == ("admin", f"month:{month}")
    assert_recent(entry)


@pytest.mark.parametrize(
    "role, channel", [("volunteer", "proxy"), ("operator", "hotline"), ("canteen_staff", "counter")]
)
async def test_an_order_placed_for_an_elder_is_recorded(factory, role, channel):
    await factory.canteen("C1")
    await publish_menu(factory, [dish("A", 800)])
    elder = await factory.elder()
    staff = await factory.staff(role, canteen="C1" if role == "canteen_staff" else None)
    if role == "volunteer":
        await factory.post(f"/elders/{elder['elder_id']}/links", {"username": staff.username})
    response = await place(
        factory, order_body(elder_id=elder["elder_id"]), headers=factory.headers_for(staff)
    )
    assert response.status_code == 201, response.text
    [entry] = await entries(factory, "order.proxy")
    assert entry["actor"] == staff.username
    assert entry["target"] == f"order:{response.json()['order_id']}"
    assert entry["detail"] == {
        "channel": channel,
        "elder_id": elder["elder_id"],
        "canteen": "C1",
        "total_fen": 800,
    }
    assert_recent(entry)


async def test_an_elder_ordering_with_card_and_pin_is_not_a_proxy_order(factory):
    await factory.canteen("C1")
    await publish_menu(factory, [dish("A", 800)])
    elder = await factory.elder()
    await topup(factory, elder["elder_id"], 1000)
    response = await place(factory, order_body(card_no=elder["card_no"], pin="246810"))
    assert response.status_code == 201, response.text
    assert await entries(factory, "order.proxy") == []


async def test_a_cancellation_is_recorded_once(factory):
    await factory.canteen("C1")
    await publish_menu(factory, [dish("A", 800)])
    elder = await factory.elder()
    operator = factory.headers_for(await factory.staff("operator", username="hotline1"))
    placed = await place(factory, order_body(elder_id=elder["elder_id"]), headers=operator)
    order_id = placed.json()["order_id"]
    for _ in range(2):  # a second cancel, with a new key, changes nothing and records nothing
        response = await factory.client.post(
            f"/api/v1/orders/{order_id}/cancel", headers=operator | new_key()
        )
        assert response.status_code == 200, response.text
    [entry] = await entries(factory, "order.cancel")
    assert (entry["actor"], entry["target"]) == ("hotline1", f"order:{order_id}")
    assert entry["detail"] == {"elder_id": elder["elder_id"]}
    assert_recent(entry)
