"""A volunteer signs in on a phone, orders for a linked elder (a diet clash confirmed with
"仍然下单") and marks the delivery."""

from __future__ import annotations

from tests.browser.conftest import axe_violations, shoot
from tests.meals import dish, publish_menu
from zhucan.ordering.tables import MealOrder


async def sign_in(page, username: str, then: str = "") -> None:
    await page.goto("/login" + (f"?next={then}" if then else ""))
    await page.get_by_label("用户名").fill(username)
    await page.get_by_label("密码").fill("password-123")
    await shoot(page, "login")
    await page.get_by_role("button", name="登录").click()


async def test_a_volunteer_orders_for_a_linked_elder_and_marks_it_delivered(page, factory):
    await factory.canteen("C1", name="幸福里老年食堂")
    await publish_menu(
        factory,
        [
            dish("A", 1200, name="清蒸鱼", tags=["soft"]),
            dish("B", 900, name="花生猪蹄", allergens=["花生"]),
        ],
    )
    elder = await factory.elder(allergies=["花生"], name="李秀英")
    volunteer = await factory.staff("volunteer", username="xiaowang")
    await factory.post(f"/elders/{elder['elder_id']}/links", {"username": "xiaowang"})

    await sign_in(page, volunteer.username)
    await page.get_by_role("heading", name="我关联的老人").wait_for()
    assert page.url.endswith("/v")
    await page.get_by_role("button", name="为 李*英 点餐").click()
    await page.get_by_label("食堂").select_option("C1")
    await page.get_by_label("清蒸鱼").fill("1")
    await page.get_by_label("取餐方式").select_option("delivery")
    await page.get_by_role("button", name="预览付款").click()
    await page.get_by_role("button", name="确认下单").wait_for()
    assert "¥12.00" in await page.locator(".preview").inner_text()
    await shoot(page, "volunteer-preview")
    assert await axe_violations(page) == []
    await page.get_by_role("button", name="确认下单").click()
    await page.locator(".order-id").wait_for()
    first = await MealOrder.select().first()
    assert await page.locator(".order-id").inner_text() == str(first["id"])
    assert (first["channel"], first["placed_by"], first["fulfilment"]) == (
        "proxy",
        "xiaowang",
        "delivery",
    )

    # A dish with the elder's allergen: the API names it, the volunteer confirms with the elder.
    await page.get_by_label("清蒸鱼").fill("0")
    await page.get_by_label("花生猪蹄").fill("1")
    await page.get_by_role("button", name="预览付款").click()
    warning = page.get_by_role("alert").filter(has_text="花生")
    assert "花生猪蹄（含过敏原花生）" in await warning.inner_text()
    await shoot(page, "volunteer-diet-clash")
    await page.get_by_role("button", name="仍然下单").click()
    await page.locator(".order-id").wait_for()
    assert await MealOrder.count() == 2
    second = await MealOrder.select().order_by(MealOrder.id, ascending=False).first()
    assert second["diet_clash_confirmed"]

    delivery = page.locator(f"li[data-order='{first['id']}']")
    await delivery.get_by_role("button", name="已送达").click()
    await delivery.get_by_text("已送达").first.wait_for()
    await (
        page.locator(f"li[data-order='{first['id']}'] .status").filter(has_text="已送达").wait_for()
    )
    await shoot(page, "volunteer-delivered")
    assert (await MealOrder.select(MealOrder.status).where(MealOrder.id == first["id"]).first())[
        "status"
    ] == "delivered"


async def test_sign_in_follows_next_only_to_a_page_of_this_site(page, factory):
    await factory.staff("volunteer", username="xiaoli")
    await factory.staff("volunteer", username="xiaozhao")
    # "/\" is read by browsers as "//": a link to another site dressed as a path.
    await sign_in(page, "xiaoli", then="/%5Cevil.example/phish")
    await page.get_by_role("heading", name="我关联的老人").wait_for()
    assert page.url.endswith("/v")  # the volunteer's own home, on this site
    await page.context.clear_cookies()
    await page.evaluate("sessionStorage.clear(); localStorage.clear()")
    await sign_in(page, "xiaozhao", then="/v%3Ffrom%3Dlogin")
    await page.get_by_role("heading", name="我关联的老人").wait_for()
    assert page.url.endswith("/v?from=login")
