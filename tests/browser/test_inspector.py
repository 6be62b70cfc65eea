"""An inspector files an inspection on a tablet: ticks items, watches the score and grade follow
from the server's rules, submits; the public page then shows the new inspection and grade."""

from __future__ import annotations

from datetime import timedelta

from tests.browser.conftest import shoot
from zhucan.clock import today
from zhucan.settings import Settings

TABLET = {"width": 1024, "height": 768}
TODAY = today(Settings().tz)


async def open_signed_in(page, path: str, username: str, password: str = "password-123") -> None:
    """Open a staff page as a signed-out user does: it sends us to /login, which brings us back."""
    await page.goto(path)
    await page.wait_for_url("**/login?next=*")
    await page.get_by_label("用户名").fill(username)
    await page.get_by_label("密码").fill(password)
    await page.get_by_role("button", name="登录").click()
    await page.wait_for_url(f"**{path}")


async def test_inspector_files_an_inspection_and_the_public_page_shows_it(new_page, factory):
    await factory.canteen("C1", name="长丰社区老年食堂")
    earlier = (TODAY - timedelta(days=30)).isoformat()
    await factory.inspection("C1", earlier, failed={"C03": None})  # 96.0, C03 still open
    await factory.canteen("C2", name="学士助餐点")  # never inspected, licence of 2020: overdue
    page = await new_page(viewport=TABLET)
    await open_signed_in(page, "/inspect", "insp-a")
    due = page.locator("#due-list")
    await due.wait_for()
    assert "学士助餐点" in await due.text_content() and "逾期" in await due.text_content()
    assert "长丰社区老年食堂" not in await due.text_content()  # grade A: due in a year
    await shoot(page, "inspector-home")
    await (
        page.locator(".canteen-card", has_text="长丰社区老年食堂")
        .get_by_role("link", name="开始检查")
        .click()
    )
    await page.get_by_text("上次检查未整改的问题（1 项）").wait_for()
    assert await page.locator("#who").text_content() == "insp-a"
    await shoot(page, "inspector-form-empty")

    await page.get_by_role("button", name="其余全部合格").click()
    await page.wait_for_function("document.getElementById('score').textContent === '100.0'")
    assert await page.locator("#dynamic").text_content() == "优秀"
    await page.locator("#item-C03 .verdict-fail").click()
    await page.wait_for_function("document.getElementById('score').textContent === '96.0'")
    # a failed item may still earn part of its points
    await page.locator("#item-A02 .verdict-fail").click()
    await page.locator("input[name=p-A02]").fill("1")
    await page.wait_for_function("document.getElementById('score').textContent === '94.0'")
    findings = page.locator("#findings-table tbody tr")
    assert await findings.count() == 2
    deadline = (TODAY + timedelta(days=15)).isoformat()
    assert deadline in await page.locator("#findings-table").text_content()
    # two failed key items: not graded whatever the score; then back
    await page.locator("#item-A01 .verdict-fail").click()
    await page.locator("#item-B01 .verdict-fail").click()
    await page.wait_for_function("document.getElementById('dynamic').textContent === '不评级'")
    assert await page.locator("#key-failures").text_content() == "2"
    await shoot(page, "inspector-form-ticked")
    await page.locator("#item-A01 .verdict-pass").click()
    await page.locator("#item-B01 .verdict-pass").click()
    await page.wait_for_function("document.getElementById('dynamic').textContent === '优秀'")

    await page.locator("input[name=inspector2]").fill("insp-b")
    await page.get_by_role("button", name="提交检查结果").click()
    await page.locator("#result").wait_for()
    assert await page.locator("#result-score").text_content() == "94.0"
    assert await page.locator("#result-dynamic").text_content() == "优秀"
    assert await page.locator("#result-annual").text_content() == "A 级"  # mean of 96 and 94
    assert await page.locator("#result-findings tbody tr").count() == 2
    await shoot(page, "inspector-result")

    await page.get_by_role("link", name="查看该食堂的公示页").click()
    await page.get_by_text("检查记录（双随机、一公开）").wait_for()
    first = page.locator("table.grade-history tbody tr").first
    assert TODAY.isoformat() in await first.text_content()
    assert "94.0" in await first.text_content() and "优秀" in await first.text_content()
    assert "食品安全 A 级" in await page.locator(".grade-badge").text_content()
    await shoot(page, "public-canteen-after-inspection")


async def test_inspection_refused_for_one_inspector_shows_why(new_page, factory):
    await factory.canteen("C1", name="长丰社区老年食堂")
    await factory.inspectors()
    page = await new_page(viewport=TABLET)
    await open_signed_in(page, "/inspect/C1", "insp-a")
    await page.get_by_role("button", name="其余全部合格").click()
    await page.wait_for_function("document.getElementById('score').textContent === '100.0'")
    await page.get_by_role("button", name="提交检查结果").click()
    error = page.locator("#form-error")
    await error.wait_for()
    assert "inspectors" in await error.text_content()
    assert await page.locator("#result").is_hidden()
