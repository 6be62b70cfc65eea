"""Fixtures: every database test runs once on SQLite and once on PostgreSQL, each run in fresh
databases of its own; `client` talks HTTP to a real app on that database."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from tests.factories import Factory
from zhucan.app import create_app
from zhucan.db.apps import all_tables
from zhucan.db.engine import (
    bind,
    close_engine,
    is_sqlite,
    make_engine,
    open_engine,
    run_outside_transaction,
)
from zhucan.db.migrate import upgrade
from zhucan.settings import Settings
from zhucan.subsidies import policy as subsidy_policy

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
PG_ADMIN_URL = os.environ.get("ZHUCAN_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
TEST_SECRET = "test-secret-key-not-for-production"
ENGINES = ["sqlite", "postgresql"]


def _cjk_font_installed() -> bool:
    from zhucan.compliance.posters import PosterFontMissing, _font_file

    try:
        _font_file()
    except PosterFontMissing:
        return False
    return True


# Posters need a CJK font from the system (Debian's fonts-noto-cjk, installed by .ci/run);
# only outside CI may their tests skip when it is missing.
requires_cjk_font = pytest.mark.skipif(
    not IN_CI and not _cjk_font_installed(),
    reason="no CJK font installed: apt-get install fonts-noto-cjk",
)


async def _pg_available() -> bool:
    try:
        conn = await asyncpg.connect(PG_ADMIN_URL, timeout=3)
    except (OSError, asyncpg.PostgresError):
        return False
    await conn.close()
    return True


def _pg_url(dbname: str) -> str:
    base, _, _ = PG_ADMIN_URL.rpartition("/")
    return f"{base}/{dbname}"


class TestDatabase:
    def __init__(self, kind: str, url: str):
        self.kind = kind
        self.url = url
        self.engine = make_engine(url)

    def settings(self, **overrides) -> Settings:
        values = {
            "database_url": self.url,
            "secret_key": TEST_SECRET,
            "public_url": "http://zhucan.test",
        } | overrides
        return Settings(**values)

    def rebind(self) -> None:
        bind(self.engine)

    async def truncate(self) -> None:
        self.rebind()
        names = [t._meta.tablename for t in all_tables()]

        async def run(statement: str) -> list[dict]:
            return await run_outside_transaction(self.engine, statement)

        if is_sqlite(self.engine):
            # Append-only tables (audit_log) refuse DELETE by trigger; lift them for the wipe.
            triggers = await run("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
            for trigger in triggers:
                await run(f'DROP TRIGGER "{trigger["name"]}"')
            for name in reversed(names):
                await run(f'DELETE FROM "{name}"')
            for trigger in triggers:
                await run(trigger["sql"])
        else:
            quoted = ", ".join(f'"{n}"' for n in names)
            await run(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")
        # Ids start over: what this process cached of the stored policy versions goes too.
        subsidy_policy.forget_versions()


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing():
    """Production argon2 costs ~0.3 s a hash on a busy 2-core machine and tests create hundreds
    of accounts; verification reads the cost from each hash, so both kinds keep working."""
    from argon2 import PasswordHasher

    from zhucan.people import auth

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
        yield


@pytest.fixture(scope="session", params=ENGINES)
async def database(request, tmp_path_factory) -> AsyncIterator[TestDatabase]:
    """A freshly migrated database of one engine, for the whole run."""
    kind = request.param
    if kind == "sqlite":
        path: Path = tmp_path_factory.mktemp("sqlite") / "zhucan-test.db"
        db = TestDatabase(kind, f"sqlite:///{path}")
        await open_engine(db.engine)
        db.rebind()
        await upgrade()
        yield db
        return
    if not await _pg_available():
        message = f"PostgreSQL is not answering at {PG_ADMIN_URL}"
        if IN_CI:
            pytest.fail(message + " (CI requires the PostgreSQL tests)")
        pytest.skip(message)
    dbname = f"zhucan_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(PG_ADMIN_URL)
    await admin.execute(f'CREATE DATABASE "{dbname}"')
    db = TestDatabase(kind, _pg_url(dbname))
    try:
        db.rebind()
        await upgrade()
        yield db
    finally:
        await close_engine(db.engine)
        await admin.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        await admin.close()


@pytest.fixture
async def db(database: TestDatabase) -> AsyncIterator[TestDatabase]:
    """The run's database, bound to every table, emptied after the test."""
    database.rebind()
    yield database
    await database.truncate()


@pytest.fixture
async def client(db: TestDatabase, _app_client: AsyncTestClient) -> AsyncIterator[AsyncTestClient]:
    """HTTP to the app on this engine's database; cookies never carry over between tests."""
    db.rebind()
    yield _app_client
    _app_client.cookies.clear()


@pytest.fixture(scope="session")
async def _app_client(database: TestDatabase) -> AsyncIterator[AsyncTestClient]:
    # One app per engine and run: building Litestar's ~160 routes takes about a second, which
    # per test was most of the suite's time. Tests share no state through it: the database is
    # emptied after each test and in-process caches key on what is stored.
    app = create_app(database.settings())
    async with AsyncTestClient(app=app, base_url="http://zhucan.test") as test_client:
        # The client runs the app in a portal thread with its own event loop, where the lifespan
        # bound the app's pooled engine; tests also call services on this loop, so both sides
        # use the run's pool-less engine, which opens a connection per query on any loop.
        database.rebind()
        yield test_client
    database.rebind()


@pytest.fixture
async def factory(client: AsyncTestClient, db: TestDatabase) -> Factory:
    return Factory(client, db.settings())


def pytest_sessionfinish(session, exitstatus):
    """In CI a skipped PostgreSQL test is a failure: the suite must prove both engines."""
    if not IN_CI:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    pg_skipped = [r for r in skipped if "[postgresql" in r.nodeid or "-postgresql" in r.nodeid]
    if pg_skipped:
        reporter.write_line(
            f"CI: {len(pg_skipped)} PostgreSQL tests were skipped; failing the run", red=True
        )
        session.exitstatus = 1
