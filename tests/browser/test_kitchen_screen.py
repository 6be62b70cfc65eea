"""The kitchen screen shows a new order and its portions without a reload, and moves it on."""

from __future__ import annotations

from tests.browser.conftest import shoot
from tests.browser.test_volunteer_console import sign_in
from tests.meals import card_order, dish, publish_menu
from zhucan.ordering.tables import MealOrder

COUNTER = {"width": 1280, "height": 800}


async def test_a_new_order_appears_on_the_kitchen_screen_without_a_reload(new_page, factory):
    await factory.canteen("C1", name="幸福里老年食堂")
    await publish_menu(factory, [dish("A", 1200, name="清蒸鱼", quota=30), dish("B", 800)])
    await factory.staff("canteen_staff", username="chef", canteen="C1")
    elder = await factory.elder(diet=["low_salt"], allergies=["海鲜"])

    page = await new_page(viewport=COUNTER)
    await sign_in(page, "chef")
    await page.get_by_role("heading", name="各菜份数").wait_for()
    assert page.url.endswith("/k/C1")
    await page.get_by_text("最近更新").wait_for()
    await page.evaluate("window.sameDocument = true")  # gone if the page ever reloads

    placed = await card_order(factory, elder, items=[("A", 2)], confirm_diet_clash=True)
    assert placed.status_code == 201, placed.text
    order_id = placed.json()["order_id"]
    ticket = page.locator(f"li[data-order='{order_id}']")
    await ticket.wait_for()
    assert "清蒸鱼 × 2" in await ticket.inner_text()
    assert "忌海鲜" in await ticket.inner_text()
    assert await page.locator("#portions tr", has_text="清蒸鱼").inner_text() == "清蒸鱼\t2\t30"
    assert await page.evaluate("window.sameDocument") is True
    await shoot(page, "kitchen-new-order")

    await ticket.get_by_role("button", name="备餐中").click()
    await ticket.locator(".status", has_text="备餐中").wait_for()
    await ticket.get_by_role("button", name="已取餐").click()
    await ticket.locator(".status", has_text="已取餐").wait_for()
    assert (await MealOrder.select(MealOrder.status).first())["status"] == "served"
    await shoot(page, "kitchen-served")
