"""`load_paths` on kitchens/: idempotent, updates what changed, refuses bad files by file and field."""

import shutil
from pathlib import Path

import pytest

from zhucan.canteens.service import find as find_canteen
from zhucan.canteens.tables import Canteen
from zhucan.data_files import DataFileError, load_paths
from zhucan.regions.tables import Region
from zhucan.settings import PROJECT_ROOT

REGIONS = """
[[region]]
code = "D"
name = "测试区"

[[region]]
code = "D-S"
name = "测试街道"
parent = "D"

[[region]]
code = "D-S-C1"
name = "一号社区"
parent = "D-S"
"""

CANTEEN = """
code = "K1"
name = "一号食堂"
kind = "meal_point"
region = "D-S-C1"
size = "small"
license_issued = 2022-01-01
license_expires = 2030-01-01
sunshine_level = "transparent"
capacity = 40
"""


@pytest.fixture
def kitchens(tmp_path) -> Path:
    root = tmp_path / "kitchens"
    (root / "canteens").mkdir(parents=True)
    (root / "regions.toml").write_text(REGIONS, encoding="utf-8")
    (root / "canteens" / "K1.toml").write_text(CANTEEN, encoding="utf-8")
    return root


async def test_the_demo_kitchens_load_once_and_a_second_load_changes_nothing(db, tmp_path):
    root = tmp_path / "kitchens"
    shutil.copytree(PROJECT_ROOT / "kitchens", root)
    first = await load_paths([root])
    assert first.by_kind["regions"] >= 11 and first.by_kind["canteens"] == 10
    assert await Canteen.count() == 10
    second = await load_paths([root])
    assert second.files == first.files
    assert second.changed == 0, second.by_kind


async def test_a_changed_file_updates_only_that_canteen(db, kitchens):
    (kitchens / "canteens" / "K2.toml").write_text(
        CANTEEN.replace('"K1"', '"K2"').replace("一号食堂", "二号食堂"), encoding="utf-8"
    )
    await load_paths([kitchens])
    (kitchens / "canteens" / "K1.toml").write_text(
        CANTEEN.replace("一号食堂", "一号长者食堂").replace('"transparent"', '"video"'),
        encoding="utf-8",
    )
    report = await load_paths([kitchens])
    assert report.changed == 1 and report.by_kind["canteens"] == 1
    k1 = await find_canteen("K1")
    assert (k1["name"], k1["sunshine_level"]) == ("一号长者食堂", "video")
    assert (await find_canteen("K2"))["name"] == "二号食堂"


async def test_a_renamed_region_is_updated(db, kitchens):
    await load_paths([kitchens])
    (kitchens / "regions.toml").write_text(
        REGIONS.replace("一号社区", "第一社区"), encoding="utf-8"
    )
    report = await load_paths([kitchens])
    assert report.changed == 1
    row = await Region.select(Region.name).where(Region.code == "D-S-C1").first()
    assert row["name"] == "第一社区"


@pytest.mark.parametrize(
    "text, words",
    [
        (CANTEEN.replace('kind = "meal_point"', 'kind = "meal_point'), ["不是有效的 TOML"]),
        (CANTEEN.replace('name = "一号食堂"\n', ""), ["字段 name", "缺少必填字段"]),
        (CANTEEN.replace('"meal_point"', '"restaurant"'), ["字段 kind", "meal_point"]),
        (CANTEEN.replace("capacity = 40", 'capacity = "forty"'), ["字段 capacity", "整数"]),
        (CANTEEN.replace('code = "K1"', 'code = "K9"'), ["字段 code", "文件名", "K9"]),
        (CANTEEN.replace('"D-S-C1"', '"D-X-C9"'), ["region", "D-X-C9"]),
        (CANTEEN.replace('"D-S-C1"', '"D-S"'), ["region", "社区/村"]),
        (CANTEEN + 'grade = "A"\n', ["字段 grade", "不允许的字段"]),
        (CANTEEN.replace("2030-01-01", "2021-01-01"), ["license_expires", "晚于发证日"]),
    ],
)
async def test_a_bad_canteen_file_is_refused_naming_file_and_field(db, kitchens, text, words):
    path = kitchens / "canteens" / "K1.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataFileError) as refused:
        await load_paths([kitchens])
    message = str(refused.value)
    assert str(path) in message
    for word in words:
        assert word in message, message
    assert await Canteen.count() == 0


async def test_a_bad_region_file_is_refused_naming_the_entry(db, kitchens):
    (kitchens / "regions.toml").write_text(
        REGIONS.replace('name = "测试街道"\n', ""), encoding="utf-8"
    )
    with pytest.raises(DataFileError, match=r"regions\.toml: 字段 region\.1\.name"):
        await load_paths([kitchens])


async def test_a_missing_path_is_refused(db, tmp_path):
    with pytest.raises(DataFileError, match="不存在"):
        await load_paths([tmp_path / "nowhere"])


async def test_a_refused_load_stores_nothing_from_that_load(db, kitchens):
    (kitchens / "canteens" / "K2.toml").write_text(
        CANTEEN.replace('"K1"', '"K2"').replace('"meal_point"', '"restaurant"'), encoding="utf-8"
    )
    with pytest.raises(DataFileError, match="K2.toml"):
        await load_paths([kitchens])
    assert await Region.count() == 0
    assert await Canteen.count() == 0
