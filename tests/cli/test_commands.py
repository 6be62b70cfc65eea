"""`zhucan db upgrade`, `zhucan users add|disable|enable`, `zhucan load`, `zhucan demo` and
`zhucan prune-keys` on both engines."""

import shutil
from collections import Counter
from datetime import timedelta

import zxingcpp
from PIL import Image

from tests.conftest import requires_cjk_font
from zhucan.clock import now_utc
from zhucan.http.tables import IdempotencyRecord
from zhucan.settings import PROJECT_ROOT


async def test_upgrade_creates_the_schema_and_is_repeatable(cli):
    first = cli.run("db", "upgrade")
    assert first.returncode == 0, first.stderr
    again = cli.run("db", "upgrade")
    assert again.returncode == 0, again.stderr
    async with cli.client() as client:
        health = await client.get("/healthz")
        assert health.status_code == 200
        assert (await client.get("/api/v1/regions")).json() == []


async def test_users_add_takes_the_password_from_the_environment(cli):
    result = cli.run("users", "add", "boss", "--role", "admin", password="correct-horse-9")
    assert result.returncode == 0, result.stderr
    assert "boss" in result.stdout
    async with cli.client() as client:
        token = await cli.login(client, "boss", "correct-horse-9")
        assert token["role"] == "admin"
        wrong = await client.post(
            "/api/v1/auth/token", json={"username": "boss", "password": "wrong-horse-9"}
        )
        assert wrong.status_code == 401


async def test_users_disable_locks_out_an_account_and_its_token_until_enabled(cli):
    assert (
        cli.run(
            "users", "add", "vol1", "--role", "volunteer", password="correct-horse-9"
        ).returncode
        == 0
    )
    async with cli.client() as client:
        token = (await cli.login(client, "vol1", "correct-horse-9"))["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        assert (await client.get("/api/v1/orders", headers=headers)).status_code == 200
        disabled = cli.run("users", "disable", "vol1")
        assert disabled.returncode == 0 and "disabled vol1" in disabled.stdout
        refused = await client.get("/api/v1/orders", headers=headers)
        assert refused.status_code == 401 and "该账号已停用" in refused.json()["detail"]
        again = cli.run("users", "disable", "vol1")
        assert again.returncode == 0 and "already disabled" in again.stdout
        assert cli.run("users", "enable", "vol1").returncode == 0
        assert (await client.get("/api/v1/orders", headers=headers)).status_code == 200
    unknown = cli.run("users", "disable", "nobody")
    assert unknown.returncode != 0 and "没有用户名为 nobody 的工作人员账号" in unknown.stderr


async def test_prune_keys_forgets_keys_older_than_the_configured_days(cli):
    assert cli.run("db", "upgrade").returncode == 0
    async with cli.tables():
        for key, age in (("four-days-old", timedelta(days=4)), ("two-days-old", timedelta(days=2))):
            await IdempotencyRecord.insert(
                IdempotencyRecord(
                    endpoint="POST /orders",
                    key=key,
                    fingerprint="f",
                    claim="c",
                    status_code=201,
                    response="{}",
                    created_at=now_utc() - age,
                )
            )
        pruned = cli.run("prune-keys", env={"ZHUCAN_IDEMPOTENCY_KEEP_DAYS": "3"})
        assert pruned.returncode == 0, pruned.stderr
        assert "forgot 1 Idempotency-Keys" in pruned.stdout
        left = await IdempotencyRecord.select(IdempotencyRecord.key)
        assert [row["key"] for row in left] == ["two-days-old"]
    default = cli.run("prune-keys")  # 7 days by default: the two-day-old key stays
    assert default.returncode == 0 and "forgot 0 Idempotency-Keys" in default.stdout


async def test_users_add_refusals_are_explained(cli):
    assert (
        cli.run("users", "add", "boss", "--role", "admin", password="long-enough-1").returncode == 0
    )
    cases = [
        (["users", "add", "boss", "--role", "operator"], "long-enough-2", ["boss", "已存在"]),
        (["users", "add", "shorty", "--role", "operator"], "short", ["password", "8 个字符"]),
        (["users", "add", "cook", "--role", "canteen_staff"], "long-enough-3", ["canteen", "绑定"]),
        (
            ["users", "add", "cook", "--role", "canteen_staff", "--canteen", "NOPE"],
            "long-enough-4",
            ["NOPE"],
        ),
        (
            ["users", "add", "vol", "--role", "volunteer", "--canteen", "NOPE"],
            "long-enough-5",
            ["canteen"],
        ),
        (["users", "add", "x y", "--role", "volunteer"], "long-enough-6", ["username"]),
        (["users", "add", "king", "--role", "king"], "long-enough-7", ["king"]),
    ]
    for args, password, words in cases:
        result = cli.run(*args, password=password)
        assert result.returncode != 0, (args, result.stdout)
        for word in words:
            assert word in result.stderr, (args, result.stderr)


async def test_load_is_idempotent_and_refuses_a_bad_file(cli):
    kitchens = cli.cwd / "kitchens"
    shutil.copytree(PROJECT_ROOT / "kitchens", kitchens)
    first = cli.run("load", str(kitchens))
    assert first.returncode == 0, first.stderr
    assert "canteens: 10" in first.stdout
    second = cli.run("load", str(kitchens))
    assert second.returncode == 0, second.stderr
    assert "0 records changed" in second.stdout, second.stdout

    bad = kitchens / "canteens" / "ZH-CQ-01.toml"
    bad.write_text(
        bad.read_text(encoding="utf-8").replace('size = "large"', 'size = "huge"'), encoding="utf-8"
    )
    refused = cli.run("load", str(kitchens))
    assert refused.returncode == 1
    assert "ZH-CQ-01.toml" in refused.stderr and "字段 size" in refused.stderr, refused.stderr


async def test_demo_builds_a_whole_district_once(cli):
    result = cli.run("demo")
    assert result.returncode == 0, result.stderr
    for account in ("admin", "hotline", "volunteer", "family", "kitchen", "inspector"):
        assert account in result.stdout
    again = cli.run("demo")
    assert again.returncode == 0, again.stderr

    async with cli.client() as client:
        roles = set()
        for username, password in [
            ("admin", "zhucan-admin"),
            ("hotline", "zhucan-hotline"),
            ("volunteer", "zhucan-volunteer"),
            ("family", "zhucan-family"),
            ("kitchen", "zhucan-kitchen"),
            ("inspector", "zhucan-inspector"),
        ]:
            roles.add((await cli.login(client, username, password))["role"])
        assert roles == {"admin", "operator", "volunteer", "family", "canteen_staff", "inspector"}
        admin = (await cli.login(client, "admin", "zhucan-admin"))["headers"]

        levels = Counter(r["level"] for r in (await client.get("/api/v1/regions")).json())
        assert levels["district"] >= 1 and levels["street"] >= 3 and levels["community"] >= 8

        canteens = (await client.get("/api/v1/canteens")).json()
        assert len(canteens) == 10
        assert {c["kind"] for c in canteens} == {
            "elder_canteen",
            "meal_point",
            "central_kitchen",
            "rural_table",
        }
        assert {c["size"] for c in canteens} == {"small", "medium", "large"}

        elders = (await client.get("/api/v1/elders", params={"limit": 500}, headers=admin)).json()
        assert len(elders) == 200  # the second run added none
        assert {c for e in elders for c in e["categories"]} == {
            "tekun",
            "dibao",
            "dibian",
            "disabled",
            "youfu",
            "other",
        }
        assert any(not e["categories"] for e in elders)
        assert {e["age_tier"] for e in elders} == {"age60", "age80", "age90"}
        assert all(e["age"] >= 60 for e in elders)


@requires_cjk_font
async def test_qr_writes_a_scannable_poster_for_every_canteen(cli):
    assert cli.run("load", str(PROJECT_ROOT / "kitchens")).returncode == 0
    out = cli.cwd / "posters"
    result = cli.run(
        "qr", "--out", str(out), env={"ZHUCAN_PUBLIC_URL": "https://meals.yinzhou.example"}
    )
    assert result.returncode == 0, result.stderr
    assert "10/10" in result.stderr  # the progress bar
    files = sorted(out.glob("*.png"))
    assert len(files) == 10
    for path in files[:3]:
        image = Image.open(path)
        assert image.width >= 874 and image.height >= 1240
        assert [b.text for b in zxingcpp.read_barcodes(image)] == [
            f"https://meals.yinzhou.example/c/{path.stem}"
        ]


async def test_qr_needs_to_know_the_public_url(cli):
    result = cli.run("qr", "--out", str(cli.cwd / "posters"))
    assert result.returncode == 2
    assert "--public-url" in result.stderr
