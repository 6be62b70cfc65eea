"""Engine choice by URL and binding of every table to the chosen engine."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from piccolo.apps.migrations.tables import Migration
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

SQLITE_BUSY_TIMEOUT_S = 10.0


class _DurableSQLiteConnection(sqlite3.Connection):
    """Every connection Piccolo opens gets the durability settings money needs."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.execute("PRAGMA synchronous = FULL")
        self.execute("PRAGMA foreign_keys = ON")


def make_engine(database_url: str) -> Engine:
    if database_url.startswith("sqlite:"):
        path = Path(database_url.removeprefix("sqlite:///").removeprefix("sqlite://"))
        return SQLiteEngine(
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
        await engine.start_connection_pool(min_size=1, max_size=pool_size)


async def close_engine(engine: Engine) -> None:
    if isinstance(engine, PostgresEngine) and engine.pool is not None:
        await engine.close_connection_pool()
