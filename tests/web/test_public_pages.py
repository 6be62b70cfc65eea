async def test_public_canteens_page_lists_every_canteen_with_its_grade(client, factory):
    await factory.canteen("C1", name="长丰社区老年食堂")
    await factory.canteen("C2", name="学士助餐点", kind="meal_point", sunshine_level="none")
    response = await client.get("/public/canteens")
    assert response.status_code == 200
    assert "text/html" in response.headers["content-type"]
    page = response.text
    assert "长丰社区老年食堂" in page and "学士助餐点" in page
    assert "食品安全 未评级" in page  # no inspection filed yet
    assert "阳光厨房" in page and "助餐点" in page


async def test_public_canteen_page_shows_licence(client, factory):
    await factory.canteen("C1", name="长丰社区老年食堂", license_no="JY123")
    response = await client.get("/public/canteens/C1")
    assert response.status_code == 200
    assert "JY123" in response.text and "2099-12-31" in response.text
    for path in ("/public/canteens/NOPE", "/k/NOPE", "/inspect/NOPE"):  # a page, not JSON
        unknown = await client.get(path)
        assert unknown.status_code == 404, path
        assert "text/html" in unknown.headers["content-type"], path
        assert "出错了" in unknown.text and "NOPE" in unknown.text, path
