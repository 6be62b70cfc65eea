"""A civil-affairs clerk opens the back office: signs in once, sees the compliance and meals
charts drawn from the page's numbers, the lists, settlement downloads, welfare and policy."""

from __future__ import annotations

from datetime import date, timedelta

from tests.api.test_reports import _menu, _order
from tests.browser.conftest import shoot
from tests.browser.test_inspector import open_signed_in
from tests.web.test_backoffice_admin_pages import regular_who_stopped_coming
from zhucan.clock import today
from zhucan.settings import Settings

DESKTOP = {"width": 1280, "height": 800}
TODAY = today(Settings().tz)

# The datasets Chart.js drew on a canvas: label → numbers.
CHART = """(id) => Object.fromEntries(Chart.getChart(document.getElementById(id)).data.datasets
  .map((d) => [d.label, d.data]))"""


def ago(days: int) -> str:
    return (TODAY - timedelta(days=days)).isoformat()


async def test_admin_dashboards_draw_charts_and_lists(new_page, factory):
    await factory.admin()
    await regular_who_stopped_coming(factory)  # canteen C1 and a welfare alert
    await factory.client.patch(
        "/api/v1/canteens/C1", json={"name": "长丰社区老年食堂"}, headers=await factory.admin()
    )
    await factory.canteen(
        "C2", name="学士助餐点", sunshine_level="none", insurance_expires=ago(-10)
    )
    await factory.inspection("C1", ago(20))
    await factory.inspection("C2", ago(30), failed={"A01": None, "B01": None})
    elder = await factory.elder(categories=["tekun"])
    last_year = TODAY.year - 1  # months the welfare alert's recent meals never fall in
    for day in (date(last_year, 1, 5), date(last_year, 2, 3), date(last_year, 2, 4)):
        await _menu("C1", day)
        await _order("C1", elder["elder_id"], day)

    page = await new_page(viewport=DESKTOP)
    # /admin asks the browser's session for its page cookie; signed out, that means /login first
    await open_signed_in(page, "/admin", "admin")
    await page.get_by_role("heading", name=f"食品安全量化分级（截至 {TODAY}）").wait_for()
    drawn = await page.evaluate(CHART, "grades-chart")
    assert drawn["A 级"][-1] == 1 and drawn["C 级"][-1] == 1
    assert drawn["AB 级占比（%）"][-1] == 50
    assert drawn["AB 级占比目标（%）"][-1] is not None
    assert await page.locator("#grades-chart").evaluate("c => c.width > 0 && c.height > 0")
    assert (
        "学士助餐点" in await page.locator("section", has_text="C 级及整改中的食堂").text_content()
    )
    await shoot(page, "admin-compliance")

    await page.get_by_role("link", name="助餐人次").click()
    await page.get_by_role("heading", name=f"{TODAY.year} 年助餐人次与覆盖率").wait_for()
    await page.locator("input[name=year]").fill(str(last_year))
    await page.get_by_role("button", name="查看").click()
    await page.get_by_role("heading", name=f"{last_year} 年助餐人次与覆盖率").wait_for()
    drawn = await page.evaluate(CHART, "meals-chart")
    monthly = drawn[f"{last_year} 年每月人次"]
    assert monthly[:3] == [1, 2, 0]
    assert drawn[f"{last_year} 年累计人次"][-1] == sum(monthly)
    assert f"{last_year} 年全年目标" in drawn
    await shoot(page, "admin-meals")

    await page.get_by_role("link", name="月度结算").click()
    await page.locator("input[name=month]").fill(f"{last_year}-02")
    await page.get_by_role("button", name="查看").click()
    await page.get_by_role("heading", name=f"{last_year}-02 月度结算").wait_for()
    assert "¥16.00" in await page.locator("#settlement-table").text_content()  # 2 × 800 fen
    async with page.expect_download() as download:
        await page.get_by_role("button", name="CSV").click()
    assert (await download.value).suggested_filename == f"settlement-{last_year}-02.csv"
    await shoot(page, "admin-settlement")

    await page.get_by_role("link", name="补贴政策").click()
    await page.get_by_role("heading", name=f"补贴政策（{TODAY} 执行的版本）").wait_for()
    await page.locator("input[name='tier.0.fen']").fill("900")
    await page.locator("input[name=effective_from]").fill((TODAY + timedelta(days=1)).isoformat())
    await page.get_by_role("button", name="发布新版本").click()
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    await page.locator("#policy-done").wait_for()
    assert f"{tomorrow}（已排期）" in await page.locator("#versions-table").text_content()
    await shoot(page, "admin-policy")

    await page.get_by_role("link", name="关爱提醒").click()
    await page.get_by_role("heading", name="关爱提醒（1 条").wait_for()
    await page.get_by_label("探访情况").fill("老人在家，感冒了，已联系社区医生")
    await shoot(page, "admin-welfare")
    await page.get_by_role("button", name="登记探访").click()
    await page.get_by_text(f"已登记 {TODAY} 的探访（admin）").wait_for()
    await page.reload()
    await page.get_by_text("目前没有需要探访的老人").wait_for()

    await page.get_by_role("link", name="数据浏览").click()
    await page.get_by_text("Ledger Entry").wait_for()  # piccolo_admin, signed in by the cookie
    await page.locator("a", has_text="Inspection").first.click()
    await page.get_by_text("routine").first.wait_for()
    await shoot(page, "admin-data")


async def test_data_browser_sends_a_stranger_to_sign_in(new_page, server):
    page = await new_page(viewport=DESKTOP)
    await page.goto("/admin/data/")
    await page.wait_for_url("**/login**")
