"""Who may call what: every /api/v1 endpoint × every kind of caller, each expected status written
down. The table is the documentation; a new endpoint without a row fails the test.

Callers: anonymous, a token that expired, a token signed with another key, and a valid token of
each role. The volunteer and the family member are linked to the elder `linked` and not to
`other`; staff_c1 works at canteen C1 (where the orders are), staff_c2 at C2.

Rules the table shows: volunteers and family see only linked elders; canteen staff only their
canteen; inspectors never order or move money; elders (card + PIN, no token) see only their own
card — through an order or a preview of it, never through the staff endpoints.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from litestar.routes import HTTPRoute

from tests.meals import dish, order_body, place, publish_menu, tomorrow, topup
from tests.problems import assert_problem
from zhucan.access import Staff
from zhucan.clock import today as service_today
from zhucan.people.auth import issue_token
from zhucan.subsidies.policy import default_policy

CALLERS = (
    "anonymous",
    "expired",
    "forged",
    "admin",
    "operator",
    "volunteer",
    "family",
    "staff_c1",
    "staff_c2",
    "inspector",
)


@dataclass(frozen=True)
class Row:
    endpoint: str  # "METHOD /path/{template}" as the app routes it, under /api/v1
    path: str  # the concrete path; {names} are filled from the seeded world
    expected: str  # one status per caller, in CALLERS order
    body: Any = None  # JSON body, or a function of the world giving one
    note: str = field(default="", compare=False)


def r(endpoint, path, expected, body=None):
    return Row(" ".join(endpoint.split()), path, expected, body)


def _inspection(w):
    results = [
        {"item": code, "verdict": "fail" if code == "A01" else "pass"} for code in w["checklist"]
    ]
    return {
        "date": w["today"],
        "kind": "routine",
        "inspectors": ["insp-a", "insp-b"],
        "results": results,
        "notes": "",
        "incident": False,
    }


def _order(w):
    return order_body(elder_id=w["linked"])


def _menu(w):
    return {"items": [dish("M", 700)]}


def _policy(w):
    # A new version each time it is allowed; only admins are, so it is stored once.
    return default_policy().model_dump(mode="json") | {"effective_from": w["later"]}


# 201/200: allowed; 401: no valid credentials; 403: not this role, or not this elder or canteen.
# Other statuses are what an allowed caller gets for that request (a duplicate, a rule).
#   endpoint                                   path                                  anon exp frg | adm opr vol fam c1  c2  ins
MATRIX = [
    # Public: anyone without a token; a bad token is refused everywhere.
    r("GET  /regions", "/regions", "200 401 401  200 200 200 200 200 200 200"),
    r("GET  /regions/{code}", "/regions/D", "200 401 401  200 200 200 200 200 200 200"),
    r("GET  /canteens", "/canteens", "200 401 401  200 200 200 200 200 200 200"),
    r("GET  /canteens/{code}", "/canteens/C1", "200 401 401  200 200 200 200 200 200 200"),
    r(
        "GET  /canteens/{code}/qr.png",
        "/canteens/C1/qr.png",
        "200 401 401  200 200 200 200 200 200 200",
    ),
    r(
        "GET  /canteens/{code}/inspections",
        "/canteens/C1/inspections",
        "200 401 401  200 200 200 200 200 200 200",
    ),
    r(
        "GET  /canteens/{code}/menus/{meal_date}/{slot}",
        "/canteens/C1/menus/{day}/lunch",
        "200 401 401  200 200 200 200 200 200 200",
    ),
    r(
        "GET  /canteens/{code}/menus/next",
        "/canteens/C1/menus/next",
        "200 401 401  200 200 200 200 200 200 200",
    ),
    r(
        "GET  /compliance/checklist",
        "/compliance/checklist",
        "200 401 401  200 200 200 200 200 200 200",
    ),
    r(
        "GET  /compliance/random-plans",
        "/compliance/random-plans",
        "200 401 401  200 200 200 200 200 200 200",
    ),
    r(
        "POST /auth/token",
        "/auth/token",
        "200 401 401  200 200 200 200 200 200 200",
        {"username": "admin", "password": "password-123"},
    ),
    # The back office: admins only.
    r(
        "POST /regions",
        "/regions",
        "401 401 401  201 403 403 403 403 403 403",
        {"code": "N", "name": "新区"},
    ),
    r(
        "POST /canteens",
        "/canteens",
        "401 401 401  201 403 403 403 403 403 403",
        lambda w: w["new_canteen"],
    ),
    r(
        "PATCH /canteens/{code}",
        "/canteens/C2",
        "401 401 401  200 403 403 403 403 403 403",
        {"capacity": 90},
    ),
    r(
        "POST /elders",
        "/elders",
        "401 401 401  201 403 403 403 403 403 403",
        lambda w: w["new_elder"],
    ),
    r(
        "POST /elders/{elder_id}/links",
        "/elders/{other}/links",
        "401 401 401  201 403 403 403 403 403 403",
        {"username": "vol-spare"},
    ),
    r(
        "POST /elders/{elder_id}/status",
        "/elders/{spare}/status",
        "401 401 401  200 403 403 403 403 403 403",
        {"status": "moved"},
    ),
    r(
        "POST /elders/{elder_id}/card/topups",
        "/elders/{linked}/card/topups",
        "401 401 401  201 403 403 403 403 403 403",
        {"amount_fen": 1000, "source": "charity"},
    ),
    r("GET  /ledger/verify", "/ledger/verify", "401 401 401  200 403 403 403 403 403 403"),
    r("GET  /audit", "/audit", "401 401 401  200 403 403 403 403 403 403"),
    r(
        "POST /compliance/random-plan",
        "/compliance/random-plan",
        "401 401 401  201 403 403 403 403 403 403",
        lambda w: {"count": 1, "seed": 7, "date": w["today"]},
    ),
    r("GET  /subsidies/policy", "/subsidies/policy", "401 401 401  200 403 403 403 403 403 403"),
    r(
        "GET  /subsidies/policy/versions",
        "/subsidies/policy/versions",
        "401 401 401  200 403 403 403 403 403 403",
    ),
    r(
        "PUT  /subsidies/policy",
        "/subsidies/policy",
        "401 401 401  200 403 403 403 403 403 403",
        _policy,
    ),
    r(
        "POST /subsidies/issue",
        "/subsidies/issue",
        "401 401 401  200 403 403 403 403 403 403",
        lambda w: {"month": w["month"]},
    ),
    r(
        "GET  /subsidies/frozen-cards",
        "/subsidies/frozen-cards",
        "401 401 401  200 403 403 403 403 403 403",
    ),
    r(
        "POST /timebank/entries/{entry_id}/approve",
        "/timebank/entries/{entry1}/approve",
        "401 401 401  200 403 403 403 403 403 403",
    ),
    r(
        "POST /timebank/entries/{entry_id}/reject",
        "/timebank/entries/{entry2}/reject",
        "401 401 401  200 403 403 403 403 403 403",
    ),
    r(
        "GET  /reports/settlement",
        "/reports/settlement?month={month}",
        "401 401 401  200 403 403 403 403 403 403",
    ),
    r(
        "GET  /reports/settlement.csv",
        "/reports/settlement.csv?month={month}",
        "401 401 401  200 403 403 403 403 403 403",
    ),
    r(
        "GET  /reports/settlement.xlsx",
        "/reports/settlement.xlsx?month={month}",
        "401 401 401  200 403 403 403 403 403 403",
    ),
    r(
        "GET  /reports/meals",
        "/reports/meals?year={year}",
        "401 401 401  200 403 403 403 403 403 403",
    ),
    r(
        "GET  /reports/meals/monthly",
        "/reports/meals/monthly?year={year}",
        "401 401 401  200 403 403 403 403 403 403",
    ),
    # Elders' data: admins and the hotline see all; volunteers and family only linked elders.
    r("GET  /elders", "/elders", "401 401 401  200 200 200 200 403 403 403"),
    r("GET  /elders/{elder_id}", "/elders/{linked}", "401 401 401  200 200 200 200 403 403 403"),
    r("GET  /elders/{elder_id}", "/elders/{other}", "401 401 401  200 200 403 403 403 403 403"),
    r(
        "GET  /elders/{elder_id}/balance",
        "/elders/{linked}/balance",
        "401 401 401  200 200 200 200 403 403 403",
    ),
    r(
        "GET  /elders/{elder_id}/balance",
        "/elders/{other}/balance",
        "401 401 401  200 200 403 403 403 403 403",
    ),
    r(
        "GET  /elders/{elder_id}/statement",
        "/elders/{linked}/statement",
        "401 401 401  200 200 200 200 403 403 403",
    ),
    r(
        "GET  /elders/{elder_id}/statement",
        "/elders/{other}/statement",
        "401 401 401  200 200 403 403 403 403 403",
    ),
    r("GET  /welfare/alerts", "/welfare/alerts", "401 401 401  200 200 200 200 403 403 403"),
    r(
        "POST /welfare/alerts/{elder_id}/visits",
        "/welfare/alerts/{linked}/visits",
        "401 401 401  201 201 201 201 403 403 403",
        {"note": "上门看望，身体尚好"},
    ),
    r(
        "POST /welfare/alerts/{elder_id}/visits",
        "/welfare/alerts/{other}/visits",
        "401 401 401  201 201 403 403 403 403 403",
        {"note": "上门看望，身体尚好"},
    ),
    r("GET  /timebank/entries", "/timebank/entries", "401 401 401  200 200 200 403 403 403 403"),
    r(
        "POST /timebank/entries",
        "/timebank/entries",
        "401 401 401  201 201 201 403 403 403 403",
        lambda w: {
            "helped_elder_id": w["linked"],
            "helper_username": "vol1",
            "service_date": w["today"],
            "minutes": 60,
        },
    ),
    # Orders: placed for an elder by the hotline, linked volunteers and family, or the counter of
    # that canteen; never by admins or inspectors. Anonymous callers need card and PIN.
    r("POST /orders", "/orders", "401 401 401  403 201 201 201 201 403 403", _order),
    r(
        "POST /orders/preview",
        "/orders/preview",
        "401 401 401  403 200 200 200 200 403 403",
        _order,
    ),
    r("GET  /orders", "/orders", "401 401 401  403 200 200 200 403 403 403"),
    r("GET  /orders/{order_id}", "/orders/{order}", "401 401 401  200 200 200 200 200 403 403"),
    r(
        "GET  /orders/{order_id}",
        "/orders/{other_order}",
        "401 401 401  200 200 403 403 200 403 403",
    ),
    r(
        "POST /orders/{order_id}/cancel",
        "/orders/{order}/cancel",
        "401 401 401  200 200 200 200 200 403 403",
    ),
    r(
        "POST /orders/{order_id}/cancel",
        "/orders/{other_order}/cancel",
        "401 401 401  200 200 403 403 200 403 403",
    ),
    r(
        "POST /orders/{order_id}/status",
        "/orders/{order2}/status",
        "401 401 401  403 403 403 403 200 403 403",
        {"status": "preparing"},
    ),
    r(
        "POST /orders/{order_id}/status",
        "/orders/{delivery}/status",
        "401 401 401  403 403 200 200 200 403 403",
        {"status": "not_home"},
    ),
    # Canteens' own pages: admins and that canteen's staff.
    r(
        "PUT  /canteens/{code}/menus/{meal_date}/{slot}",
        "/canteens/C1/menus/{later}/dinner",
        "401 401 401  200 403 403 403 200 403 403",
        _menu,
    ),
    r(
        "GET  /canteens/{code}/kitchen",
        "/canteens/C1/kitchen?date={day}",
        "401 401 401  200 403 403 403 200 403 403",
    ),
    r(
        "POST /canteens/{code}/alerts",
        "/canteens/C1/alerts",
        "401 401 401  403 403 403 403 201 403 403",
        {"kind": "no_hat", "at": "2026-11-20T11:30:00+08:00"},
    ),
    # Food safety: inspectors file and resolve; admins and inspectors read the district's state.
    r(
        "POST /canteens/{code}/findings/{item}/resolve",
        "/canteens/C1/findings/A02/resolve",
        "401 401 401  403 403 403 403 403 403 200",
    ),
    # (Filed after the resolve above: this inspection passes A02, which would close it.)
    r(
        "POST /canteens/{code}/inspections",
        "/canteens/C1/inspections",
        "401 401 401  403 403 403 403 403 403 201",
        _inspection,
    ),
    r(
        "POST /compliance/score-preview",
        "/compliance/score-preview",
        "401 401 401  200 403 403 403 403 403 200",
        {"results": []},
    ),
    r(
        "GET  /compliance/summary",
        "/compliance/summary",
        "401 401 401  200 403 403 403 403 403 200",
    ),
    r("GET  /compliance/due", "/compliance/due", "401 401 401  200 403 403 403 403 403 200"),
    # Drawn once per test run (about a second of CPU each), like the QR code above otherwise.
    r(
        "GET  /canteens/{code}/poster.png",
        "/canteens/C1/poster.png",
        "200 401 401  200 200 200 200 200 200 200",
    ),
]

_keys = itertools.count(1)


async def seed_world(factory) -> tuple[dict, dict[str, dict[str, str]]]:
    """Two canteens, elders, orders, timebank entries and findings; headers for every caller."""
    await factory.canteen("C1")
    await factory.canteen("C2")
    day, later = tomorrow(), tomorrow() + timedelta(days=1)
    await publish_menu(factory, [dish("A", 800)], day=day)
    linked, other, spare = [await factory.elder() for _ in range(3)]
    await topup(factory, linked["elder_id"], 50000)
    await topup(factory, other["elder_id"], 50000)
    staff = {
        "operator": await factory.staff("operator", username="op1"),
        "volunteer": await factory.staff("volunteer", username="vol1"),
        "family": await factory.staff("family", username="fam1"),
        "staff_c1": await factory.staff("canteen_staff", username="cs1", canteen="C1"),
        "staff_c2": await factory.staff("canteen_staff", username="cs2", canteen="C2"),
    }
    await factory.staff("volunteer", username="vol-spare")
    staff["inspector"] = (await factory.inspectors())[0]
    for username in ("vol1", "fam1"):
        await factory.post(f"/elders/{linked['elder_id']}/links", {"username": username})
    await factory.inspection(
        "C1", str(service_today(factory.settings.tz)), failed={"A01": None, "A02": None}
    )

    headers = {role: factory.headers_for(s) for role, s in staff.items()}
    headers["admin"] = await factory.admin()
    headers["anonymous"] = {}
    admin = Staff(id=1, username="admin", role="admin")  # what the tokens below claim
    headers["expired"] = {
        "Authorization": "Bearer " + issue_token(admin, factory.settings.secret_key, -60)
    }
    other_key = "the-secret-key-of-some-other-district"  # 32+ bytes, as real keys are
    headers["forged"] = {"Authorization": "Bearer " + issue_token(admin, other_key, 3600)}

    async def order(elder: dict, by: str, **fields) -> int:
        response = await place(
            factory, order_body(elder_id=elder["elder_id"], **fields), headers=headers[by]
        )
        assert response.status_code == 201, response.text
        return response.json()["order_id"]

    entries = []
    for _ in range(2):
        response = await factory.client.post(
            "/api/v1/timebank/entries",
            headers=headers["volunteer"],
            json={
                "helped_elder_id": linked["elder_id"],
                "service_date": str(service_today(factory.settings.tz)),
                "minutes": 30,
            },
        )
        assert response.status_code == 201, response.text
        entries.append(response.json()["entry_id"])
    today = service_today(factory.settings.tz)
    world = {
        "linked": linked["elder_id"],
        "other": other["elder_id"],
        "spare": spare["elder_id"],
        "order": await order(linked, "operator"),
        "order2": await order(linked, "operator"),
        "delivery": await order(linked, "volunteer", fulfilment="delivery"),
        "other_order": await order(other, "staff_c1"),
        "entry1": entries[0],
        "entry2": entries[1],
        "day": str(day),
        "later": str(later),
        "today": str(today),
        "month": f"{today:%Y-%m}",
        "year": today.year,
        "checklist": [
            i["code"] for i in (await factory.client.get("/api/v1/compliance/checklist")).json()
        ],
        "new_canteen": {
            "code": "C9",
            "name": "新食堂",
            "kind": "meal_point",
            "region": "D-S-C2",
            "size": "small",
            "address": "新路 9 号",
            "license_no": "JY9",
            "license_issued": "2020-01-01",
            "license_expires": "2099-12-31",
            "sunshine_level": "none",
            "capacity": 20,
        },
        "new_elder": {
            "name": "李四",
            "id_number": "110105194001010018",
            "region": "D-S-C1",
            "pin": "135790",
        },
    }
    return world, headers


def api_endpoints(app) -> set[str]:
    """Every "METHOD /path" the app serves under /api/v1, templates without their types."""
    return {
        method + " " + re.sub(r":\w+}", "}", route.path.removeprefix("/api/v1"))
        for route in app.routes
        if isinstance(route, HTTPRoute) and route.path.startswith("/api/v1/")
        for method in route.methods
        if method not in ("OPTIONS", "HEAD")
    }


async def test_every_api_endpoint_is_in_the_matrix(client):
    served = api_endpoints(client.app)
    listed = {row.endpoint for row in MATRIX}
    assert served - listed == set(), "add these endpoints to MATRIX with who may call them"
    assert listed - served == set(), "these MATRIX rows name endpoints the app does not serve"
    assert all(len(row.expected.split()) == len(CALLERS) for row in MATRIX)


async def test_who_may_call_what(client, factory):
    world, headers = await seed_world(factory)
    wrong = []
    for row in MATRIX:
        method, _ = row.endpoint.split(" ", 1)
        path = "/api/v1" + row.path.format(**world)
        body = row.body(world) if callable(row.body) else row.body
        for caller, expected in zip(CALLERS, row.expected.split(), strict=True):
            response = await client.request(
                method,
                path,
                json=body,
                headers=headers[caller] | {"Idempotency-Key": f"matrix-{next(_keys)}"},
            )
            if response.status_code != int(expected):
                wrong.append(
                    f"{row.endpoint} ({row.path}) as {caller}: expected {expected}, "
                    f"got {response.status_code} {response.text[:160]}"
                )
    assert wrong == [], "\n".join(wrong)


async def test_an_elder_card_and_pin_reach_only_that_elder(client, factory):
    """Without a token an elder orders (and previews) with card and PIN, for themselves only:
    naming another elder is refused, and a staff endpoint for a balance needs a token."""
    await factory.canteen("C1")
    await publish_menu(factory, [dish("A", 800)])
    me, someone = await factory.elder(), await factory.elder()
    own = await client.post(
        "/api/v1/orders/preview", json=order_body(card_no=me["card_no"], pin="246810")
    )
    assert own.status_code == 200 and own.json()["elder_id"] == me["elder_id"], own.text
    assert_problem(
        await client.post(
            "/api/v1/orders/preview",
            json=order_body(card_no=me["card_no"], pin="246810", elder_id=someone["elder_id"]),
        ),
        400,
        "elder_id",
    )
    assert_problem(await client.get(f"/api/v1/elders/{me['elder_id']}/balance"), 401)
