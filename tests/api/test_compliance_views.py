"""The compliance summary, the due list, 双随机 plans, the LIVES export and the scheme's data files."""

import csv
import shutil
from datetime import timedelta

import pytest

from zhucan.canteens.tables import Canteen
from zhucan.clock import now_utc, today
from zhucan.compliance.demo_history import load_history
from zhucan.compliance.lives import export_lives
from zhucan.compliance.tables import SunshineChange
from zhucan.data_files import DataFileError, load_paths
from zhucan.settings import PROJECT_ROOT, Settings

API = "/api/v1"
TODAY = today(Settings().tz)  # the service's today, which is not the machine's near midnight
FAR = "2099-12-31"

# Failed items (all minor) giving a score of 100 minus their points.
SCORE_93 = {"C03": None, "A02": None}
SCORE_80 = {"C03": None, "D01": None, "F03": None, "A02": None, "B02": None, "A03": None}
SCORE_65 = SCORE_80 | {"B03": None, "C01": None, "C02": None, "D02": None, "E03": None}
SCORE_50 = SCORE_65 | {"E04": None, "F01": None, "F04": None, "G02": None, "J01": None}


def ago(days: int) -> str:
    return (TODAY - timedelta(days=days)).isoformat()


async def small_district(factory) -> None:
    """Five active canteens, one of each annual grade, and an inactive one."""
    await factory.canteen("C1", size="medium", sunshine_level="video", insurance_expires=FAR)
    await factory.canteen("C2", size="small", sunshine_level="smart", insurance_expires=FAR)
    await factory.canteen("C3", size="large", sunshine_level="transparent", insurance_expires=FAR)
    await factory.canteen(
        "C4", size="small", sunshine_level="none", insurance_expires=FAR, license_expires=ago(1)
    )
    await factory.canteen("C5", size="medium", sunshine_level="smart", insurance_expires=ago(-10))
    await factory.canteen(
        "C6", size="small", sunshine_level="video", insurance_expires=FAR, active=False
    )
    for code, failed in (
        ("C1", SCORE_93),
        ("C2", SCORE_80),
        ("C3", SCORE_65),
        ("C4", SCORE_50),
        ("C6", {}),
    ):
        await factory.inspection(code, ago(30), failed=failed)


async def test_summary_of_a_hand_computed_district(factory):
    await small_district(factory)
    response = await factory.client.get(
        f"{API}/compliance/summary", headers=await factory.headers("inspector")
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["year"], body["as_of"], body["canteens"]) == (TODAY.year, TODAY.isoformat(), 5)
    assert body["grades"] == {"A": 1, "B": 1, "C": 1, "rectifying": 1, "ungraded": 1}
    assert body["ab_ratio"] == 0.5  # (1 + 1) / (1 + 1 + 1 + 1); the ungraded C5 is left out
    assert body["sunshine_ratio"] == 0.6  # C1 video, C2 and C5 smart, of 5
    assert body["smart_sunshine_large_medium_ratio"] == 0.3333  # C5 of C1, C3, C5
    assert body["licence_valid_ratio"] == 0.8  # C4's licence expired yesterday
    assert body["c_canteens"] == ["C3", "C4"]
    attention = {c["code"]: c for c in body["c_and_rectifying"]}
    assert attention["C3"]["annual_grade"] == "C"
    assert attention["C4"]["annual_grade"] == "rectifying"
    assert len(attention["C3"]["open_findings"]) == len(SCORE_65)
    assert len(attention["C4"]["open_findings"]) == len(SCORE_50)
    assert {(e["code"], e["document"], e["days_left"]) for e in body["expiring"]} == {
        ("C4", "licence", -1),
        ("C5", "insurance", 10),
    }
    if TODAY.year == 2026:
        assert body["targets"] == {"ab_ratio": 0.9, "sunshine_ratio": 0.9}
        assert body["targets_met"] == {"ab_ratio": False, "sunshine_ratio": False}
    assert body["on_track"] is False


async def test_summary_for_a_year_uses_that_years_targets(factory):
    await small_district(factory)
    headers = await factory.admin()
    body = (
        await factory.client.get(
            f"{API}/compliance/summary",
            headers=headers,
            params={"year": 2027, "as_of": TODAY.isoformat()},
        )
    ).json()
    assert body["targets"] == {"max_c_or_rectifying": 0, "smart_sunshine_large_medium_ratio": 1.0}
    assert body["targets_met"] == {
        "max_c_or_rectifying": False,
        "smart_sunshine_large_medium_ratio": False,
    }
    old = (
        await factory.client.get(
            f"{API}/compliance/summary", headers=headers, params={"year": 2019}
        )
    ).json()
    assert old["as_of"] == "2019-12-31"
    assert old["grades"]["ungraded"] == 5
    assert (old["targets_year"], old["targets"], old["on_track"]) == (None, {}, True)


async def test_summary_is_for_admins_and_inspectors(factory):
    response = await factory.client.get(
        f"{API}/compliance/summary", headers=await factory.headers("volunteer")
    )
    assert response.status_code == 403
    bad = await factory.client.get(
        f"{API}/compliance/summary", headers=await factory.admin(), params={"year": "next"}
    )
    assert bad.status_code == 400 and "year" in bad.json()["detail"]


async def test_due_list(factory):
    await factory.canteen("D1", license_issued=ago(200))  # never inspected: due 120 days on
    await factory.canteen("D2", license_issued=ago(100))
    await factory.canteen("D3")
    await factory.inspection("D3", ago(400))  # A → due 365 days later
    await factory.canteen("D4")
    await factory.inspection("D4", ago(100), failed=SCORE_80)  # B → 182
    await factory.canteen("D5")
    await factory.inspection("D5", ago(130), failed=SCORE_65)  # C → 121
    await factory.canteen("D6", license_issued=ago(300), active=False)
    headers = await factory.headers("inspector")
    response = await factory.client.get(f"{API}/compliance/due", headers=headers)
    assert response.status_code == 200, response.text
    assert [(e["code"], e["due"], e["days_overdue"], e["status"]) for e in response.json()] == [
        ("D1", ago(80), 80, "overdue"),
        ("D3", ago(35), 35, "overdue"),
        ("D5", ago(9), 9, "overdue"),
    ]
    later = (
        await factory.client.get(
            f"{API}/compliance/due", headers=headers, params={"as_of": ago(-82)}
        )
    ).json()
    d4 = next(e for e in later if e["code"] == "D4")
    assert (d4["status"], d4["days_overdue"], d4["annual_grade"]) == ("due", 0, "B")
    assert d4["open_findings"] == len(SCORE_80)
    refused = await factory.client.get(
        f"{API}/compliance/due", headers=await factory.headers("operator")
    )
    assert refused.status_code == 403


async def test_random_plan_is_reproducible_and_public(factory):
    for code in ("K1", "K2", "K3", "K4"):
        await factory.canteen(code)
    await factory.inspection("K1", ago(10))  # by insp-a and insp-b
    for username in ("insp-c", "insp-d"):
        await factory.staff("inspector", username=username)
    admin = await factory.admin()
    request = {"count": 4, "seed": 20261125, "date": TODAY.isoformat()}
    first = await factory.client.post(f"{API}/compliance/random-plan", json=request, headers=admin)
    assert first.status_code == 201, first.text
    plan = first.json()["assignments"]
    assert sorted(a["canteen"] for a in plan) == ["K1", "K2", "K3", "K4"]
    k1 = next(a for a in plan if a["canteen"] == "K1")
    assert sorted(k1["inspectors"]) == ["insp-c", "insp-d"]  # who inspected K1 last stays away
    again = await factory.client.post(f"{API}/compliance/random-plan", json=request, headers=admin)
    assert again.json()["assignments"] == plan
    others = [
        (
            await factory.client.post(
                f"{API}/compliance/random-plan", headers=admin, json=request | {"seed": s}
            )
        ).json()["assignments"]
        for s in (1, 2, 3)
    ]
    assert any(o != plan for o in others)
    public = await factory.client.get(f"{API}/compliance/random-plans")
    assert public.status_code == 200
    assert [p["seed"] for p in public.json()] == [3, 2, 1, 20261125, 20261125]
    too_many = await factory.client.post(
        f"{API}/compliance/random-plan", headers=admin, json=request | {"count": 5}
    )
    assert too_many.status_code == 400 and too_many.json()["detail"].startswith("count：")
    inspector = await factory.client.post(
        f"{API}/compliance/random-plan", json=request, headers=await factory.headers("inspector")
    )
    assert inspector.status_code == 403


async def test_lives_export(factory, tmp_path):
    await factory.canteen("C1", address="测试路 1 号")
    await factory.inspection("C1", ago(40), failed={"A01": None, "C03": None}, notes="后厨积水")
    await factory.inspection("C1", ago(20), kind="reinspection")
    counts = await export_lives(tmp_path, TODAY)
    assert counts == {
        "businesses.csv": 1,
        "inspections.csv": 2,
        "violations.csv": 2,
        "feed_info.csv": 1,
        "legend.csv": 4,
    }

    def rows(name: str) -> list[dict]:
        with (tmp_path / name).open(encoding="utf-8") as f:
            return list(csv.DictReader(f))

    assert rows("businesses.csv")[0] | {"name": ""} == {
        "business_id": "C1",
        "name": "",
        "address": "测试路 1 号",
        "city": "测试区",
        "state": "",
        "postal_code": "",
        "latitude": "",
        "longitude": "",
        "phone_number": "",
    }
    day = (TODAY - timedelta(days=40)).strftime("%Y%m%d")
    assert [(r["score"], r["date"], r["type"]) for r in rows("inspections.csv")] == [
        ("91.0", day, "initial"),
        ("100.0", (TODAY - timedelta(days=20)).strftime("%Y%m%d"), "followup"),
    ]
    assert "后厨积水" in rows("inspections.csv")[0]["description"]
    violations = rows("violations.csv")
    assert [(v["business_id"], v["date"], v["code"]) for v in violations] == [
        ("C1", day, "A01"),
        ("C1", day, "C03"),
    ]
    assert violations[0]["description"].startswith("【关键项】")
    legend = rows("legend.csv")
    assert [(r["minimum_score"], r["maximum_score"]) for r in legend] == [
        ("90", "100"),
        ("75", "89.9"),
        ("60", "74.9"),
        ("0", "59.9"),
    ]
    assert rows("feed_info.csv")[0]["municipality_name"] == "测试区"


async def test_scheme_files_load_once_and_are_validated(db, tmp_path):
    kitchens = tmp_path / "kitchens"
    shutil.copytree(PROJECT_ROOT / "kitchens", kitchens)
    report = await load_paths([kitchens])
    assert report.by_kind["checklist"] == 1 and report.by_kind["targets"] == 1
    again = await load_paths([kitchens])
    assert again.by_kind.get("checklist", 0) == 0 and again.by_kind.get("targets", 0) == 0
    # a canteen's level as loaded is the first entry of its sunshine history
    assert await SunshineChange.count() == len(list((kitchens / "canteens").glob("*.toml")))

    checklist = kitchens / "checklist.toml"
    text = checklist.read_text(encoding="utf-8")
    checklist.write_text(
        text.replace("points = 5\nkey = true", "points = 4\nkey = true", 1), encoding="utf-8"
    )
    with pytest.raises(DataFileError) as error:
        await load_paths([checklist])
    assert str(error.value) == f"{checklist}: 字段 item.points：各项分值合计须为 100，实际为 99"

    checklist.write_text(text.replace('category = "J"', 'category = "Z"', 1), encoding="utf-8")
    with pytest.raises(
        DataFileError, match=r"checklist.toml: 字段 item.28.category：未知的检查类别 Z"
    ):
        await load_paths([checklist])

    targets = kitchens / "targets.toml"
    targets.write_text("[compliance.2024]\nab_ratio = 1.7\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"targets.toml: 字段 compliance.2024.ab_ratio"):
        await load_paths([targets])


async def test_demo_history_shows_the_road_to_no_grade_c(factory):
    await load_paths([PROJECT_ROOT / "kitchens"])
    inspectors = [i.username for i in await factory.inspectors()]
    filed = await load_history(TODAY, inspectors)
    assert filed > 30
    assert await load_history(TODAY, inspectors) == 0  # a second demo run adds nothing
    headers = await factory.admin()
    three_years_ago = (
        await factory.client.get(
            f"{API}/compliance/summary", headers=headers, params={"as_of": ago(2 * 365)}
        )
    ).json()
    now = (await factory.client.get(f"{API}/compliance/summary", headers=headers)).json()
    assert three_years_ago["grades"]["C"] + three_years_ago["grades"]["rectifying"] > 0
    assert now["grades"]["C"] + now["grades"]["rectifying"] == 0
    assert now["ab_ratio"] > three_years_ago["ab_ratio"]


async def test_sunshine_ratio_as_of_a_past_day_uses_the_level_then(factory):
    await factory.canteen("S1", size="large", sunshine_level="smart")
    canteen_id = (await Canteen.select(Canteen.id).where(Canteen.code == "S1").first())["id"]
    await SunshineChange.insert(
        SunshineChange(
            canteen=canteen_id, level="transparent", changed_at=now_utc() - timedelta(days=400)
        )
    ).run()
    headers = await factory.admin()

    async def ratios(as_of: str) -> tuple:
        body = (
            await factory.client.get(
                f"{API}/compliance/summary", headers=headers, params={"as_of": as_of}
            )
        ).json()
        return body["sunshine_ratio"], body["smart_sunshine_large_medium_ratio"]

    assert await ratios(ago(200)) == (0.0, 0.0)  # glass kitchen only, 200 days ago
    assert await ratios(ago(0)) == (1.0, 1.0)
