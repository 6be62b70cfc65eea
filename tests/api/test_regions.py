"""POST/GET /regions: the 区 → 街道/镇 → 社区/村 tree."""

import re

import pytest

from tests.problems import assert_problem


async def test_levels_follow_depth_and_the_list_is_parents_first(client, factory):
    await factory.regions()
    response = await client.get("/api/v1/regions")
    assert response.status_code == 200
    assert [(r["code"], r["level"], r["parent"]) for r in response.json()] == [
        ("D", "district", None),
        ("D-S", "street", "D"),
        ("D-S-C1", "community", "D-S"),
        ("D-S-C2", "community", "D-S"),
    ]
    one = await client.get("/api/v1/regions/D-S-C2")
    assert one.json() == {
        "code": "D-S-C2",
        "name": "二号社区",
        "parent": "D-S",
        "level": "community",
        "depth": 2,
    }


async def test_created_region_is_returned_with_its_level(client, factory):
    await factory.regions()
    created = await factory.post("/regions", {"code": "D-T", "name": "测试镇", "parent": "D"})
    assert created == {
        "code": "D-T",
        "name": "测试镇",
        "parent": "D",
        "level": "street",
        "depth": 1,
    }


async def test_unknown_region_is_404(client):
    assert_problem(await client.get("/api/v1/regions/NOPE"), 404, "NOPE")


@pytest.mark.parametrize(
    "body, status, words",
    [
        ({"code": "X", "name": "某社区", "parent": "NOPE"}, 400, ["parent", "NOPE"]),
        ({"code": "X", "name": "楼栋", "parent": "D-S-C1"}, 400, ["parent", "社区/村之下"]),
        ({"code": "D-S", "name": "重复街道", "parent": "D"}, 409, ["code", "D-S", "已存在"]),
        ({"code": "有空 格", "name": "坏代码"}, 400, ["code", "字母、数字、下划线和连字符"]),
        ({"code": "", "name": "空代码"}, 400, ["code", "至少 1 个字符"]),
        ({"code": "X"}, 400, ["name", "缺少必填字段"]),
        ({"code": "X", "name": 5}, 400, ["name", "必须是字符串"]),
        ({"code": "X", "name": "区", "level": "district"}, 400, ["level", "不允许的字段"]),
        ({"code": "X", "name": "  "}, 400, ["name", "至少 1 个字符"]),
    ],
)
async def test_bad_region_input_names_field_and_rule(client, factory, body, status, words):
    await factory.regions()
    response = await client.post("/api/v1/regions", json=body, headers=await factory.admin())
    assert_problem(response, status, *words)
    codes = [r["code"] for r in (await client.get("/api/v1/regions")).json()]
    assert codes == ["D", "D-S", "D-S-C1", "D-S-C2"]


@pytest.mark.parametrize(
    "content",
    [
        b'{"code": "X",',
        b"not json",
        b"[1, 2]",
        b"",
        '{"code": "X", "name": "东区"}'.encode("gbk"),  # not UTF-8
        b"[" * 100_000,  # nested deeper than any parser should follow
    ],
)
async def test_malformed_json_is_400_in_chinese(client, factory, content):
    response = await client.post(
        "/api/v1/regions",
        content=content,
        headers=(await factory.admin()) | {"content-type": "application/json"},
    )
    body = assert_problem(response, 400)
    assert "JSON" in body["detail"]
    assert not re.search(r"[a-z]{4,}", body["detail"]), body["detail"]  # no parser English


async def test_anyone_may_list_regions(client, factory):
    await factory.regions()
    assert (await client.get("/api/v1/regions")).status_code == 200
    response = await client.get("/api/v1/regions", headers=await factory.headers("volunteer"))
    assert response.status_code == 200


async def test_wrong_query_types_and_oversized_bodies_are_explained_in_chinese(client, factory):
    admin = await factory.admin()
    assert_problem(
        await client.get("/api/v1/compliance/summary?year=abc", headers=admin),
        400,
        "year",
        "必须是整数",
    )
    # Named as sent, not as the handler's argument is called (meal_date, idempotency_key).
    operator = await factory.headers("operator")
    bad_date = assert_problem(
        await client.get("/api/v1/orders?date=2026-13-01", headers=operator), 400, "date："
    )
    assert "meal_date" not in bad_date["detail"]
    bad_key = assert_problem(
        await client.post(
            "/api/v1/orders/1/cancel", headers=admin | {"Idempotency-Key": "钥匙".encode()}
        ),
        400,
        "Idempotency-Key：",
        "ASCII",
    )
    assert "idempotency_key" not in bad_key["detail"]
    await factory.canteen("C1")
    cook = await factory.headers("canteen_staff", canteen="C1")
    assert_problem(
        await client.get("/api/v1/canteens/C1/kitchen?slot=brunch", headers=cook),
        400,
        "slot：",
        "brunch",
        "可选：breakfast、lunch、dinner",
    )
    assert_problem(
        await client.get("/api/v1/compliance/summary?as_of=9999-12-31", headers=admin),
        400,
        "日期过早、过晚",
    )
    too_big = await client.post(
        "/api/v1/regions",
        content=b"[" + b" " * 11_000_000 + b"]",
        headers=admin | {"content-type": "application/json"},
    )
    assert_problem(too_big, 413, "请求体过大")
