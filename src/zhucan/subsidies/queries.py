"""How the subsidy programme's tables are read and written: policy versions, monthly issue runs
and grants, time-bank entries. The only module that names them."""

from __future__ import annotations

from datetime import date

from zhucan.clock import now_utc
from zhucan.db import sql
from zhucan.db.engine import current_engine, is_sqlite
from zhucan.subsidies.schemas import TimebankStatus
from zhucan.subsidies.tables import IssueRun, MonthlyGrant, PolicyVersion, TimebankEntry

# ---------------------------------------------------------------- policy versions


async def newest_policy_version() -> dict | None:
    """The id and time of the newest stored version (one index lookup on a tiny table)."""
    return await sql.fetchrow(
        "SELECT id, created_at FROM subsidy_policy_version ORDER BY id DESC LIMIT 1"
    )


async def stored_policies() -> list[str]:
    """Every stored version's body (a SubsidyPolicy as JSON), in the order they were stored."""
    rows = await PolicyVersion.select(PolicyVersion.body).order_by(PolicyVersion.id)
    return [r["body"] for r in rows]


async def store_policy(effective_from: date, body: str, created_by: str) -> None:
    await PolicyVersion.insert(
        PolicyVersion(
            effective_from=effective_from,
            body=body,
            created_by=created_by,
            created_at=now_utc(),
        )
    ).run()


# ---------------------------------------------------------------- monthly issue


async def start_issue_run(month: str, started_by: str) -> None:
    """The month's run row, once: a second run of the month finds the first's."""
    await (
        IssueRun.insert(IssueRun(month=month, started_by=started_by, started_at=now_utc()))
        .on_conflict(action="DO NOTHING")
        .run()
    )


async def lock_issue_run(month: str) -> None:
    """Take the month's run row lock until the transaction ends (PostgreSQL; SQLite's one
    writer already holds the file)."""
    lock = IssueRun.select(IssueRun.id).where(IssueRun.month == month)
    await (lock if is_sqlite(current_engine()) else lock.lock_rows())


async def finish_issue_run(month: str) -> None:
    await IssueRun.update({IssueRun.finished_at: now_utc()}).where(IssueRun.month == month)


async def granted_elders(month: str, elder_ids: list[int]) -> set[int]:
    """Those of `elder_ids` who already got `month`'s grant."""
    return {
        r["elder"]
        for r in await MonthlyGrant.select(MonthlyGrant.elder).where(
            (MonthlyGrant.month == month) & MonthlyGrant.elder.is_in(elder_ids)
        )
    }


async def record_grant(
    month: str, elder_id: int, card_fen: int, points: int, transfer: int
) -> None:
    await MonthlyGrant.insert(
        MonthlyGrant(
            month=month, elder=elder_id, card_fen=card_fen, points=points, transfer=transfer
        )
    ).run()


async def grant_totals(month: str) -> dict:
    """elders, card_fen and points granted for `month`."""
    row = await sql.fetchrow(
        "SELECT COUNT(*) AS elders, COALESCE(SUM(card_fen), 0) AS card_fen,"
        " COALESCE(SUM(points), 0) AS points FROM subsidy_monthly_grant WHERE month = $1",
        month,
    )
    assert row is not None  # an aggregate always answers one row
    return {key: int(value) for key, value in row.items()}


async def grant_months(elder_ids: list[int]) -> dict[int, str]:
    """The month each monthly-issue transfer to these elders was for, by transfer id."""
    return {
        r["transfer"]: r["month"]
        for r in await MonthlyGrant.select(MonthlyGrant.transfer, MonthlyGrant.month).where(
            MonthlyGrant.elder.is_in(elder_ids)
        )
    }


# ---------------------------------------------------------------- time bank

_ENTRY_COLUMNS = [
    TimebankEntry.id,
    TimebankEntry.helped_elder,
    TimebankEntry.helper_elder,
    TimebankEntry.helper_staff,
    TimebankEntry.service_date,
    TimebankEntry.minutes,
    TimebankEntry.description,
    TimebankEntry.status,
    TimebankEntry.points,
    TimebankEntry.logged_by,
    TimebankEntry.decided_by,
    TimebankEntry.created_at,
    TimebankEntry.decided_at,
]


async def timebank_entry(entry_id: int) -> dict | None:
    return await TimebankEntry.select(*_ENTRY_COLUMNS).where(TimebankEntry.id == entry_id).first()


async def timebank_entries(
    status: TimebankStatus | None, limit: int, helper_staff: int | None = None
) -> list[dict]:
    """The newest entries first; only `helper_staff`'s when given."""
    query = (
        TimebankEntry.select(*_ENTRY_COLUMNS)
        .order_by(TimebankEntry.id, ascending=False)
        .limit(limit)
    )
    if status is not None:
        query = query.where(TimebankEntry.status == status)
    if helper_staff is not None:
        query = query.where(TimebankEntry.helper_staff == helper_staff)
    return await query


async def add_timebank_entry(
    *,
    helper_elder: int | None,
    helper_staff: int | None,
    helped_elder: int,
    service_date: date,
    minutes: int,
    description: str,
    logged_by: str,
) -> int:
    """A pending entry; its id."""
    rows = await TimebankEntry.insert(
        TimebankEntry(
            helper_elder=helper_elder,
            helper_staff=helper_staff,
            helped_elder=helped_elder,
            service_date=service_date,
            minutes=minutes,
            description=description,
            status="pending",
            logged_by=logged_by,
            created_at=now_utc(),
        )
    ).returning(TimebankEntry.id)
    return rows[0]["id"]


async def decide_pending_entry(entry_id: int, status: TimebankStatus, decided_by: str) -> bool:
    """Set a pending entry's decision; False when it was not pending (decided already)."""
    return bool(
        await TimebankEntry.update(
            {
                TimebankEntry.status: status,
                TimebankEntry.decided_by: decided_by,
                TimebankEntry.decided_at: now_utc(),
            }
        )
        .where((TimebankEntry.id == entry_id) & (TimebankEntry.status == "pending"))
        .returning(TimebankEntry.id)
    )


async def credit_timebank_entry(entry_id: int, points: int, transfer: int) -> None:
    await TimebankEntry.update(
        {TimebankEntry.points: points, TimebankEntry.transfer: transfer}
    ).where(TimebankEntry.id == entry_id)
