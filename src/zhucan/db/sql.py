"""Hand-written SQL for the lunch-rush path (placing an order, checking a card's PIN).

Piccolo spends about 0.3 ms of Python building each statement, more than either database takes
to run it, and an order runs about twenty (docs/benchmarks.md). These helpers send a fixed
statement as it is: written once with PostgreSQL's `$1 … $n` placeholders, turned into SQLite's
`?1 … ?n` (same numbering) the first time it is used there. Like Piccolo's queries they run in
the current write transaction when there is one (`db.tx.write_transaction`), on the write
connection's thread-free path on SQLite, and on a pooled connection otherwise. Values go in and
come out as Piccolo's columns store them on both engines (its SQLite adapters and converters are
process-wide), so rows written here read back the same through the ORM.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from typing import Any

from piccolo.engine.postgres import PostgresEngine
from piccolo.table import Table

from zhucan.db.engine import current_engine, fetch_on_new_connection
from zhucan.db.sqlite_engine import SerialisedSQLiteEngine

_PLACEHOLDER = re.compile(r"\$(\d+)")


@functools.lru_cache(maxsize=512)
def _for_sqlite(statement: str) -> str:
    return _PLACEHOLDER.sub(r"?\1", statement)


def placeholders(first: int, count: int) -> str:
    """`$first, …` for `count` values, for `IN (…)` lists on both engines."""
    return ", ".join(f"${n}" for n in range(first, first + count))


def _quoted(name: str) -> str:
    return f'"{name}"'


@functools.cache
def column_names(table: type[Table]) -> tuple[str, ...]:
    """The names of `table`'s columns as stored, in the Table class's order (id first)."""
    return tuple(column._meta.db_column_name for column in table._meta.columns)


@functools.cache
def columns(table: type[Table], alias: str | None = None) -> str:
    """Every column of `table`, quoted (`order` is a keyword), prefixed with `alias.` if given:
    the select list of a statement that reads whole rows, derived from the Table class."""
    prefix = f"{alias}." if alias else ""
    return ", ".join(prefix + _quoted(name) for name in column_names(table))


def insert(
    table: type[Table], rows: Sequence[Mapping[str, Any]], returning: str = ""
) -> tuple[str, list[Any]]:
    """`INSERT INTO table (…) VALUES ($1, …), (…) [RETURNING …]` for `rows` (each naming the
    same columns of `table`, in any order) and its arguments, row by row. A name that is not a
    column of the table raises, so only the values given can be wrong."""
    names = tuple(name for name in column_names(table) if name in rows[0])
    if len(names) != len(rows[0]):
        unknown = sorted(set(rows[0]) - set(names))
        raise ValueError(f"{table._meta.tablename} has no column {', '.join(unknown)}")
    text = _insert_text(table, names, len(rows), returning)
    return text, [row[name] for row in rows for name in names]


@functools.lru_cache(maxsize=256)
def _insert_text(table: type[Table], names: tuple[str, ...], count: int, returning: str) -> str:
    # Built once per shape: an order inserts its lines and ledger entries with every request.
    width = len(names)
    values = ", ".join(f"({placeholders(i * width + 1, width)})" for i in range(count))
    text = f"INSERT INTO {table._meta.tablename} ({', '.join(map(_quoted, names))}) VALUES {values}"
    return f"{text} RETURNING {returning}" if returning else text


def rows_table(
    columns: tuple[tuple[str, str], ...], rows: list[tuple[Any, ...]]
) -> tuple[str, list[Any]]:
    """A table of literal `rows` to join in a statement whose only arguments they are:
    `SELECT CAST($1 AS BIGINT) AS id, … UNION ALL …` (SQLite names no columns of a VALUES list
    in FROM). Its text and its arguments."""
    width = len(columns)
    text = " UNION ALL ".join(
        "SELECT "
        + ", ".join(
            f"CAST(${i * width + j + 1} AS {sql_type}) AS {name}"
            for j, (name, sql_type) in enumerate(columns)
        )
        for i in range(len(rows))
    )
    return text, [value for row in rows for value in row]


def lock_rows(alias: str) -> str:
    """` FOR UPDATE OF alias` on PostgreSQL; nothing on SQLite, whose one writer holds the
    whole file."""
    return "" if isinstance(current_engine(), SerialisedSQLiteEngine) else f" FOR UPDATE OF {alias}"


async def fetch(statement: str, *args: Any) -> list[dict[str, Any]]:
    engine = current_engine()
    if isinstance(engine, SerialisedSQLiteEngine):
        return await engine.run_sql(_for_sqlite(statement), args)
    if not isinstance(engine, PostgresEngine):
        raise TypeError(f"no hand-written SQL path for {type(engine).__name__}")
    transaction = engine.current_transaction.get()
    if transaction is not None:
        return [dict(r) for r in await transaction.connection.fetch(statement, *args)]
    if engine.pool is not None:
        async with engine.pool.acquire() as connection:
            return [dict(r) for r in await connection.fetch(statement, *args)]
    return await fetch_on_new_connection(engine, statement, *args)


async def fetchrow(statement: str, *args: Any) -> dict[str, Any] | None:
    rows = await fetch(statement, *args)
    return rows[0] if rows else None
