"""Reports: the monthly settlement with the canteens (JSON, CSV, XLSX), the yearly meal report
against the plan's targets, an elder's statement of account, and the welfare signal. The figures
come from reports.queries, aggregated in SQL."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Font

from zhucan.access import Staff, elder_scope
from zhucan.clock import now_utc
from zhucan.data_files import read_toml, validate
from zhucan.db.tx import write_transaction
from zhucan.errors import BadInput
from zhucan.money.rules import ELDER_KINDS, balance_change
from zhucan.people import rules as people_rules
from zhucan.people import service as people
from zhucan.reports import queries, rules
from zhucan.reports.schemas import (
    MealReport,
    MealTargetsFile,
    MonthMeals,
    SettlementCanteen,
    SettlementOut,
    SettlementTotals,
    Statement,
    VisitIn,
    VisitOut,
    WelfareAlert,
)
from zhucan.settings import PROJECT_ROOT
from zhucan.subsidies.rules import add_months, parse_month

MEAL_TARGETS_FILE = PROJECT_ROOT / "kitchens" / "meal_targets.toml"
MEAL_TARGETS = "meal_targets"  # its name in report_config
CHANNELS = ("qr", "proxy", "hotline", "counter")

# ---------------------------------------------------------------- meal targets (data file)


def read_meal_targets(path: Path) -> MealTargetsFile:
    return validate(path, MealTargetsFile, read_toml(path))


async def load_meal_targets_file(path: Path) -> int:
    """kitchens/meal_targets.toml → the targets the meal report compares with."""
    body = read_meal_targets(path).model_dump_json()
    stored = await queries.config(MEAL_TARGETS)
    if stored == body:
        return 0
    if stored is None:
        await queries.add_config(MEAL_TARGETS, body, now_utc())
    else:
        await queries.replace_config(MEAL_TARGETS, body, now_utc())
    return 1


async def meal_targets() -> MealTargetsFile:
    stored = await queries.config(MEAL_TARGETS)
    if stored is None:
        return read_meal_targets(MEAL_TARGETS_FILE)
    return MealTargetsFile.model_validate_json(stored)


# ---------------------------------------------------------------- settlement


def _month_range(month: str) -> tuple[date, date]:
    try:
        start = parse_month(month)
    except ValueError as exc:
        raise BadInput(f"month：{exc}", field="month") from None
    return start, add_months(start, 1)


async def settlement(month: str) -> SettlementOut:
    """Per canteen, the month's live orders by meal date: what the government owes (subsidy and
    what the points were worth), what the 爱心卡 paid, what was paid in cash."""
    start, end = _month_range(month)
    canteens = sorted(
        (
            SettlementCanteen(**r, government_fen=rules.government_fen(r))
            for r in await queries.settlement(start, end)
        ),
        key=lambda c: c.code,
    )
    fields = SettlementTotals.model_fields
    totals = SettlementTotals(**{f: sum(getattr(c, f) for c in canteens) for f in fields})
    return SettlementOut(month=month, canteens=canteens, totals=totals)


# (field, column title, fen: also shown as yuan) in the order a finance clerk reads them.
COLUMNS = [
    ("code", "食堂编号", False),
    ("name", "食堂名称", False),
    ("orders", "有效订单数", False),
    ("subsidy_fen", "政府餐费补贴", True),
    ("points", "使用敬老分（分）", False),
    ("points_fen", "敬老分抵扣", True),
    ("government_fen", "政府应付合计", True),
    ("card_fen", "爱心卡支付", True),
    ("cash_fen", "现金收款", True),
    ("total_fen", "餐费合计", True),
]


def _header() -> list[str]:
    titles = []
    for _, title, fen in COLUMNS:
        titles += [f"{title}（分）", f"{title}（元）"] if fen else [title]
    return titles


def _cells(row: dict, as_yuan) -> list:
    cells = []
    for field, _, fen in COLUMNS:
        cells += [row[field], as_yuan(row[field])] if fen else [row[field]]
    return cells


def _table(report: SettlementOut, as_yuan) -> list[list]:
    totals = report.totals.model_dump() | {"code": "合计", "name": ""}
    return [_cells(c.model_dump(), as_yuan) for c in report.canteens] + [_cells(totals, as_yuan)]


async def settlement_csv(month: str) -> str:
    report = await settlement(month)
    out = io.StringIO()
    # A byte-order mark, so that Excel on a clerk's PC reads the Chinese as UTF-8.
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(_header())
    writer.writerows([rules.as_text(cell) for cell in row] for row in _table(report, rules.yuan))
    return out.getvalue()


async def settlement_xlsx(month: str) -> bytes:
    report = await settlement(month)
    book = Workbook()
    sheet = book.active
    sheet.title = f"{month} 结算"
    sheet.append(_header())
    for row in _table(report, lambda fen: Decimal(rules.yuan(fen))):
        sheet.append(row)
    # openpyxl stores a text beginning with "=" as a formula; no cell of a report is one.
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if cell.data_type == "f":
                cell.data_type = "s"
    bold = Font(bold=True)
    for cell in [*sheet[1], *sheet[sheet.max_row]]:
        cell.font = bold
    for i, title in enumerate(_header(), start=1):
        letter = sheet.cell(1, i).column_letter
        sheet.column_dimensions[letter].width = max(10, 2 * len(title) + 2)
        if title.endswith("（元）"):
            for (cell,) in sheet.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.number_format = "#,##0.00"
    sheet.freeze_panes = "C2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# ---------------------------------------------------------------- meals of a year


async def _year_figures(year: int) -> tuple[dict[str, int], int, int]:
    """(meals by channel, distinct elders, subsidised meals) of the live orders of `year`."""
    start, end = date(year, 1, 1), date(year + 1, 1, 1)
    by_channel = {c: 0 for c in CHANNELS}
    subsidised = 0
    for r in await queries.meals_by_channel(start, end):
        by_channel[r["channel"]] = r["meals"]
        subsidised += r["subsidised"]
    return by_channel, await queries.elders_served(start, end), subsidised


async def meal_report(year: int, baseline_year: int | None) -> MealReport:
    targets = await meal_targets()
    baseline_year = baseline_year or targets.baseline_year
    by_channel, elders, subsidised = await _year_figures(year)
    base_channels, base_elders, _ = await _year_figures(baseline_year)
    meals, base_meals = sum(by_channel.values()), sum(base_channels.values())
    communities = await queries.communities()
    covered = await queries.covered_communities()
    coverage = rules.ratio(covered, communities)
    target = targets.meals.get(year)
    return MealReport(
        year=year,
        meals=meals,
        elders=elders,
        by_channel=by_channel,
        subsidised_meals=subsidised,
        communities=communities,
        covered_communities=covered,
        coverage_ratio=coverage,
        baseline_year=baseline_year,
        baseline_meals=base_meals,
        baseline_elders=base_elders,
        meals_growth=rules.growth(meals, base_meals),
        elders_growth=rules.growth(elders, base_elders),
        targets=target,
        on_track=None
        if target is None
        else rules.on_track(target.coverage_ratio, target.meals, coverage, meals),
    )


async def meals_by_month(year: int) -> list[MonthMeals]:
    """Live orders (person-times) of each month of `year`, months without orders included."""
    counts = {f"{year}-{m:02d}": 0 for m in range(1, 13)}
    by_day = await queries.meals_by_day(date(year, 1, 1), date(year + 1, 1, 1))
    for day, meals in by_day.items():
        counts[day.strftime("%Y-%m")] += meals
    return [MonthMeals(month=m, meals=n) for m, n in counts.items()]


# ---------------------------------------------------------------- an elder's statement


def _start_of(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tz).astimezone(UTC)


async def statement(elder_id: int, date_from: date, date_to: date, tz: ZoneInfo) -> Statement:
    """Every movement of the elder's 爱心卡 and 敬老分 in the days from–to (both inclusive, in
    the service's time zone), with the balance after each."""
    if date_to < date_from:
        raise BadInput("to：结束日期不能早于开始日期 from", field="to")
    start, end = _start_of(date_from, tz), _start_of(date_to + timedelta(days=1), tz)
    kinds = list(ELDER_KINDS)
    opening = {
        kind: balance_change("credit", total)
        for kind, total in (await queries.entry_sums_before(elder_id, kinds, start)).items()
    }
    lines = rules.statement_lines(
        opening.get("elder_card", 0),
        opening.get("elder_points", 0),
        await queries.entries_between(elder_id, kinds, start, end),
    )
    card = lines[-1].card_balance_fen if lines else opening.get("elder_card", 0)
    points = lines[-1].points_balance if lines else opening.get("elder_points", 0)
    return Statement(
        elder_id=elder_id,
        from_date=date_from,
        to_date=date_to,
        opening_card_fen=opening.get("elder_card", 0),
        opening_points=opening.get("elder_points", 0),
        closing_card_fen=card,
        closing_points=points,
        lines=lines,
    )


# ---------------------------------------------------------------- welfare signal


async def welfare_alerts(staff: Staff, today: date, community: str | None) -> list[WelfareAlert]:
    """Elders living alone whom the programme should go and see (rules.welfare_signals)."""
    scope = elder_scope(staff, "只有管理员、热线话务员和关联的志愿者、家属可以查看关爱提醒")
    first, last = rules.usual_window(today)
    usual, last_meal, not_home = await queries.meal_facts(
        first, last, today, linked_to=scope.linked_to, community=community
    )
    candidates = sorted({e for e, n in usual.items() if n >= rules.USUAL_MEALS} | set(not_home))
    if not candidates:
        return []
    visits = await queries.last_visits(candidates)
    info = await queries.elders_to_visit(candidates)
    alerts = []
    for elder_id in candidates:
        facts = rules.MealFacts(
            usual_meals=usual.get(elder_id, 0),
            last_meal=last_meal.get(elder_id),
            last_not_home=not_home.get(elder_id),
            last_visit=visits.get(elder_id),
        )
        e = info[elder_id]
        alerts += [
            WelfareAlert(
                elder_id=elder_id,
                name=people_rules.mask_name(e["name"]),
                community=e["community"],
                community_name=e["community_name"],
                address=e["address"],
                kind=s.kind,
                since=s.since,
                reason=s.text,
            )
            for s in rules.welfare_signals(facts, today)
        ]
    return alerts


async def record_visit(elder_id: int, data: VisitIn, staff: Staff, today: date) -> VisitOut:
    await people.ensure_can_view(staff, elder_id)
    visited_on = data.visited_on or today
    if visited_on > today:
        raise BadInput(f"visited_on：探访日期 {visited_on} 还没到", field="visited_on")

    visit_id = await write_transaction(
        lambda: queries.add_visit(
            elder_id, visited_on, data.note.strip(), staff.username, now_utc()
        )
    )
    return VisitOut(
        visit_id=visit_id,
        elder_id=elder_id,
        visited_on=visited_on,
        note=data.note.strip(),
        visited_by=staff.username,
    )
