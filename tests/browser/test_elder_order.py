"""An elder orders from the canteen's QR URL on an old phone: with the big keypad, without
JavaScript, and when something goes wrong; axe-core and measured elder-mode sizes on each step."""

from __future__ import annotations

import pytest

from tests.browser.conftest import axe_violations, shoot
from tests.meals import dish, grant_points, publish_menu, topup
from zhucan.ordering.tables import MealOrder

PIN = "246810"

# Measures the rendered page against elder mode (docs/design.md, elder pages: 18pt text, 30pt actions, line height
# 1.3, 60×60 targets, 7:1 contrast); returns what fails, as readable lines.
MEASURE = """() => {
  const problems = [];
  const px = (v) => parseFloat(v);
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ')[0] : '')
    + ' "' + (el.textContent || el.value || '').trim().slice(0, 15) + '"';
  const visible = (el) => { const r = el.getBoundingClientRect(), s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'; };
  const body = getComputedStyle(document.body);
  if (px(body.fontSize) < 24) problems.push('body font-size ' + body.fontSize);
  const actions = document.querySelectorAll('.primary');
  if (!actions.length) problems.push('no main action (.primary)');
  actions.forEach((el) => { if (visible(el) && px(getComputedStyle(el).fontSize) < 40)
    problems.push('main action ' + name(el) + ' font-size ' + getComputedStyle(el).fontSize); });
  document.querySelectorAll('a, button, input:not([type=hidden]), select, textarea').forEach((el) => {
    if (!visible(el)) return;
    const r = el.getBoundingClientRect();
    if (r.width < 60 || r.height < 60)
      problems.push('target ' + name(el) + ' ' + Math.round(r.width) + '×' + Math.round(r.height));
  });
  const lum = (rgb) => { const c = rgb.map((v) => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]; };
  const rgb = (s) => s.match(/[\\d.]+/g).map(Number);
  const background = (el) => { for (; el; el = el.parentElement) {
    const c = rgb(getComputedStyle(el).backgroundColor);
    if (c.length < 4 || c[3] > 0) return c.slice(0, 3); } return [255, 255, 255]; };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (!walker.currentNode.textContent.trim() || seen.has(el) || !visible(el)) continue;
    seen.add(el);
    const s = getComputedStyle(el);
    if (px(s.fontSize) < 24) problems.push('text ' + name(el) + ' font-size ' + s.fontSize);
    const lh = s.lineHeight === 'normal' ? 0 : px(s.lineHeight);
    if (lh < 1.3 * px(s.fontSize) - 0.01)
      problems.push('text ' + name(el) + ' line-height ' + s.lineHeight + ' for ' + s.fontSize);
    const [a, b] = [lum(rgb(s.color).slice(0, 3)), lum(background(el))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < 7) problems.push('text ' + name(el) + ' contrast ' + ratio.toFixed(2));
  }
  return problems;
}"""


async def check_elder_mode(page, step: str, axe: bool = True) -> None:
    """Screenshot, axe-core (it needs the page's JavaScript, so not on pages without it: those
    steps are checked with JavaScript in the first test) and the measured sizes."""
    await shoot(page, f"elder-{step}")
    if axe:
        assert await axe_violations(page) == [], step
    assert await page.evaluate(MEASURE) == [], step


@pytest.fixture
async def elder(factory):
    """A 低保 elder at canteen C1 with 5 元 on the card and 300 敬老分; lunch published."""
    await factory.canteen("C1", name="幸福里老年食堂")
    await publish_menu(
        factory,
        [
            dish("A", 2000, name="红烧鱼套餐", quota=10),
            dish("B", 800, name="青菜豆腐", tags=["soft", "low_salt"]),
            dish("C", 1500, name="小炒肉", quota=0),
        ],
    )
    elder = await factory.elder(categories=["dibao"])
    await topup(factory, elder["elder_id"], 500)
    await grant_points(elder["elder_id"], 300)
    return elder


async def _split_on_page(page) -> dict[str, str]:
    return {
        part: (await page.locator(f"[data-part={part}]").inner_text()).strip()
        for part in ("total", "subsidy", "points", "card", "cash")
    }


async def test_elder_orders_with_the_keypad_and_sees_the_split_then_the_number(page, elder):
    await page.goto("/c/C1")
    await page.get_by_role("heading", name="幸福里老年食堂").wait_for()
    assert "食品安全" in await page.locator(".grade-badge").inner_text()
    assert "阳光厨房" in await page.locator(".canteen-facts").inner_text()
    assert "已售罄" in await page.locator(".sold-out").inner_text()
    await check_elder_mode(page, "1-menu")

    await page.get_by_role("button", name="红烧鱼套餐 多一份").click()
    assert await page.locator("#qty-A").input_value() == "1"
    keypad = page.locator("#keypad")
    for digit in elder["card_no"] + PIN:  # a full card number moves the keypad on to the PIN
        await keypad.locator(f"button[data-key='{digit}']").click()
    assert await page.locator("#card_no").input_value() == elder["card_no"]
    assert await page.locator("#pin").input_value() == PIN
    await shoot(page, "elder-1-menu-filled")
    await page.get_by_role("button", name="下一步").click()

    await page.get_by_role("heading", name="请核对").wait_for()
    # 低保 800 fen; points pay half of the other 1200 up to the 300 held; card 500; cash 400.
    assert await _split_on_page(page) == {
        "total": "¥20.00",
        "subsidy": "¥8.00",
        "points": "¥3.00",
        "card": "¥5.00",
        "cash": "¥4.00",
    }
    assert PIN not in await page.content()
    assert await MealOrder.count() == 0
    await check_elder_mode(page, "2-preview")

    await page.get_by_role("button", name="确认下单").click()
    await page.get_by_role("heading", name="下单成功").wait_for()
    order = await MealOrder.select().first()
    assert await page.locator("#order-number").inner_text() == str(order["id"])
    assert (order["channel"], order["subsidy_fen"], order["cash_fen"]) == ("qr", 800, 400)
    say = page.get_by_role("button", name="读出订单号")
    assert await say.is_visible()
    assert await say.get_attribute("data-say") == "您的订单号是，" + "，".join(str(order["id"]))
    await check_elder_mode(page, "3-done")


async def test_ordering_works_without_javascript_and_a_resent_form_orders_once(new_page, elder):
    page = await new_page(java_script_enabled=False)
    await page.goto("/c/C1")
    assert not await page.locator("#keypad").is_visible()  # the keypad needs JavaScript
    await page.fill("#qty-B", "2")
    await page.fill("#card_no", elder["card_no"])
    await page.fill("#pin", PIN)
    await shoot(page, "elder-nojs-1-menu")
    await page.get_by_role("button", name="下一步").click()
    await page.get_by_role("heading", name="请核对").wait_for()
    # 1600 fen: 低保 800, points half of 800 = 400 but 300 held, card 500 → cash 0.
    assert await _split_on_page(page) == {
        "total": "¥16.00",
        "subsidy": "¥8.00",
        "points": "¥3.00",
        "card": "¥5.00",
        "cash": "¥0.00",
    }
    await check_elder_mode(page, "nojs-2-preview", axe=False)
    preview_url = page.url
    await page.get_by_role("button", name="确认下单").click()
    await page.get_by_role("heading", name="下单成功").wait_for()
    number = await page.locator("#order-number").inner_text()
    assert not await page.get_by_role("button", name="读出订单号").is_visible()
    await check_elder_mode(page, "nojs-3-done", axe=False)

    # The elder taps back and confirms again: the form's Idempotency-Key makes it the same order.
    await page.go_back()
    assert page.url == preview_url
    await page.get_by_role("button", name="确认下单").click()
    await page.get_by_role("heading", name="下单成功").wait_for()
    assert await page.locator("#order-number").inner_text() == number
    assert await MealOrder.count() == 1


async def test_refusals_are_said_on_the_page_in_plain_chinese(page, elder):
    await page.goto("/c/C1")
    await page.fill("#qty-A", "1")
    await page.fill("#card_no", elder["card_no"])
    await page.fill("#pin", "111111")
    await page.get_by_role("button", name="下一步").click()
    error = page.get_by_role("alert")
    assert "还可再试 4 次" in await error.inner_text()
    # What was chosen stays chosen; the PIN is never written back into the page.
    assert await page.locator("#qty-A").input_value() == "1"
    assert await page.locator("#card_no").input_value() == elder["card_no"]
    assert await page.locator("#pin").input_value() == ""
    await check_elder_mode(page, "error-pin")

    await page.fill("#pin", PIN)
    await page.locator("input[name=cash_allowed]").uncheck()
    await page.get_by_role("button", name="下一步").click()
    assert "您又选了不付现金" in await error.inner_text()
    await shoot(page, "elder-error-no-cash")

    for _ in range(5):  # the right PIN above started the count again
        await page.fill("#pin", "111111")
        await page.get_by_role("button", name="下一步").click()
    assert "爱心卡已锁定" in await error.inner_text()
    assert "{" not in await error.inner_text()
    await shoot(page, "elder-error-locked")

    unknown = await page.goto("/c/NOPE")
    assert unknown.status == 404
    assert "没有编号为 NOPE 的食堂" in await page.locator("main").inner_text()
