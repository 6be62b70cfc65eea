"""Schemathesis against the OpenAPI document of a real `zhucan serve`: every check it
has, on every operation, anonymous and as an admin, with a fixed seed and a bounded number of
examples. No 5xx, every status, content type, header and body as the document says, invalid
input refused and valid input accepted.

The server runs on this run's SQLite database, seeded with a small district through the factory,
so that generated requests also meet canteens, menus, elders and orders that exist.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.live_server import live_server
from tests.meals import dish, order_body, place, publish_menu, topup
from tests.problems import assert_problem

ST = Path(sys.executable).with_name("st")
CONFIG = Path(__file__).with_name("schemathesis.toml")
SEED = 20261125
# Per operation and mode; about 60 operations, two passes (anonymous, admin): ~30 s here.
MAX_EXAMPLES = 5


async def seed_district(factory) -> dict[str, str]:
    """Two canteens with a menu, an elder with money and an order, staff of every role;
    returns the admin's Authorization header."""
    await factory.canteen("C1")
    await factory.canteen("C2")
    await publish_menu(factory, [dish("A", 800, quota=50), dish("B", 600)])
    elder = await factory.elder()
    await topup(factory, elder["elder_id"], 10000)
    response = await place(factory, order_body(card_no=elder["card_no"], pin="246810"))
    assert response.status_code == 201, response.text
    await factory.inspection("C1", "2026-01-05", failed={"A01": None})
    for role in ("operator", "volunteer", "family", "inspector"):
        await factory.staff(role)
    await factory.staff("canteen_staff", canteen="C1")
    return await factory.admin()


def schemathesis(base_url: str, report_dir: Path, *options: str) -> subprocess.CompletedProcess:
    args = [
        str(ST),
        "--config-file",
        str(CONFIG),
        "run",
        f"{base_url}/schema/openapi.json",
        "--checks",
        "all",
        "--seed",
        str(SEED),
        "--max-examples",
        str(MAX_EXAMPLES),
        "--generation-database",
        "none",
        "--phases",
        "examples,coverage,fuzzing",
        "--no-color",
        # One worker: with two, CPython 3.11 sometimes fails compiling schemathesis's
        # generated code in parallel threads ("AST constructor recursion depth mismatch").
        "--report",
        "junit",
        "--report-dir",
        str(report_dir),
        "--workers",
        "1",
        "--request-timeout",
        "30",
    ]
    args += options
    report_dir.mkdir()
    done = subprocess.run(args, capture_output=True, text=True, timeout=300, cwd=report_dir)
    (report_dir / "schemathesis.txt").write_text(done.stdout + done.stderr)
    return done


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
async def test_the_api_keeps_its_openapi_document(factory, database, tmp_path):
    admin = await seed_district(factory)
    async with live_server(database, tmp_path) as base_url:
        runs = {
            "admin": schemathesis(
                base_url, tmp_path / "admin", "--header", f"Authorization:{admin['Authorization']}"
            ),
            # Without a token only these do more than answer 401: an elder's card and PIN, a login.
            "anonymous": schemathesis(
                base_url,
                tmp_path / "anonymous",
                "--include-operation-id",
                "placeOrder",
                "--include-operation-id",
                "previewOrder",
                "--include-operation-id",
                "issueToken",
            ),
        }
    for name, done in runs.items():
        assert done.returncode == 0, f"schemathesis as {name}:\n{done.stdout[-20000:]}"


# What schemathesis found, kept as plain examples that run on both engines in milliseconds.
@pytest.mark.parametrize(
    "method, path, body, fragment",
    [
        ("GET", "/orders/2147483648", None, "order_id"),  # beyond int4: was a database error
        (
            "POST",
            "/compliance/random-plan",
            {"count": 1, "date": "2026-01-05", "seed": False},
            "seed",
        ),
        ("POST", "/compliance/score-preview", {"date": 0, "results": []}, "date"),  # was 1970-01-01
        ("POST", "/regions", {"code": "X", "name": "某区", "parent": ""}, "parent"),
        (
            "GET",
            "/reports/settlement?month=0000-01",
            None,
            "YYYY-MM",
        ),  # was "year 0 is out of range"
        ("POST", "/elders/1/card/topups", {"amount_fen": True, "source": "charity"}, "amount_fen"),
    ],
)
async def test_found_by_schemathesis_is_a_clear_400(client, factory, method, path, body, fragment):
    response = await client.request(
        method,
        f"/api/v1{path}",
        json=body,
        headers=await factory.admin() | {"Idempotency-Key": "k1"},
    )
    assert_problem(response, 400, fragment)


async def test_the_document_says_what_is_enforced(client):
    doc = (await client.get("/schema/openapi.json")).json()
    assert doc["components"]["schemas"]["OrderIn"]["additionalProperties"] is False
    [key] = [
        p
        for p in doc["paths"]["/api/v1/orders"]["post"]["parameters"]
        if p["name"] == "Idempotency-Key"
    ]
    assert key["required"] and key["schema"]["maxLength"] == 255
    assert {"423", "429"} <= set(doc["paths"]["/api/v1/orders"]["post"]["responses"])
    options = await client.options("/api/v1/canteens")
    assert options.headers["allow"] == "GET, OPTIONS, POST"
