"""Menus: PUT/GET per canteen, date and slot; weekly menu files loaded by `zhucan load menus/`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.meals import card_order, dish, publish_menu, tomorrow
from zhucan.data_files import DataFileError, load_paths, read_toml, validate
from zhucan.menus.rules import WEEKDAYS, template_dates
from zhucan.menus.schemas import WeekMenuFile
from zhucan.menus.service import load_file
from zhucan.settings import PROJECT_ROOT


async def test_put_then_get_shows_what_remains(factory):
    await factory.canteen("C1")
    stored = await publish_menu(
        factory, [dish("A", 1200, quota=10, tags=["soft"], allergens=[" 花生 "]), dish("B", 500)]
    )
    assert stored["items"][0] == {
        "dish_id": "A",
        "name": "菜品A",
        "price_fen": 1200,
        "quota": 10,
        "tags": ["soft"],
        "allergens": ["花生"],
        "remaining": 10,
    }
    elder = await factory.elder()
    assert (await card_order(factory, elder, items=[("A", 3)])).status_code == 201
    menu = await factory.client.get(f"/api/v1/canteens/C1/menus/{tomorrow()}/lunch")
    assert menu.status_code == 200
    assert [(i["dish_id"], i["remaining"]) for i in menu.json()["items"]] == [("A", 7), ("B", None)]


async def test_menu_changes_cannot_undercut_what_was_sold(factory):
    await factory.canteen("C1")
    await publish_menu(factory, [dish("A", quota=10), dish("B")])
    elder = await factory.elder()
    await card_order(factory, elder, items=[("A", 3)])
    url = f"/api/v1/canteens/C1/menus/{tomorrow()}/lunch"
    admin = await factory.admin()
    low = await factory.client.put(
        url, json={"items": [dish("A", quota=2), dish("B")]}, headers=admin
    )
    assert low.status_code == 409 and "不能小于 3" in low.json()["detail"]
    gone = await factory.client.put(url, json={"items": [dish("B")]}, headers=admin)
    assert gone.status_code == 409 and "已售出 3 份" in gone.json()["detail"]
    ok = await factory.client.put(url, json={"items": [dish("A", 1500, quota=3)]}, headers=admin)
    assert ok.status_code == 200 and ok.json()["items"][0]["remaining"] == 0


async def test_who_may_publish(factory):
    await factory.canteen("C1")
    await factory.canteen("C2")
    url = f"/api/v1/canteens/C1/menus/{tomorrow()}/lunch"
    body = {"items": [dish("A")]}
    assert (await factory.client.put(url, json=body)).status_code == 401
    own = await factory.client.put(
        url, json=body, headers=await factory.headers("canteen_staff", canteen="C1")
    )
    assert own.status_code == 200
    other = await factory.client.put(
        url, json=body, headers=await factory.headers("canteen_staff", canteen="C2")
    )
    assert other.status_code == 403 and "C2" in other.json()["detail"]
    assert (
        await factory.client.put(url, json=body, headers=await factory.headers("operator"))
    ).status_code == 403


async def test_bad_menus_are_400_naming_the_field(factory):
    await factory.canteen("C1")
    url = f"/api/v1/canteens/C1/menus/{tomorrow()}/lunch"
    admin = await factory.admin()
    tag = await factory.client.put(url, json={"items": [dish("A", tags=["spicy"])]}, headers=admin)
    assert tag.status_code == 400 and "tags" in tag.json()["detail"]
    twice = await factory.client.put(url, json={"items": [dish("A"), dish("A")]}, headers=admin)
    assert twice.status_code == 400 and "重复" in twice.json()["detail"]
    price = await factory.client.put(url, json={"items": [dish("A", -1)]}, headers=admin)
    assert price.status_code == 400 and "price_fen" in price.json()["detail"]
    slot = await factory.client.put(
        f"/api/v1/canteens/C1/menus/{tomorrow()}/supper", json={"items": []}, headers=admin
    )
    assert slot.status_code == 400 and "slot" in slot.json()["detail"]
    assert (
        await factory.client.put(
            f"/api/v1/canteens/NOPE/menus/{tomorrow()}/lunch", json={"items": []}, headers=admin
        )
    ).status_code == 404
    unpublished = await factory.client.get(f"/api/v1/canteens/C1/menus/{tomorrow()}/dinner")
    assert unpublished.status_code == 404 and "尚未发布" in unpublished.json()["detail"]


WEEK_FILE = """
canteen = "C1"

[dishes]
rice = { name = "米饭套餐", price_fen = 1000, quota = 50, tags = ["set_meal"] }
porridge = { name = "白粥", price_fen = 200, tags = ["soft", "low_salt"] }

[week.mon]
lunch = ["rice", "porridge"]

[week.thu]
breakfast = ["porridge"]
lunch = ["rice"]
"""


def _write(tmp_path: Path, text: str, name: str = "C1.toml") -> Path:
    folder = tmp_path / "menus"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


async def test_weekly_file_expands_to_dates_and_reloads_idempotently(factory, tmp_path):
    await factory.canteen("C1")
    path = _write(tmp_path, WEEK_FILE)
    on = tomorrow()
    days = template_dates(on)
    mondays = [d for d in days if d.weekday() == 0]
    thursdays = [d for d in days if d.weekday() == 3]
    assert await load_file(path, on=on) == len(mondays) + 2 * len(thursdays)
    assert await load_file(path, on=on) == 0
    menu = await factory.client.get(f"/api/v1/canteens/C1/menus/{mondays[0]}/lunch")
    assert [i["dish_id"] for i in menu.json()["items"]] == ["rice", "porridge"]
    assert menu.json()["items"][0]["quota"] == 50
    report = await load_paths([path.parent])  # what `zhucan load menus/` does
    assert report.files == 1 and set(report.by_kind) == {"menus"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (WEEK_FILE.replace('"rice", "porridge"', '"rice", "soup"'), "week.mon.lunch[1]"),
        (WEEK_FILE.replace("price_fen = 200", "price_fen = -5"), "dishes.porridge.price_fen"),
        (WEEK_FILE.replace('canteen = "C1"', 'canteen = "C9"'), "canteen"),
        (WEEK_FILE.replace("[week.thu]", "[week.funday]"), "week.funday"),
    ],
)
async def test_bad_menu_files_name_file_and_field(factory, tmp_path, text, message):
    await factory.canteen("C1")
    path = _write(tmp_path, text)
    with pytest.raises(DataFileError) as caught:
        await load_paths([path])
    assert str(path) in str(caught.value) and message in str(caught.value)


async def test_reload_refuses_to_drop_a_dish_that_was_ordered(factory, tmp_path):
    await factory.canteen("C1")
    day = tomorrow()
    template = (
        'canteen = "C1"\n[dishes]\nrice = { name = "米饭套餐", price_fen = 1000 }\n'
        'porridge = { name = "白粥", price_fen = 200 }\n'
        f"[week.{WEEKDAYS[day.weekday()]}]\n"
    )
    path = _write(tmp_path, template + 'lunch = ["rice"]\n')
    await load_file(path, on=day)
    elder = await factory.elder()
    assert (await card_order(factory, elder, items=[("rice", 1)])).status_code == 201
    path.write_text(template + 'lunch = ["porridge"]\n', encoding="utf-8")
    with pytest.raises(DataFileError) as caught:
        await load_file(path, on=day)
    assert "rice" in str(caught.value) and "已售出 1 份" in str(caught.value)


def test_shipped_menu_files_are_valid_and_name_their_canteen():
    files = sorted((PROJECT_ROOT / "menus").glob("*.toml"))
    canteens = {p.stem for p in (PROJECT_ROOT / "kitchens" / "canteens").glob("*.toml")}
    assert {p.stem for p in files} == canteens
    for path in files:
        doc = validate(path, WeekMenuFile, read_toml(path))
        assert doc.canteen == path.stem
        assert doc.week, path
