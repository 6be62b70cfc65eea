"""The one write-transaction helper: everything that moves money goes through `write_transaction`.

SQLite: BEGIN IMMEDIATE, so the write lock is taken up front and two checkouts never interleave
(WAL, synchronous=FULL and the busy timeout are set on every connection by the engine).
PostgreSQL: READ COMMITTED with row locks or conditional `UPDATE … WHERE balance >= x` done by the
callers; serialization failures and deadlocks are retried, so the same code runs on CockroachDB.
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
from collections.abc import Awaitable, Callable
from typing import TypeVar

from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from zhucan.db.engine import current_engine

T = TypeVar("T")

MAX_ATTEMPTS = 6
RETRYABLE_SQLSTATES = {"40001", "40P01"}  # serialization_failure, deadlock_detected


def _retryable(exc: BaseException) -> bool:
    if isinstance(exc, sqlite3.OperationalError):
        return "locked" in str(exc) or "busy" in str(exc)
    return getattr(exc, "sqlstate", None) in RETRYABLE_SQLSTATES


async def write_transaction(work: Callable[[], Awaitable[T]]) -> T:
    """Run `work` in one write transaction, retrying it whole on transient conflicts.

    `work` must not have effects outside the database: it may run more than once.
    Called inside another write transaction it simply joins it.
    """
    engine = current_engine()
    if engine.current_transaction.get() is not None:
        return await work()
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            if isinstance(engine, SQLiteEngine):
                async with engine.transaction(transaction_type=TransactionType.immediate):
                    return await work()
            async with engine.transaction():
                return await work()
        except Exception as exc:
            if attempt == MAX_ATTEMPTS or not _retryable(exc):
                raise
            await asyncio.sleep(random.uniform(0, 0.005 * 2**attempt))
    raise AssertionError("unreachable")
