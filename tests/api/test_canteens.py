"""POST/GET/PATCH /canteens and the region filter."""

import pytest

from tests.problems import assert_problem

BODY = {
    "code": "C1",
    "name": "一号老年食堂",
    "kind": "elder_canteen",
    "region": "D-S-C1",
    "size": "medium",
    "address": "测试路 1 号",
    "license_no": "JY1",
    "license_issued": "2020-01-01",
    "license_expires": "2099-12-31",
    "sunshine_level": "video",
    "capacity": 80,
}


async def test_created_canteen_is_listed_publicly_and_not_yet_graded(client, factory):
    await factory.regions()
    created = await factory.post("/canteens", BODY)
    assert {k: created[k] for k in BODY} == BODY
    assert created["active"] is True
    assert created["grade"]["annual"] is None and created["grade"]["dynamic"] is None
    listed = await client.get("/api/v1/canteens")
    assert listed.status_code == 200
    assert [c["code"] for c in listed.json()] == ["C1"]
    one = await client.get("/api/v1/canteens/C1")
    assert one.status_code == 200 and one.json()["name"] == "一号老年食堂"


async def test_unknown_canteen_is_404(client):
    assert_problem(await client.get("/api/v1/canteens/NOPE"), 404, "NOPE")


async def test_region_filter_takes_district_street_or_community(client, factory):
    await factory.regions()
    await factory.post("/regions", {"code": "D-T", "name": "另一街道", "parent": "D"})
    await factory.post("/regions", {"code": "D-T-C3", "name": "三号社区", "parent": "D-T"})
    await factory.post("/regions", {"code": "E", "name": "邻区"})
    await factory.post("/regions", {"code": "E-S", "name": "邻区街道", "parent": "E"})
    await factory.post("/regions", {"code": "E-S-C", "name": "邻区社区", "parent": "E-S"})
    for code, region in [("A1", "D-S-C1"), ("A2", "D-S-C2"), ("B1", "D-T-C3"), ("E1", "E-S-C")]:
        await factory.canteen(code, region=region)

    async def codes(region):
        response = await client.get("/api/v1/canteens", params={"region": region})
        assert response.status_code == 200, response.text
        return [c["code"] for c in response.json()]

    assert await codes("D") == ["A1", "A2", "B1"]
    assert await codes("D-S") == ["A1", "A2"]
    assert await codes("D-S-C2") == ["A2"]
    assert await codes("E") == ["E1"]
    assert await codes("D-T") == ["B1"]
    unknown = await client.get("/api/v1/canteens", params={"region": "D-X"})
    assert_problem(unknown, 400, "region", "D-X")


@pytest.mark.parametrize(
    "change, status, words",
    [
        ({"region": "NOPE"}, 400, ["region", "NOPE"]),
        ({"region": "D-S"}, 400, ["region", "社区/村"]),
        ({"region": "D"}, 400, ["region", "社区/村"]),
        ({"code": "C0"}, 409, ["code", "C0", "已存在"]),
        ({"kind": "restaurant"}, 400, ["kind", "elder_canteen"]),
        ({"size": "huge"}, 400, ["size"]),
        ({"sunshine_level": "bright"}, 400, ["sunshine_level"]),
        ({"capacity": "many"}, 400, ["capacity", "整数"]),
        ({"capacity": -1}, 400, ["capacity", "大于或等于 0"]),
        ({"license_expires": "2019-12-31"}, 400, ["license_expires", "晚于发证日"]),
        ({"license_issued": "2020-02-30"}, 400, ["license_issued", "日期"]),
        ({"code": "C 1"}, 400, ["code", "字母、数字、下划线和连字符"]),
        ({"grade": "A"}, 400, ["grade", "不允许的字段"]),
        ({"name": ""}, 400, ["name", "至少 1 个字符"]),
        ({"name": "   "}, 400, ["name", "至少 1 个字符"]),
        ({"name": "幸福\u202e堂食"}, 400, ["name", "控制字符"]),
    ],
)
async def test_bad_canteen_input_names_field_and_rule(client, factory, change, status, words):
    await factory.canteen("C0")
    response = await client.post(
        "/api/v1/canteens", json=BODY | change, headers=await factory.admin()
    )
    assert_problem(response, status, *words)
    assert [c["code"] for c in (await client.get("/api/v1/canteens")).json()] == ["C0"]


async def test_missing_required_fields_are_all_named(client, factory):
    await factory.regions()
    response = await client.post(
        "/api/v1/canteens", json={"code": "C1"}, headers=await factory.admin()
    )
    body = assert_problem(response, 400, "name", "kind", "region", "size", "缺少必填字段")
    assert {e["field"] for e in body["errors"]} == {"name", "kind", "region", "size"}


async def test_patch_changes_only_the_given_fields(client, factory):
    await factory.canteen("C1")
    await factory.post("/regions", {"code": "D-S-C3", "name": "三号社区", "parent": "D-S"})
    response = await client.patch(
        "/api/v1/canteens/C1",
        headers=await factory.admin(),
        json={
            "name": "长丰老年食堂",
            "sunshine_level": "smart",
            "region": "D-S-C3",
            "capacity": 120,
            "active": False,
            "license_expires": "2030-06-30",
        },
    )
    assert response.status_code == 200, response.text
    after = (await client.get("/api/v1/canteens/C1")).json()
    assert (
        after["name"],
        after["sunshine_level"],
        after["region"],
        after["capacity"],
        after["active"],
        after["license_expires"],
    ) == ("长丰老年食堂", "smart", "D-S-C3", 120, False, "2030-06-30")
    assert (after["kind"], after["size"], after["address"]) == (
        "elder_canteen",
        "medium",
        "测试路 1 号",
    )


@pytest.mark.parametrize(
    "change, status, words",
    [
        ({"region": "D-S"}, 400, ["region", "社区/村"]),
        ({"region": "NOPE"}, 400, ["region", "NOPE"]),
        ({"region": None}, 400, ["region", "不能设为空"]),
        ({"license_expires": "2019-01-01"}, 400, ["license_expires", "晚于发证日"]),
        ({"kind": "bar"}, 400, ["kind"]),
        ({"code": "C2"}, 400, ["code", "不允许的字段"]),
        ({"capacity": 1.5}, 400, ["capacity"]),
        ({"name": " "}, 400, ["name", "至少 1 个字符"]),
    ],
)
async def test_bad_patch_changes_nothing(client, factory, change, status, words):
    before = await factory.canteen("C1")
    response = await client.patch("/api/v1/canteens/C1", json=change, headers=await factory.admin())
    assert_problem(response, status, *words)
    after = (await client.get("/api/v1/canteens/C1")).json()
    assert {k: after[k] for k in BODY if k != "name"} == {k: before[k] for k in BODY if k != "name"}


async def test_patch_of_unknown_canteen_is_404(client, factory):
    await factory.regions()
    response = await client.patch(
        "/api/v1/canteens/NOPE", json={"name": "x"}, headers=await factory.admin()
    )
    assert_problem(response, 404, "NOPE")
