"""Engine choice by URL and binding of every table to the chosen engine."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
import weakref
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from piccolo.apps.migrations.tables import Migration
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, dict_factory

SQLITE_BUSY_TIMEOUT_S = 10.0
# Transactions that share one COMMIT at most (see SQLiteWriter); bounds how long one batch holds
# the file's write lock against other processes.
SQLITE_MAX_BATCH = 64
SQLITE_READERS = 4

T = TypeVar("T")


class _DurableSQLiteConnection(sqlite3.Connection):
    """Every connection Piccolo opens gets the durability settings money needs."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.execute("PRAGMA synchronous = FULL")
        self.execute("PRAGMA foreign_keys = ON")


def _is_read(sql: str) -> bool:
    head = sql.lstrip()[:8].upper()
    return head.startswith(("SELECT", "WITH", "EXPLAIN", "VALUES"))


class _WriteScope:
    """`engine.current_transaction` while work runs in the writer's transaction: queries see it
    and run on the write connection; a nested write_transaction sees it and joins."""

    __slots__ = ("writer",)

    def __init__(self, writer: SQLiteWriter):
        self.writer = writer


class SQLiteWriter:
    """One event loop's write connection to the file, kept open, with group commit.

    Write transactions run one at a time (an asyncio lock), each inside a SAVEPOINT of one
    BEGIN IMMEDIATE … COMMIT that those waiting meanwhile share: the COMMIT, with its fsync
    under synchronous=FULL, happens once no one else is waiting (or after SQLITE_MAX_BATCH),
    and every member learns the outcome only after it, so nothing is acknowledged before it is
    on disk. A failing member rolls back to its savepoint and leaves the others' work alone; if
    the COMMIT itself fails, every member gets the error (and write_transaction retries
    those that may be retried). Statements run inline on the event loop thread (microseconds
    each); BEGIN IMMEDIATE, which may wait for another process's lock, and COMMIT, which waits
    for the disk, run in a thread.
    """

    def __init__(self, engine: SerialisedSQLiteEngine):
        self.engine = engine
        self.conn: sqlite3.Connection | None = None
        self.reader: sqlite3.Connection | None = None
        self.lock = asyncio.Lock()
        self.waiting = 0
        self.batch: asyncio.Future | None = None
        self.members = 0

    def _connection(self) -> sqlite3.Connection:
        if self.conn is None:
            # No busy wait on the event loop's thread: a busy BEGIN is retried in a thread.
            self.conn = self.engine.new_sync_connection(timeout=0)
        return self.conn

    async def _begin(self, conn: sqlite3.Connection) -> None:
        """BEGIN IMMEDIATE right here when the file's write lock is free (always, with one
        process), else in a thread that waits up to the busy timeout for it."""
        try:
            conn.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise

        await self._in_thread(lambda: self._waiting_for_lock(conn, "BEGIN IMMEDIATE"))

    @staticmethod
    def _waiting_for_lock(conn: sqlite3.Connection, sql: str) -> None:
        """`sql` with the busy timeout; only ever called in a thread."""
        conn.execute(f"PRAGMA busy_timeout = {int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
        try:
            conn.execute(sql)
        finally:
            conn.execute("PRAGMA busy_timeout = 0")

    async def _in_thread(self, fn: Callable[[], Any]) -> Any:
        """Run fn in the engine's thread pool; a cancelled caller still waits for it to end, so
        the connection is never used by two threads at once."""
        future = asyncio.get_running_loop().run_in_executor(self.engine.io_threads, fn)
        try:
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            await asyncio.wait([future])
            raise

    def execute(self, sql: str, args: list | tuple = ()) -> list[dict]:
        return self._connection().execute(sql, args).fetchall()

    def read(self, sql: str, args: list | tuple = ()) -> list[dict]:
        """A short read on this loop's own reader connection, right here: under WAL it never
        waits for the writer, and it sees only committed data (not the open batch)."""
        if self.reader is None:
            self.reader = self.engine.new_sync_connection(timeout=0)
        return self.reader.execute(sql, args).fetchall()

    async def run(self, work: Callable[[], Awaitable[T]]) -> T:
        self.waiting += 1
        try:
            await self.lock.acquire()
        finally:
            self.waiting -= 1
        try:
            conn = self._connection()
            if self.batch is None:
                await self._begin(conn)
                self.batch = asyncio.get_running_loop().create_future()
                self.members = 0
            batch = self.batch
            self.members += 1
            savepoint = f"w{self.members}"
            conn.execute(f"SAVEPOINT {savepoint}")
            token = self.engine.current_transaction.set(_WriteScope(self))
            failure: BaseException | None = None
            try:
                result = await work()
            except BaseException as exc:  # noqa: BLE001 - handed back to the caller below
                failure = exc
            finally:
                self.engine.current_transaction.reset(token)
            try:
                if failure is not None:
                    conn.execute(f"ROLLBACK TO {savepoint}")
                conn.execute(f"RELEASE {savepoint}")
            except BaseException as exc:
                await self._end_batch(batch, exc)
                raise
            if self.waiting == 0 or self.members >= SQLITE_MAX_BATCH:
                await self._end_batch(batch, None)
        finally:
            self.lock.release()
        await batch
        if failure is not None:
            raise failure
        return result

    async def _end_batch(self, batch: asyncio.Future, error: BaseException | None) -> None:
        """COMMIT (or, after an error, ROLLBACK) the open transaction; tell every member."""
        self.batch = None
        conn = self._connection()
        if error is None:
            try:
                await self._in_thread(lambda: self._waiting_for_lock(conn, "COMMIT"))
            except BaseException as exc:
                error = exc
        if error is not None and conn.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
        if not batch.done():
            if error is None:
                batch.set_result(None)
            else:
                batch.set_exception(error)
                batch.exception()  # retrieved here: members that were cancelled never will

    def close(self) -> None:
        for conn in (self.conn, self.reader):
            if conn is not None:
                conn.close()
        self.conn = self.reader = None


class SerialisedSQLiteEngine(SQLiteEngine):
    """Piccolo's SQLite engine opens a connection (and a thread) for every query and every
    transaction; this one keeps them open. Writes go through one SQLiteWriter per event loop
    (one per worker process; the test client's second loop gets its own, and the two meet at
    SQLite's file lock like two processes). Reads outside a transaction run on a small pool of
    reader connections in threads, which WAL lets run beside the writer. Statements outside a
    transaction that write (a wrong PIN counted, a failed attempt recorded) go through the
    writer as a transaction of their own. Piccolo's own `transaction()` (used by migrations)
    still works as before, on a connection of its own.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._writers: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self._writers_lock = threading.Lock()
        self._local = threading.local()
        self._reader_connections: list[sqlite3.Connection] = []
        self.io_threads = ThreadPoolExecutor(
            max_workers=SQLITE_READERS + 2, thread_name_prefix="sqlite"
        )

    def new_sync_connection(self, **overrides) -> sqlite3.Connection:
        conn = sqlite3.connect(**(self.connection_kwargs | overrides), check_same_thread=False)
        conn.row_factory = dict_factory
        return conn

    def writer(self) -> SQLiteWriter:
        loop = asyncio.get_running_loop()
        with self._writers_lock:
            writer = self._writers.get(loop)
            if writer is None:
                writer = self._writers[loop] = SQLiteWriter(self)
                # The connection goes with its loop.
                weakref.finalize(loop, writer.close)
            return writer

    async def write(self, work: Callable[[], Awaitable[T]]) -> T:
        return await self.writer().run(work)

    def _read_sync(self, sql: str, args: list) -> list[dict]:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self.new_sync_connection()
            self._reader_connections.append(conn)
        return conn.execute(sql, args).fetchall()

    async def _run_outside_transaction(self, sql: str, args: list | None) -> list[dict]:
        args = args or []
        if _is_read(sql):
            return await asyncio.get_running_loop().run_in_executor(
                self.io_threads, self._read_sync, sql, args
            )

        async def alone() -> list[dict]:
            return self.writer().execute(sql, args)

        return await self.write(alone)

    async def _run(self, sql: str, args: list | None) -> list[dict]:
        current = self.current_transaction.get()
        if isinstance(current, _WriteScope):
            return current.writer.execute(sql, args or [])
        if isinstance(current, SQLiteTransaction):  # Piccolo's own (migrations)
            return await self._run_in_existing_connection(current.connection, sql, args)
        return await self._run_outside_transaction(sql, args)

    async def run_sql(self, sql: str, args: tuple) -> list[dict]:
        """A fixed statement from db/sql.py. Outside a transaction, reads run inline on the
        loop's reader connection (the hot path's lookups are index probes of microseconds, less
        than a hop to a thread) and writes as a transaction of their own."""
        if self.current_transaction.get() is None and _is_read(sql):
            try:
                return self.writer().read(sql, args)
            except sqlite3.OperationalError as exc:
                # Rare under WAL (a checkpoint resetting the log): wait in a thread instead,
                # with the busy timeout, rather than fail the request.
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
        return await self._run(sql, list(args))

    async def run_querystring(self, querystring, in_pool: bool = False):
        if self.log_queries:
            self.print_query(query_id=self.get_query_id(), query=querystring.__str__())
        sql, args = querystring.compile_string(engine_type=self.engine_type)
        response = await self._run(sql, args)
        if self.log_responses:
            self.print_response(query_id=self.get_query_id(), response=response)
        return response

    async def run_ddl(self, ddl: str, in_pool: bool = False):
        if self.log_queries:
            self.print_query(query_id=self.get_query_id(), query=ddl)
        return await self._run(ddl, None)

    async def _run_in_new_connection(
        self, query: str, args: list | None = None, query_type: str = "generic", table=None
    ):
        return await self._run_outside_transaction(query, args)

    def close(self) -> None:
        with self._writers_lock:
            for writer in list(self._writers.values()):
                writer.close()
        for conn in self._reader_connections:
            with contextlib.suppress(sqlite3.ProgrammingError):
                conn.close()
        self._reader_connections.clear()
        self._local = threading.local()


def make_engine(database_url: str) -> Engine:
    if database_url.startswith("sqlite:"):
        path = Path(database_url.removeprefix("sqlite:///").removeprefix("sqlite://"))
        return SerialisedSQLiteEngine(
            path=str(path), timeout=SQLITE_BUSY_TIMEOUT_S, factory=_DurableSQLiteConnection
        )
    if database_url.startswith(("postgresql://", "postgres://")):
        return PostgresEngine(config={"dsn": database_url}, extensions=())
    raise ValueError(
        f"ZHUCAN_DATABASE_URL must start with sqlite:/// or postgresql://, got {database_url!r}"
    )


def engine_name(engine: Engine) -> str:
    return "sqlite" if isinstance(engine, SQLiteEngine) else "postgresql"


def is_sqlite(engine: Engine) -> bool:
    return isinstance(engine, SQLiteEngine)


def bind(engine: Engine) -> None:
    """Make `engine` the one every table and migration of this process uses."""
    from zhucan import piccolo_conf
    from zhucan.db.apps import all_tables

    piccolo_conf.DB = engine
    for table in [*all_tables(), Migration]:
        table._meta.db = engine


def current_engine() -> Engine:
    from zhucan import piccolo_conf

    return piccolo_conf.DB


async def open_engine(engine: Engine, pool_size: int = 10) -> None:
    if isinstance(engine, SQLiteEngine):
        path = Path(engine.path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(path) as conn:
            # WAL is a property of the file: set once, readers never block the writer.
            conn.execute("PRAGMA journal_mode = WAL")
    else:
        await engine.start_connection_pool(
            min_size=pool_size, max_size=pool_size, reset=_keep_session
        )


async def _keep_session(connection) -> None:
    """A connection going back to the pool skips asyncpg's reset query (advisory unlock, CLOSE
    ALL, UNLISTEN, RESET ALL): one round trip per pooled query or transaction saved. zhucan never
    changes session state, and asyncpg still rolls back a transaction left open."""


async def close_engine(engine: Engine) -> None:
    if isinstance(engine, PostgresEngine) and engine.pool is not None:
        await engine.close_connection_pool()
    if isinstance(engine, SerialisedSQLiteEngine):
        engine.close()
