"""SerialisedSQLiteEngine: Piccolo's SQLite engine with kept connections and group commit.

Piccolo's SQLiteEngine opens a connection (and a thread) for every query and every transaction,
and commits each write on its own, with its own fsync. This adapter keeps them open: one write
connection per event loop with group commit (SQLiteWriter) and a few reader connections, which
WAL lets run beside the writer. docs/benchmarks.md has the numbers.

Contract with Piccolo (tested with PICCOLO_TESTED, the minor version pyproject.toml pins;
tests/db/test_sqlite_engine.py holds the adapter to it):
- Overridden, both public and abstract in piccolo.engine.base.Engine: `run_querystring` (every
  query Piccolo builds, `Table.raw` included) and `run_ddl` (DDL of migrations and
  `create_table`). Every Piccolo statement passes through them, so they route it: into the open
  write transaction on the write connection, into Piccolo's own transaction, on a reader
  connection when it reads, or through the writer as a transaction of its own when it writes.
  Piccolo's private `_run_in_new_connection` / `_run_in_existing_connection` are neither
  overridden nor called.
- Relied on, unchanged: `connection_kwargs` (what sqlite3.connect gets), `current_transaction`
  (the ContextVar Piccolo reads to tell whether a transaction is open; the write scope is put
  there too, so `transaction_exists()` and a nested `db.tx.write_transaction` see it),
  `SQLiteTransaction.connection` (an aiosqlite connection), `QueryString.compile_string`, the
  query logging helpers and `dict_factory`.
- Left as Piccolo has them: `transaction()` / `atomic()` (migrations), `batch()` and
  `get_connection()`: each on an aiosqlite connection of its own, which meets the writer at
  SQLite's file lock like another process would. Piccolo's `transaction()` cannot be nested in
  a write transaction of this engine: use `db.tx.write_transaction`.
An upgrade of Piccolo to another minor version means reading its `piccolo.engine.sqlite` module
against this list, running tests/db and moving the pin and PICCOLO_TESTED together.

Beyond Piccolo's interface the adapter offers `write` (db.tx), `run_sql` (db.sql), and
`run_outside_transaction`, `open`, `close` and `closed` (db.engine).
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
import weakref
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, dict_factory
from piccolo.querystring import QueryString

PICCOLO_TESTED = "1.38"
SQLITE_BUSY_TIMEOUT_S = 10.0
# Transactions that share one COMMIT at most (see SQLiteWriter); bounds how long one batch holds
# the file's write lock against other processes.
SQLITE_MAX_BATCH = 64
SQLITE_READERS = 4

T = TypeVar("T")
Row = dict[str, Any]
Args = Sequence[Any]


class _DurableSQLiteConnection(sqlite3.Connection):
    """Every connection, the adapter's and Piccolo's own, gets the durability settings money
    needs."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.execute("PRAGMA synchronous = FULL")
        self.execute("PRAGMA foreign_keys = ON")


def _is_read(sql: str) -> bool:
    head = sql.lstrip()[:8].upper()
    return head.startswith(("SELECT", "WITH", "EXPLAIN", "VALUES"))


def _is_lock_wait(exc: sqlite3.OperationalError) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


def _closed() -> sqlite3.ProgrammingError:
    # sqlite3's own words for a closed connection.
    return sqlite3.ProgrammingError("Cannot operate on a closed database.")


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
        self.batch: asyncio.Future[None] | None = None
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
            if not _is_lock_wait(exc):
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

    async def _in_thread(self, fn: Callable[[], T]) -> T:
        """Run fn in the engine's thread pool; a cancelled caller still waits for it to end, so
        the connection is never used by two threads at once."""
        future = asyncio.get_running_loop().run_in_executor(self.engine.io_threads, fn)
        try:
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            await asyncio.wait([future])
            raise

    def execute(self, sql: str, args: Args = ()) -> list[Row]:
        rows: list[Row] = self._connection().execute(sql, args).fetchall()
        return rows

    def read(self, sql: str, args: Args = ()) -> list[Row]:
        """A short read on this loop's own reader connection, right here: under WAL it never
        waits for the writer, and it sees only committed data (not the open batch)."""
        if self.reader is None:
            self.reader = self.engine.new_sync_connection(timeout=0)
        rows: list[Row] = self.reader.execute(sql, args).fetchall()
        return rows

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
            # Piccolo types the variable for its own transactions only; see the module docstring.
            token = self.engine.current_transaction.set(_WriteScope(self))  # type: ignore[arg-type]
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

    async def _end_batch(self, batch: asyncio.Future[None], error: BaseException | None) -> None:
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
    """Writes go through one SQLiteWriter per event loop (one per worker process; the test
    client's second loop gets its own, and the two meet at SQLite's file lock like two
    processes). Reads outside a transaction run on a small pool of reader connections in
    threads. Statements outside a transaction that write (a wrong PIN counted, a failed attempt
    recorded) go through the writer as a transaction of their own. Once closed it refuses every
    statement until opened again.
    """

    def __init__(self, path: str) -> None:
        super().__init__(path=path, timeout=SQLITE_BUSY_TIMEOUT_S, factory=_DurableSQLiteConnection)
        self._writers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, SQLiteWriter] = (
            weakref.WeakKeyDictionary()
        )
        self._writers_lock = threading.Lock()
        self._local = threading.local()
        self._reader_connections: list[sqlite3.Connection] = []
        self._closed = False
        self.io_threads = ThreadPoolExecutor(
            max_workers=SQLITE_READERS + 2, thread_name_prefix="sqlite"
        )

    @property
    def closed(self) -> bool:
        return self._closed

    def open(self) -> None:
        """Create the file's folder, put the file in WAL mode, accept statements (again)."""
        path = Path(self.path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.closing(sqlite3.connect(path)) as conn:
            # WAL is a property of the file: set once, readers never block the writer.
            conn.execute("PRAGMA journal_mode = WAL")
        self._closed = False

    def close(self) -> None:
        self._closed = True
        with self._writers_lock:
            for writer in list(self._writers.values()):
                writer.close()
        for conn in self._reader_connections:
            with contextlib.suppress(sqlite3.ProgrammingError):
                conn.close()
        self._reader_connections.clear()
        self._local = threading.local()

    def new_sync_connection(self, **overrides: Any) -> sqlite3.Connection:
        kwargs: dict[str, Any] = {**self.connection_kwargs, **overrides}
        conn: sqlite3.Connection = sqlite3.connect(**kwargs, check_same_thread=False)
        conn.row_factory = dict_factory
        return conn

    def writer(self) -> SQLiteWriter:
        if self._closed:
            raise _closed()
        loop = asyncio.get_running_loop()
        with self._writers_lock:
            writer = self._writers.get(loop)
            if writer is None:
                writer = self._writers[loop] = SQLiteWriter(self)
                # The connection goes with its loop.
                weakref.finalize(loop, writer.close)
            return writer

    async def write(self, work: Callable[[], Awaitable[T]]) -> T:
        """`work` as one member of the write connection's group commit (db.tx)."""
        return await self.writer().run(work)

    def _read_sync(self, sql: str, args: Args) -> list[Row]:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self.new_sync_connection()
            self._reader_connections.append(conn)
        rows: list[Row] = conn.execute(sql, args).fetchall()
        return rows

    async def run_outside_transaction(self, sql: str, args: Args = ()) -> list[Row]:
        """`sql` outside any transaction: a read on a reader connection in a thread, sees only
        committed data; a write as a write transaction of its own."""
        if _is_read(sql):
            if self._closed:
                raise _closed()
            return await asyncio.get_running_loop().run_in_executor(
                self.io_threads, self._read_sync, sql, args
            )

        async def alone() -> list[Row]:
            return self.writer().execute(sql, args)

        return await self.write(alone)

    async def _run(self, sql: str, args: Args) -> list[Row]:
        current: object = self.current_transaction.get()
        if isinstance(current, _WriteScope):
            return current.writer.execute(sql, args)
        if isinstance(current, SQLiteTransaction):  # Piccolo's own (migrations)
            # get_connection() gave it dict rows and foreign keys on.
            async with current.connection.execute(sql, args) as cursor:
                rows: list[Row] = await cursor.fetchall()
                return rows
        return await self.run_outside_transaction(sql, args)

    async def run_sql(self, sql: str, args: Args) -> list[Row]:
        """A fixed statement from db/sql.py (`?n` placeholders). Outside a transaction, reads
        run inline on the loop's reader connection (the hot path's lookups are index probes of
        microseconds, less than a hop to a thread) and writes as a transaction of their own."""
        if self.current_transaction.get() is None and _is_read(sql):
            try:
                return self.writer().read(sql, args)
            except sqlite3.OperationalError as exc:
                # Rare under WAL (a checkpoint resetting the log): wait in a thread instead,
                # with the busy timeout, rather than fail the request.
                if not _is_lock_wait(exc):
                    raise
        return await self._run(sql, args)

    async def run_querystring(self, querystring: QueryString, in_pool: bool = False) -> list[Row]:
        if self.log_queries:
            self.print_query(query_id=self.get_query_id(), query=str(querystring))
        sql, args = querystring.compile_string(engine_type=self.engine_type)
        response = await self._run(sql, args)
        if self.log_responses:
            self.print_response(query_id=self.get_query_id(), response=response)
        return response

    async def run_ddl(self, ddl: str, in_pool: bool = False) -> list[Row]:
        if self.log_queries:
            self.print_query(query_id=self.get_query_id(), query=ddl)
        return await self._run(ddl, ())
