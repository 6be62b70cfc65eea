"""GET /audit: who did what and when, for admins; the log cannot be changed afterwards."""

import os
import subprocess
import sys
from datetime import date, timedelta

import pytest

from tests.conftest import TEST_SECRET
from tests.factories import id_number_for_age
from tests.problems import assert_problem
from zhucan.audit import service as audit
from zhucan.audit.tables import AuditEntry
from zhucan.db.tx import write_transaction


async def audit_page(client, factory, **params) -> dict:
    query = {k: v for k, v in params.items() if v is not None}
    response = await client.get("/api/v1/audit", params=query, headers=await factory.admin())
    assert response.status_code == 200, response.text
    return response.json()


async def test_admin_actions_are_recorded_newest_first(client, factory):
    await factory.canteen("C1")
    response = await client.patch(
        "/api/v1/canteens/C1", json={"sunshine_level": "smart"}, headers=await factory.admin()
    )
    assert response.status_code == 200, response.text
    id_number = id_number_for_age(85)
    elder = await factory.elder(id_number=id_number, phone="13912345678")
    await factory.staff("volunteer", username="vol1")
    await factory.post(f"/elders/{elder['elder_id']}/links", {"username": "vol1"})

    page = await audit_page(client, factory)
    mine = [e for e in page["entries"] if e["actor"] == "admin"]
    assert [(e["action"], e["target"]) for e in mine] == [
        ("elder.link", f"elder:{elder['elder_id']}"),
        ("elder.create", f"elder:{elder['elder_id']}"),
        ("canteen.update", "canteen:C1"),
        ("canteen.create", "canteen:C1"),
    ]
    assert mine[0]["action_label"] == "关联志愿者或家属账号"
    assert mine[0]["detail"] == {"username": "vol1", "role": "volunteer"}
    assert mine[2]["detail"] == {"changes": {"sunshine_level": "smart"}}
    assert id_number not in str(page) and "13912345678" not in str(page)
    assert page["next_before"] is None


async def test_filters_and_pages(client, factory):
    await factory.canteen("C1")
    await factory.canteen("C2")
    await factory.canteen("C3")
    page = await audit_page(client, factory, action="canteen.create", actor="admin", limit=2)
    assert [e["target"] for e in page["entries"]] == ["canteen:C3", "canteen:C2"]
    rest = await audit_page(
        client, factory, action="canteen.create", limit=2, before=page["next_before"]
    )
    assert [e["target"] for e in rest["entries"]] == ["canteen:C1"]
    assert rest["next_before"] is None
    today = date.today()
    around = await audit_page(
        client,
        factory,
        action="canteen.create",
        date_from=str(today - timedelta(days=1)),
        date_to=str(today + timedelta(days=1)),
    )
    assert len(around["entries"]) == 3
    tomorrow = await audit_page(client, factory, date_from=str(today + timedelta(days=2)))
    assert tomorrow["entries"] == []
    assert (await audit_page(client, factory, actor="nobody"))["entries"] == []


@pytest.mark.parametrize(
    "params, fragments",
    [
        ({"action": "canteen.delete"}, ("action", "没有这种操作类型", "canteen.create")),
        ({"date_from": "2026-03-02", "date_to": "2026-03-01"}, ("date_to", "不能早于")),
        ({"limit": "0"}, ("limit",)),
        ({"date_from": "yesterday"}, ("date_from",)),
    ],
)
async def test_bad_filters_are_400_naming_the_field(client, factory, params, fragments):
    response = await client.get("/api/v1/audit", params=params, headers=await factory.admin())
    assert_problem(response, 400, *fragments)


@pytest.mark.parametrize("role", ["operator", "volunteer", "family", "inspector"])
async def test_only_admins_read_the_log(client, factory, role):
    assert_problem(await client.get("/api/v1/audit", headers=await factory.headers(role)), 403)


async def test_anonymous_gets_401(client):
    assert_problem(await client.get("/api/v1/audit"), 401)


async def test_the_database_refuses_to_change_or_delete_entries(db):
    await audit.record("admin", "policy.update", "policy:2026-01-01", {"note": "测试"})
    with pytest.raises(Exception, match="append-only"):
        await (
            AuditEntry.update({AuditEntry.actor: "someone-else"})
            .where(AuditEntry.action == "policy.update")
            .run()
        )
    with pytest.raises(Exception, match="append-only"):
        await AuditEntry.delete().where(AuditEntry.action == "policy.update").run()
    assert await AuditEntry.select(AuditEntry.actor).where(
        AuditEntry.action == "policy.update"
    ) == [{"actor": "admin"}]


async def test_an_entry_rolls_back_with_the_change_it_describes(db):
    async def change_that_fails() -> None:
        await audit.record("admin", "card.topup", "elder:1", {"amount_fen": 5000})
        raise RuntimeError("the top-up failed after the entry was written")

    with pytest.raises(RuntimeError):
        await write_transaction(change_that_fails)
    assert await AuditEntry.count() == 0


async def test_record_refuses_an_unknown_action(db):
    with pytest.raises(ValueError, match="ACTIONS"):
        await audit.record("admin", "canteen.delete", "canteen:C1")


async def test_users_created_on_the_command_line_are_recorded(db):
    env = os.environ | {
        "ZHUCAN_DATABASE_URL": db.url,
        "ZHUCAN_SECRET_KEY": TEST_SECRET,
        "ZHUCAN_PASSWORD": "first-admin-pw",
    }
    zhucan = os.path.join(os.path.dirname(sys.executable), "zhucan")
    done = subprocess.run(
        [zhucan, "users", "add", "boss", "--role", "admin"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    rows = await AuditEntry.select(AuditEntry.actor, AuditEntry.action, AuditEntry.target)
    assert len(rows) == 1
    assert rows[0]["actor"].startswith("cli:")
    assert rows[0]["action"] == "staff.create" and rows[0]["target"] == "staff:boss"
