"""The one write-transaction helper: everything that moves money goes through `write_transaction`.

SQLite: BEGIN IMMEDIATE, so the write lock is taken up front and two checkouts never interleave
(WAL, synchronous=FULL and the busy timeout are set on every connection by the engine). The
engine keeps one write connection per process and runs write transactions on it one at a time,
each in a savepoint of a BEGIN IMMEDIATE … COMMIT shared with those queued meanwhile (group
commit: one fsync for several transactions, none acknowledged before it; db/sqlite_engine.py,
SQLiteWriter).
PostgreSQL: READ COMMITTED with row locks or conditional `UPDATE … WHERE balance >= x` done by the
callers; serialization failures and deadlocks are retried, so the same code runs on CockroachDB.
"""

from __future__ import annotations

import asyncio
import logging
import random
import sqlite3
import weakref
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from zhucan.db import sql
from zhucan.db.engine import current_engine
from zhucan.db.sqlite_engine import SerialisedSQLiteEngine

T = TypeVar("T")
log = logging.getLogger("zhucan")

MAX_ATTEMPTS = 6
RETRYABLE_SQLSTATES = {"40001", "40P01"}  # serialization_failure, deadlock_detected
# PostgreSQL: at most this many write transactions of one process open at a time. Their row
# locks (the shared fund accounts, a canteen's dishes) are held until COMMIT, and each statement
# of an open transaction waits for the event loop behind every other request's Python work: a
# few transactions run through quickly hold locks for less time than many interleaved ones.
PG_WRITERS_PER_PROCESS = 4
_pg_slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)


def _pg_slot() -> asyncio.Semaphore:
    loop = asyncio.get_running_loop()
    slot = _pg_slots.get(loop)
    if slot is None:
        slot = _pg_slots[loop] = asyncio.Semaphore(PG_WRITERS_PER_PROCESS)
    return slot


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
            if isinstance(engine, SerialisedSQLiteEngine):
                return await engine.write(work)
            async with _pg_slot(), engine.transaction():
                return await work()
        except Exception as exc:
            if attempt == MAX_ATTEMPTS or not _retryable(exc):
                raise
            # Worth seeing: a deadlock costs a second of waiting, and means two code paths
            # take their locks in different orders.
            log.warning(
                "write transaction retried (attempt %d): %s",
                attempt + 1,
                getattr(exc, "sqlstate", None) or exc,
            )
            await asyncio.sleep(random.uniform(0, 0.005 * 2**attempt))
    raise AssertionError("unreachable")


async def write_statement(statement: str, *args: Any) -> list[dict[str, Any]]:
    """One statement that writes and is atomic on its own, committed on its own (never money:
    that goes through `write_transaction`). On PostgreSQL it runs in autocommit, one round trip
    instead of BEGIN, the statement and COMMIT; SQLite has one writer, so it joins the queue."""
    if isinstance(current_engine(), SerialisedSQLiteEngine):
        return await write_transaction(lambda: sql.fetch(statement, *args))
    return await sql.fetch(statement, *args)
