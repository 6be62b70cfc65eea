"""Engine choice by URL, binding every table to the chosen engine, opening, closing and pinging it.

SQLite runs on the adapter in db/sqlite_engine.py (its contract with Piccolo is written there),
PostgreSQL on Piccolo's own engine with an asyncpg pool.
"""

from __future__ import annotations

from typing import Any

from piccolo.apps.migrations.tables import Migration
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine
from piccolo.table import Table

from zhucan.db.sqlite_engine import SerialisedSQLiteEngine

Row = dict[str, Any]


def make_engine(database_url: str) -> Engine[Any]:
    if database_url.startswith("sqlite:"):
        path = database_url.removeprefix("sqlite:///").removeprefix("sqlite://")
        return SerialisedSQLiteEngine(path=path)
    if database_url.startswith(("postgresql://", "postgres://")):
        return PostgresEngine(config={"dsn": database_url}, extensions=())
    raise ValueError(
        f"ZHUCAN_DATABASE_URL must start with sqlite:/// or postgresql://, got {database_url!r}"
    )


def engine_name(engine: Engine[Any]) -> str:
    return "sqlite" if is_sqlite(engine) else "postgresql"


def is_sqlite(engine: Engine[Any]) -> bool:
    return isinstance(engine, SQLiteEngine)


def bind(engine: Engine[Any]) -> None:
    """Make `engine` the one every table and migration of this process uses."""
    from zhucan import piccolo_conf
    from zhucan.db.apps import all_tables

    piccolo_conf.DB = engine
    tables: set[type[Table]] = {*all_tables(), *_views(Table), Migration}
    for table in tables:
        table._meta.db = engine


def _views(base: type[Table]) -> list[type[Table]]:
    """Table classes of ours outside the migrated apps: another view of a migrated table, such
    as the staff account piccolo_admin reads (people.queries.AdminAccount)."""
    found = []
    for table in base.__subclasses__():
        if table.__module__.startswith("zhucan."):
            found.append(table)
        found.extend(_views(table))
    return found


def current_engine() -> Engine[Any]:
    from zhucan import piccolo_conf

    engine: Engine[Any] = piccolo_conf.DB
    return engine


async def open_engine(engine: Engine[Any], pool_size: int = 10) -> None:
    if isinstance(engine, SerialisedSQLiteEngine):
        engine.open()
    elif isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(
            min_size=pool_size, max_size=pool_size, reset=_keep_session
        )


async def _keep_session(connection: object) -> None:
    """A connection going back to the pool skips asyncpg's reset query (advisory unlock, CLOSE
    ALL, UNLISTEN, RESET ALL): one round trip per pooled query or transaction saved. zhucan never
    changes session state, and asyncpg still rolls back a transaction left open."""


async def close_engine(engine: Engine[Any]) -> None:
    if isinstance(engine, PostgresEngine) and engine.pool is not None:
        await engine.close_connection_pool()
    if isinstance(engine, SerialisedSQLiteEngine):
        engine.close()


async def fetch_on_new_connection(engine: PostgresEngine, statement: str, *args: Any) -> list[Row]:
    """`statement` on a PostgreSQL connection opened for it and closed after it."""
    connection = await engine.get_new_connection()
    try:
        return [dict(r) for r in await connection.fetch(statement, *args)]
    finally:
        await connection.close()


async def run_outside_transaction(engine: Engine[Any], statement: str) -> list[Row]:
    """`statement`, which carries no values, outside any transaction, committed on its own: for
    upkeep such as the health check or tests wiping tables, never for domain data (db/tx.py,
    db/sql.py). SQLite: on a reader connection when it reads, else as a write transaction of its
    own; PostgreSQL: on a new connection, so it also tells whether the server takes them."""
    if isinstance(engine, SerialisedSQLiteEngine):
        return await engine.run_outside_transaction(statement)
    if isinstance(engine, PostgresEngine):
        return await fetch_on_new_connection(engine, statement)
    raise TypeError(f"no way to run a statement on {type(engine).__name__}")


async def ping(engine: Engine[Any]) -> None:
    """Raise unless the database answers (the health check); a closed engine does not."""
    await run_outside_transaction(engine, "SELECT 1")
