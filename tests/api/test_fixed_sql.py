"""zhucan.db.sql on both engines: what the hot path writes reads back the same through Piccolo,
and it joins the write transaction it runs in."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from zhucan.attempts.tables import FailedAttempt
from zhucan.db import sql
from zhucan.db.tx import write_statement, write_transaction


async def test_values_round_trip_between_fixed_sql_and_piccolo(factory):
    elder = await factory.elder(age=82, proxy_consent=True)
    row = await sql.fetchrow(
        "SELECT birth_date, proxy_consent, locked_until, failed_pins FROM elder WHERE id = $1",
        elder["elder_id"],
    )
    assert isinstance(row["birth_date"], date) and row["proxy_consent"] is True
    assert row["locked_until"] is None and row["failed_pins"] == 0

    at = datetime(2026, 11, 25, 4, 30, 15, 123456, tzinfo=UTC)

    async def write():
        await sql.fetch(
            "INSERT INTO failed_attempt (kind, client, subject, at) VALUES ($1, $2, $3, $4)",
            "pin",
            "10.0.0.9",
            "",
            at,
        )

    await write_transaction(write)
    stored = (
        await FailedAttempt.select(FailedAttempt.at)
        .where(FailedAttempt.client == "10.0.0.9")
        .first()
    )
    assert stored["at"] == at
    assert (
        await sql.fetchrow(
            "SELECT at FROM failed_attempt WHERE client = $1 AND at >= $2", "10.0.0.9", at
        )
    )["at"] == at


async def test_a_failing_transaction_takes_its_fixed_sql_writes_with_it(factory):
    async def write_then_fail():
        await sql.fetch(
            "INSERT INTO failed_attempt (kind, client, subject, at) VALUES ($1, $2, $3, $4)",
            "pin",
            "10.0.0.8",
            "",
            datetime.now(UTC),
        )
        raise RuntimeError("refused after writing")

    with pytest.raises(RuntimeError):
        await write_transaction(write_then_fail)
    assert await sql.fetch("SELECT 1 FROM failed_attempt WHERE client = $1", "10.0.0.8") == []


async def test_a_single_write_statement_commits_on_its_own(factory):
    insert = (
        "INSERT INTO failed_attempt (kind, client, subject, at) "
        "VALUES ($1, $2, $3, $4) RETURNING id"
    )
    first = await write_statement(insert, "pin", "10.0.0.7", "", datetime.now(UTC))

    async def write_then_fail():
        await sql.fetch(insert, "pin", "10.0.0.7", "", datetime.now(UTC))
        raise RuntimeError("refused after writing")

    with pytest.raises(RuntimeError):
        await write_transaction(write_then_fail)
    kept = await sql.fetch("SELECT id FROM failed_attempt WHERE client = $1", "10.0.0.7")
    assert kept == first and len(kept) == 1
