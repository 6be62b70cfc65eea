"""The read side: figures aggregated over every domain's tables for the reports, and the reports'
own tables (report_config, welfare_visit). It reads other domains' tables, never writes them.

Orders are aggregated in SQL over meal_order (covering index meal_order_report, migrations/
reports), so a month or a year of a city's orders is read without loading them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, overload

from piccolo.query.functions.aggregate import Count, Max, Sum

from zhucan.canteens.tables import Canteen
from zhucan.db import sql
from zhucan.db.engine import current_engine, is_sqlite
from zhucan.money.tables import Entry
from zhucan.ordering.tables import MealOrder
from zhucan.people.tables import Elder, ElderLink
from zhucan.regions.tables import Region
from zhucan.reports.tables import ReportConfig, WelfareVisit


@overload
def day(value: None) -> None: ...
@overload
def day(value: date | str) -> date: ...
def day(value: date | str | None) -> date | None:
    """Max() over a date column, and a grouped date column, come back as text on SQLite."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


# ---------------------------------------------------------------- report_config


async def config(name: str) -> str | None:
    """The body of a data file loaded for the reports, or None before it is loaded."""
    row = await ReportConfig.select(ReportConfig.body).where(ReportConfig.name == name).first()
    return None if row is None else row["body"]


async def add_config(name: str, body: str, at: datetime) -> None:
    await ReportConfig.insert(ReportConfig(name=name, body=body, updated_at=at)).run()


async def replace_config(name: str, body: str, at: datetime) -> None:
    await ReportConfig.update({ReportConfig.body: body, ReportConfig.updated_at: at}).where(
        ReportConfig.name == name
    )


# ---------------------------------------------------------------- live orders of a period


def _live_orders() -> str:
    """FROM and WHERE of the live orders with meal dates in [$1, $2), read through the covering
    index meal_order_report.

    SQLite's planner cannot tell how narrow a date range is and prefers walking the kitchen
    index in canteen order to save a sort, which reads every order ever placed (measured: 1.4 s
    for a month of a million orders, against 0.2 s on the range); INDEXED BY keeps it on the range.
    """
    hint = " INDEXED BY meal_order_report" if is_sqlite(current_engine()) else ""
    return (
        f"FROM meal_order{hint} WHERE meal_date >= $1 AND meal_date < $2 AND status <> 'cancelled'"
    )


async def settlement(start: date, end: date) -> list[dict]:
    """Per canteen with live orders in [start, end): code, name, orders, subsidy_fen, points,
    points_fen, card_fen, cash_fen, total_fen."""
    rows = await sql.fetch(
        "SELECT canteen, COUNT(*) AS orders, SUM(subsidy_fen) AS subsidy_fen,"
        " SUM(points_used) AS points, SUM(points_fen) AS points_fen, SUM(card_fen) AS card_fen,"
        f" SUM(cash_fen) AS cash_fen, SUM(total_fen) AS total_fen {_live_orders()}"
        " GROUP BY canteen",
        start,
        end,
    )
    names = {c["id"]: c for c in await Canteen.select(Canteen.id, Canteen.code, Canteen.name)}
    sums = ("subsidy_fen", "points", "points_fen", "card_fen", "cash_fen", "total_fen")
    return [
        {
            "code": names[r["canteen"]]["code"],
            "name": names[r["canteen"]]["name"],
            "orders": r["orders"],
            **{k: int(r[k] or 0) for k in sums},
        }
        for r in rows
    ]


async def meals_by_channel(start: date, end: date) -> list[dict]:
    """channel, meals and subsidised (meals with a subsidy) of the live orders in [start, end)."""
    return [
        {"channel": r["channel"], "meals": r["meals"], "subsidised": int(r["subsidised"])}
        for r in await sql.fetch(
            "SELECT channel, COUNT(*) AS meals,"
            " SUM(CASE WHEN subsidy_fen > 0 THEN 1 ELSE 0 END) AS subsidised"
            f" {_live_orders()} GROUP BY channel",
            start,
            end,
        )
    ]


async def elders_served(start: date, end: date) -> int:
    """How many elders had a live order in [start, end)."""
    row = await sql.fetchrow(f"SELECT COUNT(DISTINCT elder) AS n {_live_orders()}", start, end)
    assert row is not None  # an aggregate without GROUP BY answers one row
    return row["n"]


async def meals_by_day(start: date, end: date) -> dict[date, int]:
    """Live orders of each meal date in [start, end) that has any."""
    return {
        day(r["meal_date"]): r["meals"]
        for r in await sql.fetch(
            f"SELECT meal_date, COUNT(*) AS meals {_live_orders()} GROUP BY meal_date",
            start,
            end,
        )
    }


# ---------------------------------------------------------------- coverage


async def communities() -> int:
    """Regions at the community (社区/村) level."""
    return await Region.count().where(Region.depth == 2)


async def covered_communities() -> int:
    """Communities with at least one active canteen."""
    row = (
        await Canteen.select(Count(distinct=[Canteen.region], alias="n"))
        .where(Canteen.active.eq(True) & (Canteen.region.depth == 2))
        .first()
    )
    assert row is not None  # an aggregate without GROUP BY answers one row
    return row["n"]


# ---------------------------------------------------------------- an elder's statement


def _entries_of(elder_id: int, kinds: list[str]):
    return (Entry.account.elder == elder_id) & Entry.account.kind.is_in(kinds)


async def entry_sums_before(elder_id: int, kinds: list[str], start: datetime) -> dict[str, int]:
    """The sum of the entry amounts (debits positive) on each of the elder's accounts of
    `kinds` before `start`."""
    return {
        r["kind"]: int(r["total"] or 0)
        for r in await Entry.select(
            Entry.account.kind.as_alias("kind"), Sum(Entry.amount, alias="total")
        )
        .where(_entries_of(elder_id, kinds) & (Entry.transfer.created_at < start))
        .group_by(Entry.account.kind)
    }


async def entries_between(
    elder_id: int, kinds: list[str], start: datetime, end: datetime
) -> list[dict]:
    """The entries on the elder's accounts of `kinds` made in [start, end), in transfer order:
    amount, kind (of account), transfer (id), transfer_kind, key, note, at."""
    return (
        await Entry.select(
            Entry.amount,
            Entry.account.kind.as_alias("kind"),
            Entry.transfer.id.as_alias("transfer"),
            Entry.transfer.kind.as_alias("transfer_kind"),
            Entry.transfer.key.as_alias("key"),
            Entry.transfer.note.as_alias("note"),
            Entry.transfer.created_at.as_alias("at"),
        )
        .where(
            _entries_of(elder_id, kinds)
            & (Entry.transfer.created_at >= start)
            & (Entry.transfer.created_at < end)
        )
        .order_by(Entry.transfer.id)
        .order_by(Entry.id)
    )


# ---------------------------------------------------------------- welfare signal


def _watched(linked_to: int | None, community: str | None):
    """A subquery of the active elders living alone (linked to the account `linked_to`, of the
    community `community`, when given)."""
    watched = (Elder.lives_alone == True) & (Elder.status == "active")  # noqa: E712
    if linked_to is not None:
        watched &= Elder.id.is_in(
            ElderLink.select(ElderLink.elder).where(ElderLink.staff == linked_to)
        )
    if community:
        watched &= Elder.region.code == community
    return Elder.select(Elder.id).where(watched)


async def meal_facts(
    first: date, last: date, today: date, *, linked_to: int | None, community: str | None
) -> tuple[dict[int, int], dict[int, date], dict[int, date]]:
    """Of the watched elders (_watched) who have any: live meals in [first, last], the latest
    live meal date in [first, today], the latest meal date of a delivery not taken (not_home)."""
    watched_ids = _watched(linked_to, community)

    async def per_elder(value, where) -> dict[int, Any]:
        return {
            r["elder"]: r["v"]
            for r in await MealOrder.select(MealOrder.elder, value)
            .where(where & MealOrder.elder.is_in(watched_ids))
            .group_by(MealOrder.elder)
        }

    live = MealOrder.status != "cancelled"
    usual = await per_elder(
        Count(alias="v"), live & (MealOrder.meal_date >= first) & (MealOrder.meal_date <= last)
    )
    last_meal = await per_elder(
        Max(MealOrder.meal_date, alias="v"),
        live & (MealOrder.meal_date >= first) & (MealOrder.meal_date <= today),
    )
    not_home = await per_elder(Max(MealOrder.meal_date, alias="v"), MealOrder.status == "not_home")
    return (
        usual,
        {e: day(v) for e, v in last_meal.items()},
        {e: day(v) for e, v in not_home.items()},
    )


async def last_visits(elder_ids: list[int]) -> dict[int, date]:
    """The latest welfare visit to each of the elders who had one."""
    return {
        r["elder"]: day(r["v"])
        for r in await WelfareVisit.select(
            WelfareVisit.elder, Max(WelfareVisit.visited_on, alias="v")
        )
        .where(WelfareVisit.elder.is_in(elder_ids))
        .group_by(WelfareVisit.elder)
    }


async def elders_to_visit(elder_ids: list[int]) -> dict[int, dict]:
    """name, address, community (code) and community_name of each of the elders."""
    return {
        r["id"]: r
        for r in await Elder.select(
            Elder.id,
            Elder.name,
            Elder.address,
            Elder.region.code.as_alias("community"),
            Elder.region.name.as_alias("community_name"),
        ).where(Elder.id.is_in(elder_ids))
    }


async def add_visit(
    elder_id: int, visited_on: date, note: str, visited_by: str, at: datetime
) -> int:
    return (
        await WelfareVisit.insert(
            WelfareVisit(
                elder=elder_id,
                visited_on=visited_on,
                note=note,
                visited_by=visited_by,
                created_at=at,
            )
        ).returning(WelfareVisit.id)
    )[0]["id"]
