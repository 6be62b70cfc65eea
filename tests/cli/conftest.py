"""The `zhucan` command run as a user runs it: a subprocess on a fresh database of each engine."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from tests.conftest import PG_ADMIN_URL, TEST_SECRET, TestDatabase, _pg_url
from zhucan.app import create_app
from zhucan.db.engine import bind, close_engine, make_engine, open_engine
from zhucan.settings import Settings

ZHUCAN = str(Path(sys.executable).with_name("zhucan"))  # the console script pip installed


@dataclass
class Cli:
    url: str
    cwd: Path

    def run(
        self, *args: str, password: str | None = None, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        full_env = {k: v for k, v in os.environ.items() if not k.startswith("ZHUCAN_")}
        full_env |= {"ZHUCAN_DATABASE_URL": self.url, "ZHUCAN_SECRET_KEY": TEST_SECRET}
        if password is not None:
            full_env["ZHUCAN_PASSWORD"] = password
        full_env |= env or {}
        return subprocess.run(
            [ZHUCAN, *args],
            cwd=self.cwd,
            env=full_env,
            capture_output=True,
            text=True,
            timeout=600,
            stdin=subprocess.DEVNULL,
        )

    @asynccontextmanager
    async def client(self) -> AsyncIterator[AsyncTestClient]:
        """The HTTP API on the database the command wrote to."""
        app = create_app(Settings(database_url=self.url, secret_key=TEST_SECRET))
        async with AsyncTestClient(app=app, base_url="http://zhucan.test") as client:
            yield client

    @asynccontextmanager
    async def tables(self) -> AsyncIterator[None]:
        """Piccolo's tables bound to the database the command wrote to, on the test's loop
        (the client's app runs its pool on another)."""
        engine = make_engine(self.url)
        bind(engine)
        await open_engine(engine, pool_size=1)
        try:
            yield
        finally:
            await close_engine(engine)

    async def login(self, client: AsyncTestClient, username: str, password: str) -> dict:
        response = await client.post(
            "/api/v1/auth/token", json={"username": username, "password": password}
        )
        assert response.status_code == 200, response.text
        body = response.json()
        return body | {"headers": {"Authorization": f"Bearer {body['access_token']}"}}


@pytest.fixture
async def cli(database: TestDatabase, tmp_path: Path) -> AsyncIterator[Cli]:
    """An empty, unmigrated database of the run's engine, and a working directory."""
    if database.kind == "sqlite":
        yield Cli(f"sqlite:///{tmp_path / 'cli.db'}", tmp_path)
    else:
        name = f"zhucan_cli_{uuid.uuid4().hex[:10]}"
        admin = await asyncpg.connect(PG_ADMIN_URL)
        await admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield Cli(_pg_url(name), tmp_path)
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.close()
    database.rebind()
