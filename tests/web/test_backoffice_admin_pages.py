"""The back office over HTTP, for a small known district: who gets in, and what each page says."""

from datetime import date, timedelta

from tests.api.test_reports import _menu, _order
from zhucan.clock import today
from zhucan.people.service import set_staff_active
from zhucan.settings import Settings

TODAY = today(Settings().tz)


def ago(days: int) -> str:
    return (TODAY - timedelta(days=days)).isoformat()


async def _signed_in(client, factory) -> None:
    """What admin.js does once the admin has signed in: trade the bearer token for the cookie."""
    response = await client.post("/admin/session", headers=await factory.admin())
    assert response.status_code == 204, response.text
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "samesite=strict" in cookie.lower() and "Path=/admin" in cookie


async def test_pages_need_an_admin_cookie(client, factory):
    for path in ("/admin", "/admin/meals", "/admin/settlement", "/admin/welfare", "/admin/policy"):
        response = await client.get(path)
        assert response.status_code == 401 and "正在确认管理员登录" in response.text, path
    # Only an admin's token opens a cookie; a forged or foreign cookie opens nothing.
    inspector = await factory.headers("inspector")
    assert (await client.post("/admin/session", headers=inspector)).status_code == 403
    assert (await client.post("/admin/session")).status_code == 401
    client.cookies.set("zhucan_admin", inspector["Authorization"].split()[1], path="/admin")
    assert (await client.get("/admin")).status_code == 401
    client.cookies.set("zhucan_admin", "not-a-token", path="/admin")
    assert (await client.get("/admin")).status_code == 401
    await _signed_in(client, factory)
    assert (await client.get("/admin")).status_code == 200
    response = await client.delete("/admin/session")
    assert response.status_code == 204 and "Max-Age=0" in response.headers["set-cookie"]
    assert (await client.get("/admin")).status_code == 401


async def test_a_disabled_admin_cookie_opens_nothing(client, factory):
    await _signed_in(client, factory)
    assert (await client.get("/admin")).status_code == 200
    await set_staff_active("admin", False, actor="cli:ops")
    assert (await client.get("/admin")).status_code == 401
    data = await client.get("/admin/data/", follow_redirects=False)
    assert data.status_code == 303 and data.headers["location"] == "/admin"


async def test_compliance_dashboard_shows_grades_targets_and_lists(client, factory):
    await factory.canteen("C1", name="长丰社区老年食堂")
    await factory.canteen(
        "C2", name="学士助餐点", sunshine_level="none", insurance_expires=ago(-10)
    )
    await factory.canteen("C3", name="新建食堂", license_issued=ago(400), license_expires=ago(-20))
    await factory.inspection("C1", ago(20))  # 100 → A
    await factory.inspection("C2", ago(30), failed={"A01": None, "B01": None})  # capped → C
    await _signed_in(client, factory)
    page = (await client.get("/admin")).text
    assert f"截至 {TODAY}" in page
    table = page[page.index('id="grades-table"') :]
    current_row = table[table.index(f"<td>{TODAY.year}</td>") :].split("</tr>")[0]
    cells = [c.split("</td>")[0] for c in current_row.split("<td>")[1:]]
    # A, B, C, rectifying, ungraded, AB share, target
    assert cells[:6] == [str(TODAY.year), "1", "0", "1", "0", "1"] and cells[6] == "50.0%"
    assert 'id="grades-chart"' in page and '"years"' in page
    attention = page[page.index("C 级及整改中的食堂（1 家）") : page.index("到期和逾期")]
    assert "学士助餐点" in attention and "A01" in attention and "B01" in attention
    assert ago(30 - 7) in attention and "★ 关键项" in attention
    due = page[page.index("到期和逾期应检查的食堂") : page.index("30 天内到期")]
    assert "新建食堂" in due and "从未检查" in due and "长丰社区老年食堂" not in due
    expiring = page[page.index("30 天内到期的许可证和保险") :]
    assert "新建食堂" in expiring and "20 天" in expiring and "食品经营许可证" in expiring
    assert "学士助餐点" in expiring and "10 天" in expiring and "食品安全责任保险" in expiring


async def test_meals_dashboard_counts_months_and_coverage(client, factory):
    await factory.canteen("C1")
    elder = await factory.elder()
    year = TODAY.year
    for day in (date(year, 1, 5), date(year, 1, 6), date(year, 2, 3)):
        await _menu("C1", day)
        await _order("C1", elder["elder_id"], day)
    await _signed_in(client, factory)
    page = (await client.get(f"/admin/meals?year={year}")).text
    assert f"{year} 年助餐人次与覆盖率" in page
    months = page[page.index('id="months-table"') :]
    row = months[months.index("人次</th>") :].split("</tr>")[0]
    assert [c.split("</td>")[0] for c in row.split("<td>")[1:]][:3] == ["2", "1", "0"]
    cumulative = months[months.index("累计</th>") :].split("</tr>")[0]
    assert [c.split("</td>")[0] for c in cumulative.split("<td>")[1:]][-1] == "3"
    assert "50.0%" in page and "1 / 2 个社区（村）" in page  # C1 covers one of two communities
    assert 'id="meals-chart"' in page


async def test_settlement_page_shows_the_month_and_download_links(client, factory):
    await factory.canteen("C1", name="长丰社区老年食堂")
    elder = await factory.elder(categories=["tekun"])
    day = date(2026, 3, 10)
    await _menu("C1", day, price_fen=1500)
    await _order("C1", elder["elder_id"], day)
    await _signed_in(client, factory)
    page = (await client.get("/admin/settlement?month=2026-03")).text
    assert "2026-03 月度结算" in page and "长丰社区老年食堂" in page
    assert "¥8.00" in page and "¥15.00" in page  # 特困 subsidy 800 fen of a 1500 fen meal
    for ext in ("", ".csv", ".xlsx"):
        assert f'data-download="/reports/settlement{ext}?month=2026-03"' in page


async def test_policy_page_shows_the_policy_in_force(client, factory):
    await _signed_in(client, factory)
    page = (await client.get("/admin/policy")).text
    assert "特困、低保" in page and 'name="tier.0.fen" value="800"' in page
    assert "午餐、晚餐" in page and "2024-01-01" in page


async def regular_who_stopped_coming(factory) -> dict:
    """An elder living alone who ate here 12 days running until 5 days ago."""
    await factory.canteen("C1")
    elder = await factory.elder(lives_alone=True, name="王秀英", address="幸福路 8 号 201 室")
    for back in range(16, 4, -1):
        day = TODAY - timedelta(days=back)
        await _menu("C1", day)
        await _order("C1", elder["elder_id"], day)
    return elder


async def test_welfare_page_lists_alerts_with_a_visit_form(client, factory):
    await _signed_in(client, factory)
    page = (await client.get("/admin/welfare")).text
    assert "关爱提醒（0 条" in page and "目前没有需要探访的老人" in page
    elder = await regular_who_stopped_coming(factory)
    page = (await client.get("/admin/welfare")).text
    assert "关爱提醒（1 条" in page
    assert "王*英" in page and "王秀英" not in page  # masked, as the API gives it
    assert "一号社区" in page and "幸福路 8 号 201 室" in page
    assert f"自 {TODAY - timedelta(days=4)} 起已 4 天没有用餐" in page
    assert f'data-elder="{elder["elder_id"]}"' in page


async def test_data_browser_is_for_admins_and_read_only(client, factory):
    await factory.canteen("C1", name="长丰社区老年食堂")
    await factory.inspection("C1", ago(5))
    response = await client.get("/admin/data/", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/admin"
    assert (await client.get("/admin/data/api/tables/", follow_redirects=False)).status_code == 303
    # piccolo_admin's own session cookie, naming an account id, opens nothing by itself.
    forged = await client.get(
        "/admin/data/api/tables/", headers={"Cookie": "id=1"}, follow_redirects=False
    )
    assert forged.status_code == 303
    await _signed_in(client, factory)
    assert (await client.get("/admin/data", follow_redirects=False)).headers[
        "location"
    ] == "/admin/data/"
    assert (await client.get("/admin/data/")).status_code == 200  # the piccolo_admin app
    tables = (await client.get("/admin/data/api/tables/")).json()
    assert {"account", "ledger_transfer", "ledger_entry", "meal_order", "inspection"} <= set(tables)
    assert not {"elder", "staff_user", "piccolo_user"} & set(tables)  # no personal data, no logins
    user = (await client.get("/admin/data/api/user/")).json()
    assert user["username"] == "admin"
    # Signed in, a session cookie of the client's own choosing is replaced, not believed.
    own_choice = {"Cookie": f"zhucan_admin={client.cookies.get('zhucan_admin')}; id=999"}
    assert (await client.get("/admin/data/api/user/", headers=own_choice)).json()[
        "username"
    ] == "admin"
    rows = (await client.get("/admin/data/api/tables/inspection/")).json()["rows"]
    assert [r["score_tenths"] for r in rows] == [1000]
    inspection_id = rows[0]["id"]
    for method in ("patch", "delete"):
        response = await client.request(
            method.upper(),
            f"/admin/data/api/tables/inspection/{inspection_id}/",
            json={"score_tenths": 1},
        )
        assert response.status_code in (403, 405), (method, response.status_code)
    response = await client.post("/admin/data/api/tables/ledger_entry/", json={"amount": 1})
    assert response.status_code in (403, 405)
    rows = (await client.get("/admin/data/api/tables/inspection/")).json()["rows"]
    assert [r["score_tenths"] for r in rows] == [1000]
