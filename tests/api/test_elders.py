"""POST /elders, GET /elders/{id} (masking and access) and POST /elders/{id}/links."""

from datetime import date

import pytest

from tests.factories import id_number_for_age
from tests.problems import assert_problem
from zhucan.clock import today as service_today
from zhucan.people.rules import id_check_char, is_valid_card_no


def id_number_born(birth: date | str, serial: int = 7) -> str:
    """A number with a correct check digit; `birth` may be an impossible "YYYYMMDD"."""
    birth = birth if isinstance(birth, str) else f"{birth:%Y%m%d}"
    body = f"330212{birth}{serial:03d}"
    return body + id_check_char(body)


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return date(day.year - years, 3, 1)


async def test_registering_an_elder_issues_a_card_and_shows_only_masked_data(client, factory):
    await factory.regions()
    id_number = id_number_born(date(1938, 3, 4), 12)
    response = await client.post(
        "/api/v1/elders",
        headers=await factory.admin(),
        json={
            "name": "张三明",
            "id_number": id_number,
            "phone": "13812345678",
            "region": "D-S-C1",
            "categories": ["dibao", "disabled"],
            "pin": "246810",
            "lives_alone": True,
            "diet": ["soft", "low_salt"],
            "proxy_consent": True,
            "address": "测试路 2 号 301 室",
        },
    )
    assert response.status_code == 201, response.text
    elder = response.json()
    assert len(elder["card_no"]) == 12 and is_valid_card_no(elder["card_no"])
    assert elder["name"] == "张*明"
    assert elder["phone"] == "138****5678"
    assert elder["id_number"] == "*" * 14 + id_number[-4:]
    assert elder["categories"] == ["dibao", "disabled"]
    assert elder["diet"] == ["low_salt", "soft"]
    assert elder["region"] == "D-S-C1" and elder["lives_alone"] is True
    today = service_today(factory.settings.tz)
    assert elder["age"] == today.year - 1938 - (today < date(today.year, 3, 4))
    assert elder["age_tier"] == "age80"
    for secret in (id_number, id_number[:14], "13812345678", "1381234", "246810", "张三明"):
        assert secret not in response.text
    shown = await client.get(f"/api/v1/elders/{elder['elder_id']}", headers=await factory.admin())
    assert shown.status_code == 200
    assert shown.json() == elder
    for secret in (id_number, id_number[:14], "13812345678", "246810", "张三明"):
        assert secret not in shown.text


@pytest.mark.parametrize("years, tier", [(60, "age60"), (80, "age80"), (90, "age90")])
async def test_age_tier_starts_on_the_birthday(client, factory, years, tier):
    today = service_today(factory.settings.tz)  # Asia/Shanghai: may be ahead of the machine
    elder = await factory.elder(id_number=id_number_born(years_before(today, years)))
    assert (elder["age"], elder["age_tier"]) == (years, tier)


async def test_sixtieth_birthday_tomorrow_is_refused(client, factory):
    today = service_today(factory.settings.tz)
    birth = years_before(today, 60)
    tomorrow_birth = date.fromordinal(birth.toordinal() + 1)
    await factory.regions()
    response = await client.post(
        "/api/v1/elders",
        headers=await factory.admin(),
        json={
            "name": "王五",
            "id_number": id_number_born(tomorrow_birth),
            "region": "D-S-C1",
            "pin": "123456",
        },
    )
    assert_problem(response, 400, "id_number", "年满 60 周岁")


def _with_bad_check_digit(id_number: str) -> str:
    return id_number[:17] + ("0" if id_number[17] != "0" else "1")


@pytest.mark.parametrize(
    "change, status, words",
    [
        (
            {"id_number": _with_bad_check_digit(id_number_for_age(75, serial=1))},
            400,
            ["id_number", "校验位"],
        ),
        ({"id_number": "33021219380304"}, 400, ["id_number", "18 位"]),
        ({"id_number": id_number_born("19500230")}, 400, ["id_number", "出生日期"]),
        ({"id_number": id_number_born("18000101")}, 400, ["id_number", "1800", "早于 1900 年"]),
        ({"id_number": id_number_for_age(59, serial=2)}, 400, ["id_number", "年满 60 周岁"]),
        ({"id_number": id_number_born(date(2090, 1, 1))}, 400, ["id_number"]),
        ({"region": "NOPE"}, 400, ["region", "NOPE"]),
        ({"pin": "12345"}, 400, ["pin", "6 位数字"]),
        ({"pin": 123456}, 400, ["pin", "字符串"]),
        ({"phone": "12345"}, 400, ["phone", "手机号"]),
        ({"categories": ["tekun", "rich"]}, 400, ["categories", "tekun"]),
        ({"categories": "tekun"}, 400, ["categories", "数组"]),
        ({"diet": ["spicy"]}, 400, ["diet"]),
        ({"lives_alone": "maybe"}, 400, ["lives_alone", "true 或 false"]),
        ({"age_tier": "age90"}, 400, ["age_tier", "不允许的字段"]),
        ({"name": ""}, 400, ["name", "至少 1 个字符"]),
        ({"name": "   "}, 400, ["name", "至少 1 个字符"]),
        ({"name": "张\x00三"}, 400, ["name", "控制字符"]),
    ],
)
async def test_bad_elder_input_names_field_and_rule(client, factory, change, status, words):
    await factory.regions()
    body = {
        "name": "李四",
        "id_number": id_number_for_age(75, serial=3),
        "region": "D-S-C1",
        "pin": "135790",
    } | change
    response = await client.post("/api/v1/elders", json=body, headers=await factory.admin())
    assert_problem(response, status, *words)
    listed = await client.get("/api/v1/elders", headers=await factory.admin())
    assert listed.json() == []


async def test_same_id_number_twice_is_a_conflict_even_with_lowercase_x(client, factory):
    id_number = "11010519491231002X"
    await factory.elder(id_number=id_number)
    response = await client.post(
        "/api/v1/elders",
        headers=await factory.admin(),
        json={"name": "李四", "id_number": id_number.lower(), "region": "D-S-C1", "pin": "135790"},
    )
    assert_problem(response, 409, "id_number", "已登记")
    assert id_number not in response.text


async def test_malformed_json_is_400(client, factory):
    response = await client.post(
        "/api/v1/elders",
        content='{"name": "李四", '.encode(),
        headers=(await factory.admin()) | {"content-type": "application/json"},
    )
    assert_problem(response, 400, "JSON")


# ---------------------------------------------------------------- who may see an elder


async def test_admin_operator_and_linked_volunteer_or_family_see_the_elder(client, factory):
    elder = await factory.elder()
    path = f"/api/v1/elders/{elder['elder_id']}"
    await factory.canteen("C1")
    volunteer = await factory.staff("volunteer")
    family = await factory.staff("family")
    for staff in (volunteer, family):
        await factory.post(f"/elders/{elder['elder_id']}/links", {"username": staff.username})

    for headers in (
        await factory.admin(),
        await factory.headers("operator"),
        factory.headers_for(volunteer),
        factory.headers_for(family),
    ):
        response = await client.get(path, headers=headers)
        assert response.status_code == 200, response.text
        assert response.json()["name"] == "张*明"

    for role in ("volunteer", "family", "canteen_staff", "inspector"):
        headers = await factory.headers(role, canteen="C1" if role == "canteen_staff" else None)
        assert_problem(await client.get(path, headers=headers), 403, "关联")
    assert_problem(await client.get(path), 401)


async def test_unknown_elder_is_404(client, factory):
    assert_problem(
        await client.get("/api/v1/elders/999999", headers=await factory.admin()), 404, "999999"
    )


async def test_only_those_who_see_every_elder_learn_whether_an_id_exists(client, factory):
    someone_elses = await factory.elder()
    await factory.canteen("C1")
    for role in ("volunteer", "family", "canteen_staff", "inspector"):
        headers = await factory.headers(role, canteen="C1" if role == "canteen_staff" else None)
        for elder_id in (someone_elses["elder_id"], 999999):
            for path in (f"/api/v1/elders/{elder_id}", f"/api/v1/elders/{elder_id}/balance"):
                response = await client.get(path, headers=headers)
                assert response.status_code == 403, (role, path, response.text)
                assert "999999" not in response.text


async def test_list_shows_a_volunteer_only_linked_elders(client, factory):
    first = await factory.elder(name="赵一")
    await factory.elder(name="钱二")
    volunteer = await factory.staff("volunteer")
    await factory.post(f"/elders/{first['elder_id']}/links", {"username": volunteer.username})
    mine = await client.get("/api/v1/elders", headers=factory.headers_for(volunteer))
    assert [e["elder_id"] for e in mine.json()] == [first["elder_id"]]
    everyone = await client.get("/api/v1/elders", headers=await factory.headers("operator"))
    assert len(everyone.json()) == 2


async def test_search_by_name_treats_like_wildcards_as_text(client, factory):
    await factory.elder(name="赵一")
    await factory.elder(name="钱二")
    operator = await factory.headers("operator")

    async def found(q: str) -> list[str]:
        response = await client.get("/api/v1/elders", params={"q": q}, headers=operator)
        assert response.status_code == 200, response.text
        return [e["name"] for e in response.json()]

    assert await found("钱") == ["钱*"]
    assert await found("%") == [] and await found("_") == []  # used to list every elder
    assert await found("钱%") == ["钱*"]


# ---------------------------------------------------------------- links


async def test_link_volunteer_and_family_accounts(client, factory):
    elder = await factory.elder()
    for role in ("volunteer", "family"):
        staff = await factory.staff(role)
        linked = await factory.post(
            f"/elders/{elder['elder_id']}/links", {"username": staff.username}
        )
        assert linked == {"elder_id": elder["elder_id"], "username": staff.username, "role": role}


@pytest.mark.parametrize("role", ["admin", "operator", "canteen_staff", "inspector"])
async def test_only_volunteer_or_family_accounts_can_be_linked(client, factory, role):
    elder = await factory.elder()
    await factory.canteen("C1")
    staff = await factory.staff(role, canteen="C1" if role == "canteen_staff" else None)
    response = await client.post(
        f"/api/v1/elders/{elder['elder_id']}/links",
        json={"username": staff.username},
        headers=await factory.admin(),
    )
    assert_problem(response, 400, "username", "只能关联志愿者或家属")


async def test_link_errors(client, factory):
    elder = await factory.elder()
    volunteer = await factory.staff("volunteer")
    admin = await factory.admin()
    path = f"/api/v1/elders/{elder['elder_id']}/links"
    assert (
        await client.post(path, json={"username": volunteer.username}, headers=admin)
    ).status_code == 201
    assert_problem(
        await client.post(path, json={"username": volunteer.username}, headers=admin),
        409,
        "已与该老人关联",
    )
    assert_problem(
        await client.post(path, json={"username": "ghost"}, headers=admin), 400, "username", "ghost"
    )
    assert_problem(await client.post(path, json={}, headers=admin), 400, "username", "缺少必填字段")
    assert_problem(
        await client.post(
            "/api/v1/elders/999999/links", json={"username": volunteer.username}, headers=admin
        ),
        404,
        "999999",
    )
