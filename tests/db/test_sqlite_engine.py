"""The SQLite adapter's contract (src/zhucan/db/sqlite_engine.py), on a temporary file.

Writes go through db.tx and db.sql as the application's do; what must hold: concurrent write
transactions share one COMMIT, a failing member undoes only its own work, reads outside a
transaction see committed data only, the engine survives failed statements, a closed engine
refuses to answer, and Piccolo is the version the adapter was written against.
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import sqlite3
import tomllib
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from piccolo.columns import Varchar
from piccolo.table import Table

from zhucan import piccolo_conf
from zhucan.db import sql
from zhucan.db.engine import ping, run_outside_transaction
from zhucan.db.sqlite_engine import PICCOLO_TESTED, SerialisedSQLiteEngine
from zhucan.db.tx import write_statement, write_transaction
from zhucan.settings import PROJECT_ROOT


class ContractItem(Table, tablename="contract_item"):
    name = Varchar(length=20, unique=True)


INSERT = "INSERT INTO contract_item (name) VALUES ($1) RETURNING id"
NAMES = "SELECT name FROM contract_item ORDER BY name"


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[SerialisedSQLiteEngine]:
    """A fresh adapter on its own file, current for db.tx and db.sql during the test."""
    engine = SerialisedSQLiteEngine(path=str(tmp_path / "contract.db"))
    engine.open()
    previous = vars(piccolo_conf).get("DB")
    piccolo_conf.DB = engine
    ContractItem._meta.db = engine
    try:
        await ContractItem.create_table().run()
        yield engine
    finally:
        engine.close()
        if previous is None:
            del piccolo_conf.DB
        else:
            piccolo_conf.DB = previous


def on_disk(engine: SerialisedSQLiteEngine) -> list[str]:
    """The names committed to the file, read by a connection the engine knows nothing of."""
    with sqlite3.connect(engine.path) as conn:
        return [name for (name,) in conn.execute(NAMES)]


def trace_writer(engine: SerialisedSQLiteEngine) -> list[str]:
    """Every statement the write connection runs from now on."""
    writer = engine.writer()
    statements: list[str] = []
    assert writer.conn is not None, "the fixture's CREATE TABLE opened it"
    writer.conn.set_trace_callback(statements.append)
    return statements


def insert(name: str, then: Callable[[], Awaitable[Any]] | None = None) -> Callable[[], Any]:
    async def work() -> int:
        row = await sql.fetchrow(INSERT, name)
        assert row is not None
        # Yield, so the other callers queue up behind this one and join its batch.
        await asyncio.sleep(0)
        if then is not None:
            await then()
        return int(row["id"])

    return work


async def test_concurrent_write_transactions_share_one_commit(engine):
    statements = trace_writer(engine)

    ids = await asyncio.gather(*(write_transaction(insert(f"n{i}")) for i in range(5)))

    assert len(set(ids)) == 5
    assert statements.count("COMMIT") == 1
    assert sum(s.startswith("SAVEPOINT") for s in statements) == 5
    assert on_disk(engine) == [f"n{i}" for i in range(5)]


async def test_a_failing_member_rolls_back_only_itself(engine):
    statements = trace_writer(engine)

    async def fail() -> None:
        raise ValueError("refused")

    results = await asyncio.gather(
        write_transaction(insert("first")),
        write_transaction(insert("failing", then=fail)),
        write_transaction(insert("last")),
        return_exceptions=True,
    )

    assert isinstance(results[1], ValueError)
    assert all(isinstance(r, int) for r in (results[0], results[2]))
    assert statements.count("COMMIT") == 1
    assert on_disk(engine) == ["first", "last"]


async def test_a_failed_statement_reaches_its_caller_and_the_engine_keeps_working(engine):
    await write_transaction(insert("taken"))

    results = await asyncio.gather(
        write_transaction(insert("before")),
        write_transaction(insert("taken")),  # UNIQUE refuses it
        write_transaction(insert("after")),
        return_exceptions=True,
    )
    with pytest.raises(sqlite3.IntegrityError):
        await write_statement("INSERT INTO contract_item (name) VALUES ($1)", "taken")

    assert isinstance(results[1], sqlite3.IntegrityError)
    assert on_disk(engine) == ["after", "before", "taken"]
    await write_transaction(insert("later"))
    assert {"name": "later"} in await sql.fetch(NAMES)


async def test_reads_outside_a_transaction_see_committed_data_only(engine):
    await write_transaction(insert("committed"))
    inserted, looked = asyncio.Event(), asyncio.Event()
    seen: dict[str, list[str]] = {}

    async def writing() -> None:
        await sql.fetch(INSERT, "uncommitted")
        # The write transaction sees its own work, on the write connection.
        seen["inside"] = [r["name"] for r in await sql.fetch(NAMES)]
        seen["inside, Piccolo"] = await ContractItem.select(ContractItem.name).output(as_list=True)
        inserted.set()
        await looked.wait()

    async def reading() -> None:
        await inserted.wait()
        seen["inline reader"] = [r["name"] for r in await sql.fetch(NAMES)]
        seen["thread reader"] = await ContractItem.select(ContractItem.name).output(as_list=True)
        looked.set()

    await asyncio.gather(write_transaction(writing), reading())

    assert seen["inside"] == seen["inside, Piccolo"] == ["committed", "uncommitted"]
    assert seen["inline reader"] == seen["thread reader"] == ["committed"]
    assert [r["name"] for r in await sql.fetch(NAMES)] == ["committed", "uncommitted"]
    assert await ContractItem.count() == 2


async def test_piccolo_queries_and_transactions_go_through_the_adapter(engine):
    async def work() -> None:
        await ContractItem.insert(ContractItem(name="orm"))

    await write_transaction(work)
    # Piccolo's own transaction (as migrations use it) on a connection of its own.
    async with engine.transaction():
        await ContractItem.insert(ContractItem(name="piccolo tx"))
        names = await ContractItem.select(ContractItem.name).output(as_list=True)
        assert names == ["orm", "piccolo tx"]

    assert on_disk(engine) == ["orm", "piccolo tx"]


async def test_run_outside_transaction_reads_and_writes(engine):
    await run_outside_transaction(engine, "INSERT INTO contract_item (name) VALUES ('alone')")

    assert await run_outside_transaction(engine, NAMES) == [{"name": "alone"}]
    assert on_disk(engine) == ["alone"]


async def test_ping_answers_while_open_and_fails_once_closed(engine):
    await ping(engine)

    engine.close()
    with pytest.raises(sqlite3.ProgrammingError):
        await ping(engine)
    with pytest.raises(sqlite3.ProgrammingError):
        await write_transaction(insert("after close"))

    engine.open()
    await ping(engine)


def test_piccolo_is_the_minor_version_the_adapter_is_written_against():
    installed = importlib.metadata.version("piccolo")
    assert installed.split(".")[:2] == PICCOLO_TESTED.split(".")

    major, minor = PICCOLO_TESTED.split(".")
    pyproject = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())
    (pin,) = [d for d in pyproject["project"]["dependencies"] if d.startswith("piccolo[")]
    assert pin.endswith(f">={PICCOLO_TESTED},<{major}.{int(minor) + 1}")
