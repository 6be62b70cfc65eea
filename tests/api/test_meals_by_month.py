"""GET /reports/meals/monthly: person-times per month, for the back office's 双倍增 chart."""

from datetime import date

from tests.api.test_reports import _menu, _order
from tests.problems import assert_problem
from zhucan.access import Staff
from zhucan.ordering import service as ordering


async def test_months_count_live_orders_by_meal_date(factory):
    await factory.canteen("C1")
    elder = await factory.elder(age=82)
    for day in (date(2025, 1, 10), date(2025, 1, 31), date(2025, 3, 2), date(2024, 12, 31)):
        await _menu("C1", day)
        placed = await _order("C1", elder["elder_id"], day)
    await ordering.cancel_order(placed["order_id"], Staff(id=0, username="admin", role="admin"))
    response = await factory.client.get(
        "/api/v1/reports/meals/monthly?year=2025", headers=await factory.admin()
    )
    assert response.status_code == 200, response.text
    months = response.json()
    assert [m["month"] for m in months] == [f"2025-{m:02d}" for m in range(1, 13)]
    assert [m["meals"] for m in months][:4] == [2, 0, 1, 0]
    assert sum(m["meals"] for m in months) == 3  # 2024-12-31 was cancelled and is another year


async def test_monthly_meals_are_for_admins(factory):
    url = "/api/v1/reports/meals/monthly?year=2025"
    assert_problem(await factory.client.get(url, headers=await factory.headers("operator")), 403)
    assert_problem(
        await factory.client.get(
            "/api/v1/reports/meals/monthly?year=1999", headers=await factory.admin()
        ),
        400,
        "year",
    )
