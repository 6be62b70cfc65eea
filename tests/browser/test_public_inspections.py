"""What the public sees of inspections (双随机、一公开) on a phone: a canteen's history and open
findings, and the published random plans; readable without zooming and clean under axe-core."""

from __future__ import annotations

from datetime import timedelta

from tests.browser.conftest import axe_violations, shoot
from zhucan.clock import today
from zhucan.settings import Settings

TODAY = today(Settings().tz)


async def test_public_inspection_pages_on_a_phone(page, factory):
    await factory.canteen("C1", name="长丰社区老年食堂")
    await factory.canteen("C2", name="学士助餐点")
    await factory.inspection(
        "C1", (TODAY - timedelta(days=40)).isoformat(), failed={"A01": None, "B01": None}
    )
    await factory.inspection(
        "C1", (TODAY - timedelta(days=5)).isoformat(), kind="reinspection", failed={"C03": None}
    )
    for username in ("insp-c", "insp-d"):  # insp-a and insp-b inspected C1: they stand aside
        await factory.staff("inspector", username=username)
    await factory.post(
        "/compliance/random-plan", {"count": 2, "seed": 11, "date": TODAY.isoformat()}
    )

    await page.goto("/public/canteens/C1")
    rows = page.locator("table.grade-history tbody tr")
    assert await rows.count() == 2
    assert (
        await rows.first.locator("td").first.evaluate(
            "td => getComputedStyle(td, '::before').content"
        )
        == '"检查日期"'
    )
    assert "复查" in await rows.first.text_content()
    assert "C03" in await page.locator("table.open-findings").text_content()
    # a phone shows the page without sideways scrolling, tables included
    assert await page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    assert await axe_violations(page) == []
    await shoot(page, "public-canteen-history-phone")

    await page.get_by_role("link", name="双随机抽查计划").click()
    await page.get_by_text("抽取 2 家，随机种子 11").wait_for()
    assert await page.locator("section.plan tbody tr").count() == 2
    assert await axe_violations(page) == []
    await shoot(page, "public-random-plans-phone")
