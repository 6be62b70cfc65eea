"""POST /auth/token and what every kind of credential may do on the admin-only endpoints."""

import pytest

from tests.conftest import TEST_SECRET
from tests.problems import assert_problem
from zhucan.access import Staff, role_label
from zhucan.canteens.tables import Canteen
from zhucan.people.auth import issue_token
from zhucan.people.service import set_staff_active
from zhucan.people.tables import StaffUser

ROLES = ["admin", "operator", "volunteer", "family", "canteen_staff", "inspector"]


async def test_login_returns_a_bearer_token_that_works(client, factory):
    await factory.staff("operator", username="hotline1")
    response = await client.post(
        "/api/v1/auth/token", json={"username": "hotline1", "password": "password-123"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["role"] == "operator"
    assert body["expires_in"] == 12 * 3600
    listed = await client.get(
        "/api/v1/elders", headers={"Authorization": f"Bearer {body['access_token']}"}
    )
    assert listed.status_code == 200, listed.text


@pytest.mark.parametrize(
    "username, password",
    [
        ("hotline1", "wrong-password"),
        ("nobody", "password-123"),
        ("HOTLINE1", "password-123"),
    ],
)
async def test_wrong_credentials_are_401(client, factory, username, password):
    await factory.staff("operator", username="hotline1")
    response = await client.post(
        "/api/v1/auth/token", json={"username": username, "password": password}
    )
    assert_problem(response, 401, "用户名或密码错误")


async def test_login_without_password_names_the_field(client):
    response = await client.post("/api/v1/auth/token", json={"username": "hotline1"})
    assert_problem(response, 400, "password", "缺少必填字段")


def _region_body():
    return {"code": "NEW", "name": "新区"}


ADMIN_ONLY = [
    ("POST", "/api/v1/regions", _region_body),
    (
        "POST",
        "/api/v1/canteens",
        lambda: {
            "code": "C9",
            "name": "九号食堂",
            "kind": "meal_point",
            "region": "D-S-C1",
            "size": "small",
        },
    ),
    ("PATCH", "/api/v1/canteens/C1", lambda: {"name": "改名食堂"}),
    (
        "POST",
        "/api/v1/elders",
        lambda: {
            "name": "李四",
            "id_number": "11010519491231002X",
            "region": "D-S-C1",
            "pin": "135790",
        },
    ),
    ("POST", "/api/v1/elders/{elder}/links", lambda: {"username": "vol-x"}),
]


async def _prepare(factory) -> str:
    await factory.canteen("C1")
    elder = await factory.elder()
    await factory.staff("volunteer", username="vol-x")
    return str(elder["elder_id"])


@pytest.mark.parametrize(
    "method, path, body", ADMIN_ONLY, ids=[f"{m} {p}" for m, p, _ in ADMIN_ONLY]
)
async def test_admin_only_endpoints_refuse_every_other_role(client, factory, method, path, body):
    path = path.replace("{elder}", await _prepare(factory))
    for role in ROLES[1:]:
        headers = await factory.headers(role, canteen="C1" if role == "canteen_staff" else None)
        response = await client.request(method, path, json=body(), headers=headers)
        assert_problem(response, 403, "仅限管理员", role_label(role))
    response = await client.request(method, path, json=body(), headers=await factory.admin())
    assert response.status_code in (200, 201), response.text


@pytest.mark.parametrize(
    "method, path, body", ADMIN_ONLY, ids=[f"{m} {p}" for m, p, _ in ADMIN_ONLY]
)
async def test_admin_only_endpoints_refuse_bad_credentials(client, factory, method, path, body):
    path = path.replace("{elder}", await _prepare(factory))
    admin = factory._staff["admin"]
    cases = [
        ({}, "需要登录"),
        ({"Authorization": f"Bearer {issue_token(admin, TEST_SECRET, -5)}"}, "已过期"),
        (
            {
                "Authorization": f"Bearer {issue_token(admin, 'another-servers-key-at-least-32-bytes', 3600)}"
            },
            "无效",
        ),
        ({"Authorization": "Bearer not-a-token"}, "无效"),
        ({"Authorization": "Basic YWRtaW46cGFzcw=="}, "Bearer"),
    ]
    for headers, words in cases:
        response = await client.request(method, path, json=body(), headers=headers)
        assert_problem(response, 401, words)
    # None of the refused requests changed anything: the admin can still do it once.
    response = await client.request(method, path, json=body(), headers=await factory.admin())
    assert response.status_code in (200, 201), response.text


async def test_a_disabled_account_is_refused_at_once_tokens_included(client, factory):
    volunteer = await factory.staff("volunteer", username="vol-leaving")
    headers = factory.headers_for(volunteer)
    assert (await client.get("/api/v1/orders", headers=headers)).status_code == 200
    assert await set_staff_active("vol-leaving", False, actor="admin") is True
    assert_problem(await client.get("/api/v1/orders", headers=headers), 401, "该账号已停用")
    assert_problem(
        await client.post(
            "/api/v1/auth/token", json={"username": "vol-leaving", "password": "password-123"}
        ),
        401,
    )
    assert await set_staff_active("vol-leaving", True, actor="admin") is True
    assert (await client.get("/api/v1/orders", headers=headers)).status_code == 200
    assert await set_staff_active("vol-leaving", True, actor="admin") is False
    for action in ("staff.disable", "staff.enable"):
        logged = (
            await client.get(
                "/api/v1/audit", params={"action": action}, headers=await factory.admin()
            )
        ).json()["entries"]
        assert [(e["actor"], e["target"]) for e in logged] == [("admin", "staff:vol-leaving")]


async def test_a_changed_role_or_canteen_applies_to_the_next_request(client, factory):
    await factory.canteen("C1")
    await factory.canteen("C2")
    cook = await factory.staff("canteen_staff", canteen="C1")
    headers = factory.headers_for(cook)  # the token still says C1
    kitchen = "/api/v1/canteens/{}/kitchen?date=2030-01-01&slot=lunch"
    assert (await client.get(kitchen.format("C1"), headers=headers)).status_code == 200
    c2 = await Canteen.select(Canteen.id).where(Canteen.code == "C2").first()
    await StaffUser.update({StaffUser.canteen: c2["id"]}).where(StaffUser.id == cook.id)
    assert (await client.get(kitchen.format("C1"), headers=headers)).status_code == 403
    assert (await client.get(kitchen.format("C2"), headers=headers)).status_code == 200


async def test_a_token_for_an_account_that_no_longer_exists_is_401(client, factory):
    ghost = Staff(id=987654, username="ghost", role="admin")
    token = issue_token(ghost, TEST_SECRET, 3600)
    assert_problem(
        await client.get("/api/v1/elders", headers={"Authorization": f"Bearer {token}"}),
        401,
        "账号已不存在",
    )


async def test_an_account_whose_role_was_edited_into_an_unknown_one_is_401_not_500(client, factory):
    """Only zhucan writes roles, but a hand-edited row must not break every request."""
    clerk = await factory.staff("operator")
    headers = factory.headers_for(clerk)
    await StaffUser.update({StaffUser.role: "superclerk"}).where(StaffUser.id == clerk.id)
    assert_problem(await client.get("/api/v1/elders", headers=headers), 401, "角色无效")


async def test_an_unknown_username_costs_the_same_password_check_as_a_wrong_password(
    client, factory, monkeypatch
):
    """Sign-in timing must not tell which usernames exist: both refusals verify a hash."""
    from zhucan.people import auth

    await factory.staff("operator", username="known-clerk")
    verified = []

    class Counting:
        """The suite's hasher, noting every hash it verifies against."""

        def __init__(self, hasher):
            self.hasher = hasher

        def hash(self, password):
            return self.hasher.hash(password)

        def verify(self, password_hash, password):
            verified.append(password_hash)
            return self.hasher.verify(password_hash, password)

    monkeypatch.setattr(auth, "_hasher", Counting(auth._hasher))
    for username in ("known-clerk", "nobody-here"):
        response = await client.post(
            "/api/v1/auth/token", json={"username": username, "password": "wrong-password-1"}
        )
        assert_problem(response, 401, "用户名或密码错误")
    assert len(verified) == 2 and all(h.startswith("$argon2") for h in verified)
