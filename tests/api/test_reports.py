"""Settlement (JSON, CSV, XLSX) reconciled with the ledger after a simulated month, the meal
report against its targets, an elder's statement, and the welfare signal."""

from __future__ import annotations

import csv
import io
from datetime import date, time, timedelta

from openpyxl import load_workbook

from tests.meals import assert_ledger_balanced, card_order, dish, publish_menu, topup
from tests.problems import assert_problem
from zhucan.access import Staff
from zhucan.clock import today as service_today
from zhucan.menus.schemas import MenuIn, MenuItemIn
from zhucan.menus.service import put_menu
from zhucan.money.tables import Account
from zhucan.ordering import service as ordering
from zhucan.ordering.schemas import OrderIn
from zhucan.subsidies import rules as subsidy_rules
from zhucan.subsidies import service as subsidies

NOON = time(9, 0)


def _today(factory) -> date:
    return service_today(factory.settings.tz)


async def _menu(code: str, day: date, slot: str = "lunch", price_fen: int = 1500) -> None:
    await put_menu(
        code, day, slot, MenuIn(items=[MenuItemIn(dish_id="A", name="套餐", price_fen=price_fen)])
    )


async def _order(
    code: str, elder_id: int, day: date, channel: str = "counter", slot: str = "lunch", **fields
) -> dict:
    """An order placed on `day` itself, as the canteen's terminal would have then."""
    placer = ordering.Placer(elder_id, channel, None if channel == "qr" else "sim")
    data = OrderIn(
        canteen=code,
        elder_id=None if channel == "qr" else elder_id,
        items=[{"dish_id": "A", "qty": 1}],
        meal_date=day,
        slot=slot,
        **fields,
    )
    return (await ordering.place_order(data, placer, day, NOON)).model_dump(mode="json")


async def _balances_by_kind() -> dict[str, int]:
    totals: dict[str, int] = {}
    for r in await Account.select(Account.kind, Account.balance):
        totals[r["kind"]] = totals.get(r["kind"], 0) + r["balance"]
    return totals


async def _settlement(factory, month: str) -> dict:
    response = await factory.client.get(
        f"/api/v1/reports/settlement?month={month}", headers=await factory.admin()
    )
    assert response.status_code == 200, response.text
    return response.json()


# ---------------------------------------------------------------- reconciliation


async def test_a_simulated_month_reconciles_with_the_ledger_to_the_fen(factory):
    """Orders on every channel, cancellations, top-ups, the monthly issue, a time-bank credit and
    the expiry a year later: the settlement equals the ledger, nothing is negative."""
    await factory.canteen("C1")
    await factory.canteen("C2", region="D-S-C2")
    elders = [
        await factory.elder(age=age, categories=cats)
        for age, cats in [(70, ["tekun"]), (83, []), (92, ["dibian"]), (66, []), (75, ["youfu"])]
    ]
    ids = [e["elder_id"] for e in elders]
    month_start = subsidy_rules.add_months(_today(factory), -1)
    month = subsidy_rules.month_key(month_start)
    issued = await subsidies.issue_month(month, _today(factory), factory.settings.tz, "admin")
    topups = {"government": 3000, "charity": 2000, "family": 1500}
    for source, amount in topups.items():
        await topup(factory, ids[3], amount, source)
    helper_entry = await factory.post(
        "/timebank/entries",
        {
            "helped_elder_id": ids[2],
            "helper_elder_id": ids[3],
            "service_date": str(month_start),
            "minutes": 60,
        },
    )
    credited = await factory.post(
        f"/timebank/entries/{helper_entry['entry_id']}/approve", {}, expect=200
    )
    admin = Staff(id=0, username="admin", role="admin")
    channels = ["qr", "counter", "proxy", "hotline"]
    cancelled = 0
    for day_no in range(20):
        day = month_start + timedelta(days=day_no)
        for code in ("C1", "C2"):
            await _menu(code, day, "lunch", 1500 + 100 * day_no)
            await _menu(code, day, "dinner", 900)
        for i, elder_id in enumerate(ids):
            code = "C1" if (i + day_no) % 2 else "C2"
            order = await _order(
                code,
                elder_id,
                day,
                channels[(i + day_no) % 4],
                use_points=day_no == 0 and i % 2 == 0,
            )
            if day_no % 5 == i:
                await _order(code, elder_id, day, slot="dinner", use_points=False)
            if (i * 7 + day_no) % 9 == 0:
                await ordering.cancel_order(order["order_id"], admin)
                cancelled += 1
    expired = await subsidies.expire_points(
        subsidy_rules.add_months(month_start, 12), factory.settings.tz, "admin"
    )
    assert cancelled > 0 and expired.points > 0

    report = await _settlement(factory, month)
    totals = report["totals"]
    assert totals["orders"] == 20 * 5 + 20 - cancelled
    kinds = await _balances_by_kind()
    receivable = {
        r["code"]: r["balance"]
        for r in await Account.select(Account.canteen.code.as_alias("code"), Account.balance).where(
            Account.kind == "canteen_receivable"
        )
    }
    cash = {
        r["code"]: r["balance"]
        for r in await Account.select(Account.canteen.code.as_alias("code"), Account.balance).where(
            Account.kind == "cash"
        )
    }
    for canteen in report["canteens"]:
        assert receivable[canteen["code"]] == canteen["total_fen"]
        assert cash.get(canteen["code"], 0) == canteen["cash_fen"]
        assert canteen["total_fen"] == (
            canteen["government_fen"] + canteen["card_fen"] + canteen["cash_fen"]
        )
    assert kinds["subsidy_fund"] == (
        topups["government"] + issued.card_fen + totals["government_fen"]
    )
    assert kinds["charity_fund"] == topups["charity"]
    assert kinds["family_topups"] == topups["family"]
    assert kinds["elder_card"] == sum(topups.values()) + issued.card_fen - totals["card_fen"]
    assert kinds["points_fund"] == issued.points + credited["points"] - expired.points
    assert kinds["points_redeemed"] == totals["points"]
    assert kinds["elder_points"] == kinds["points_fund"] - kinds["points_redeemed"]
    assert min(kinds.values()) >= 0
    await assert_ledger_balanced(factory)


# ---------------------------------------------------------------- the three formats


async def test_settlement_csv_and_xlsx_carry_the_json_figures(factory):
    await factory.canteen("C1")
    await publish_menu(factory, [dish("A", 1850)])
    elder = await factory.elder(categories=["dibao"])
    await topup(factory, elder["elder_id"], 777)
    order = (await card_order(factory, elder)).json()
    month = order["meal_date"][:7]
    report = await _settlement(factory, month)
    assert report["canteens"][0] | {"name": ""} == report["totals"] | {"code": "C1", "name": ""}
    assert (
        report["totals"]["subsidy_fen"],
        report["totals"]["card_fen"],
        report["totals"]["cash_fen"],
    ) == (800, 777, 1850 - 800 - 777)

    response = await factory.client.get(
        f"/api/v1/reports/settlement.xlsx?month={month}", headers=await factory.admin()
    )
    assert response.status_code == 200
    assert "spreadsheetml" in response.headers["content-type"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header, last = rows[0], rows[-1]
    assert header[:3] == ("食堂编号", "食堂名称", "有效订单数")
    assert "政府应付合计（元）" in header and last[0] == "合计"
    figures = dict(zip(header, last, strict=True))
    assert figures["有效订单数"] == report["totals"]["orders"]
    assert figures["政府餐费补贴（分）"] == report["totals"]["subsidy_fen"]
    assert figures["爱心卡支付（分）"] == report["totals"]["card_fen"]
    assert figures["现金收款（分）"] == report["totals"]["cash_fen"]
    assert figures["餐费合计（分）"] == report["totals"]["total_fen"]
    assert float(figures["餐费合计（元）"]) == 18.50

    response = await factory.client.get(
        f"/api/v1/reports/settlement.csv?month={month}", headers=await factory.admin()
    )
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert table[0] == list(header)
    assert table[-1][0] == "合计" and table[-1][header.index("餐费合计（元）")] == "18.50"


async def test_settlement_refusals(factory):
    assert_problem(
        await factory.client.get(
            "/api/v1/reports/settlement?month=2026-1", headers=await factory.admin()
        ),
        400,
        "month",
    )
    for path in ("settlement", "settlement.csv", "settlement.xlsx"):  # 9999-12 has no end
        assert_problem(
            await factory.client.get(
                f"/api/v1/reports/{path}?month=9999-12", headers=await factory.admin()
            ),
            400,
            "month",
        )
    assert_problem(
        await factory.client.get("/api/v1/reports/settlement", headers=await factory.admin()),
        400,
        "month：缺少查询参数",
    )
    assert (
        await factory.client.get(
            "/api/v1/reports/settlement.xlsx?month=2026-01",
            headers=await factory.headers("operator"),
        )
    ).status_code == 403
    empty = await _settlement(factory, "2020-02")
    assert empty["canteens"] == [] and empty["totals"]["orders"] == 0


# ---------------------------------------------------------------- meal report


async def test_meal_report_counts_channels_coverage_and_compares_with_targets(factory):
    await factory.canteen("C1")
    elder = await factory.elder(categories=["tekun"])
    other = await factory.elder(age=70)
    year = _today(factory).year
    day = date(year, 1, 10)
    await _menu("C1", day)
    await _menu("C1", day, "dinner")
    await _order("C1", elder["elder_id"], day, "qr")
    await _order("C1", elder["elder_id"], day, "hotline", slot="dinner")
    gone = await _order("C1", other["elder_id"], day, "proxy")
    await ordering.cancel_order(gone["order_id"], Staff(id=0, username="admin", role="admin"))
    await _order("C1", other["elder_id"], day, "counter", slot="dinner")
    last_year = date(year - 1, 3, 1)
    await _menu("C1", last_year)
    await _order("C1", other["elder_id"], last_year, "counter")

    response = await factory.client.get(
        f"/api/v1/reports/meals?year={year}&baseline={year - 1}", headers=await factory.admin()
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["meals"], report["elders"], report["subsidised_meals"]) == (3, 2, 3)
    assert report["by_channel"] == {"qr": 1, "proxy": 0, "hotline": 1, "counter": 1}
    assert (report["communities"], report["covered_communities"]) == (2, 1)
    assert report["coverage_ratio"] == 0.5
    assert (report["baseline_meals"], report["meals_growth"]) == (1, 2.0)
    assert report["elders_growth"] == 1.0
    assert report["targets"] == {"coverage_ratio": 0.92, "meals": 930000}
    assert report["on_track"] is False
    default = (
        await factory.client.get("/api/v1/reports/meals?year=2023", headers=await factory.admin())
    ).json()
    assert default["baseline_year"] == 2023 and default["meals_growth"] is None
    assert_problem(
        await factory.client.get("/api/v1/reports/meals?year=1999", headers=await factory.admin()),
        400,
        "year",
    )


# ---------------------------------------------------------------- statement


async def test_statement_lists_every_movement_with_its_reason(factory):
    await factory.canteen("C1")
    await publish_menu(factory, [dish("A", 1200)])
    elder = await factory.elder(age=82)
    url = f"/api/v1/elders/{elder['elder_id']}/statement"
    await subsidies.issue_month(
        subsidy_rules.month_key(_today(factory)), _today(factory), factory.settings.tz, "admin"
    )
    await topup(factory, elder["elder_id"], 1000, "family")
    order = (await card_order(factory, elder)).json()
    response = await factory.client.post(
        f"/api/v1/orders/{order['order_id']}/cancel",
        headers=await factory.admin() | {"Idempotency-Key": "c1"},
    )
    assert response.status_code == 200
    statement = (await factory.client.get(url, headers=await factory.admin())).json()
    reasons = [line["reason"] for line in statement["lines"]]
    assert reasons[0].startswith("月度发放") and reasons[1].startswith("爱心卡充值")
    assert reasons[2] == f"订餐支付（订单 {order['order_id']}）"
    assert reasons[3] == f"取消订单退回（订单 {order['order_id']}）"
    assert statement["lines"][0]["card_fen"] == 5000 and statement["lines"][0]["points"] == 200
    assert statement["lines"][2]["card_fen"] == -order["card_fen"]
    assert statement["lines"][2]["points"] == -order["points_used"]
    assert (statement["closing_card_fen"], statement["closing_points"]) == (6000, 200)
    assert statement["lines"][-1]["card_balance_fen"] == 6000
    tomorrow = _today(factory) + timedelta(days=1)
    later = (
        await factory.client.get(
            f"{url}?from={tomorrow}&to={tomorrow}", headers=await factory.admin()
        )
    ).json()
    assert later["lines"] == [] and later["opening_card_fen"] == 6000
    assert_problem(
        await factory.client.get(
            f"{url}?from={tomorrow}&to={_today(factory)}", headers=await factory.admin()
        ),
        400,
        "to",
    )
    assert (
        await factory.client.get(url, headers=await factory.headers("family"))
    ).status_code == 403
    assert (
        await factory.client.get(url, headers=await factory.headers("operator"))
    ).status_code == 200


# ---------------------------------------------------------------- welfare signal


async def test_welfare_alert_for_a_regular_who_stopped_coming_until_visited(factory):
    await factory.canteen("C1")
    regular = await factory.elder(lives_alone=True)
    occasional = await factory.elder(lives_alone=True)
    not_alone = await factory.elder(lives_alone=False)
    today = _today(factory)
    for back in range(16, 4, -1):  # 12 days of meals, the last 5 days ago
        day = today - timedelta(days=back)
        await _menu("C1", day)
        await _order("C1", regular["elder_id"], day)
        await _order("C1", not_alone["elder_id"], day)
        if back % 4 == 0:
            await _order("C1", occasional["elder_id"], day)
    alerts = (
        await factory.client.get(
            "/api/v1/welfare/alerts", headers=await factory.headers("operator")
        )
    ).json()
    assert [(a["elder_id"], a["kind"]) for a in alerts] == [(regular["elder_id"], "no_meal")]
    assert alerts[0]["since"] == str(today - timedelta(days=4))
    assert alerts[0]["community"] == "D-S-C1" and "*" in alerts[0]["name"]
    volunteer = await factory.staff("volunteer")
    assert (
        await factory.client.get("/api/v1/welfare/alerts", headers=factory.headers_for(volunteer))
    ).json() == []
    assert (
        await factory.client.post(
            f"/api/v1/welfare/alerts/{regular['elder_id']}/visits",
            json={"note": "已上门"},
            headers=factory.headers_for(volunteer),
        )
    ).status_code == 403
    await factory.post(f"/elders/{regular['elder_id']}/links", {"username": volunteer.username})
    mine = (
        await factory.client.get("/api/v1/welfare/alerts", headers=factory.headers_for(volunteer))
    ).json()
    assert [a["elder_id"] for a in mine] == [regular["elder_id"]]
    visit = await factory.client.post(
        f"/api/v1/welfare/alerts/{regular['elder_id']}/visits",
        json={"note": "老人感冒在家，已送药"},
        headers=factory.headers_for(volunteer),
    )
    assert visit.status_code == 201, visit.text
    assert (
        await factory.client.get("/api/v1/welfare/alerts", headers=await factory.admin())
    ).json() == []
    assert (
        await factory.client.get(
            "/api/v1/welfare/alerts", headers=await factory.headers("inspector")
        )
    ).status_code == 403
    assert_problem(
        await factory.client.post(
            f"/api/v1/welfare/alerts/{regular['elder_id']}/visits",
            json={"note": ""},
            headers=await factory.admin(),
        ),
        400,
        "note",
    )


async def test_welfare_alert_when_a_delivery_found_nobody_home(factory):
    await factory.canteen("C1")
    staff = await factory.staff("canteen_staff", canteen="C1")
    elder = await factory.elder(lives_alone=True)
    today = _today(factory)
    await _menu("C1", today)
    order = await _order("C1", elder["elder_id"], today, fulfilment="delivery")
    response = await factory.client.post(
        f"/api/v1/orders/{order['order_id']}/status",
        json={"status": "not_home"},
        headers=factory.headers_for(staff),
    )
    assert response.status_code == 200, response.text
    alerts = (
        await factory.client.get(
            "/api/v1/welfare/alerts?community=D-S-C1", headers=await factory.admin()
        )
    ).json()
    assert [(a["kind"], a["since"]) for a in alerts] == [("not_home", str(today))]
    assert (
        await factory.client.get(
            "/api/v1/welfare/alerts?community=D-S-C2", headers=await factory.admin()
        )
    ).json() == []
    await factory.post(f"/welfare/alerts/{elder['elder_id']}/visits", {"note": "邻居说去女儿家了"})
    assert (
        await factory.client.get("/api/v1/welfare/alerts", headers=await factory.admin())
    ).json() == []


async def test_meal_targets_load_from_their_data_file_with_checks(factory, tmp_path):
    from zhucan.data_files import DataFileError, load_paths

    path = tmp_path / "meal_targets.toml"
    path.write_text("baseline_year = 2024\n[meals.2026]\ncoverage_ratio = 1.5\nmeals = 10\n")
    try:
        await load_paths([path])
    except DataFileError as exc:
        assert "meal_targets.toml" in str(exc) and "meals.2026.coverage_ratio" in str(exc)
    else:
        raise AssertionError("a coverage ratio above 1 was accepted")
    path.write_text("baseline_year = 2024\n[meals.2026]\ncoverage_ratio = 0.5\nmeals = 10\n")
    assert (await load_paths([path])).by_kind == {"meal_targets": 1}
    assert (await load_paths([path])).changed == 0
    report = (
        await factory.client.get("/api/v1/reports/meals?year=2026", headers=await factory.admin())
    ).json()
    assert report["baseline_year"] == 2024
    assert report["targets"] == {"coverage_ratio": 0.5, "meals": 10}


async def test_a_canteen_name_that_looks_like_a_formula_is_exported_as_text(factory):
    """OWASP CSV injection: the clerk's spreadsheet must show the name, not run it."""
    evil = '=HYPERLINK("http://evil.example","点我")'
    await factory.canteen("C1", name=evil)
    await publish_menu(factory, [dish("A", 1200)])
    elder = await factory.elder()
    await topup(factory, elder["elder_id"], 5000)
    month = (await card_order(factory, elder)).json()["meal_date"][:7]
    admin = await factory.admin()

    response = await factory.client.get(
        f"/api/v1/reports/settlement.csv?month={month}", headers=admin
    )
    table = list(csv.reader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert table[1][:2] == ["C1", "'" + evil]

    response = await factory.client.get(
        f"/api/v1/reports/settlement.xlsx?month={month}", headers=admin
    )
    cell = load_workbook(io.BytesIO(response.content)).active.cell(2, 2)
    assert (cell.value, cell.data_type) == (evil, "s")
