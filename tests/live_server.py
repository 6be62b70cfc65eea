"""A real `zhucan serve` process on a test database, for tests that need what Litestar's test
client cannot give: simultaneous requests (it serialises them) or a browser."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest

from tests.conftest import TEST_SECRET, TestDatabase

ZHUCAN = Path(sys.executable).with_name("zhucan")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@asynccontextmanager
async def live_server(
    database: TestDatabase, workdir: Path, workers: int = 1
) -> AsyncIterator[str]:
    """Serve the app on `database` until the block ends; yields the base URL."""
    process, base_url = await start_server(database, workdir, workers)
    try:
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=20)


async def start_server(
    database: TestDatabase, workdir: Path, workers: int = 1, env: dict[str, str] | None = None
) -> tuple[subprocess.Popen, str]:
    """A healthy `zhucan serve` (with extra environment `env`) and its base URL; the caller ends
    it. It leads a process group of its own, so that a test can kill it with its workers."""
    port = _free_port()
    env = (
        os.environ
        | {
            "ZHUCAN_DATABASE_URL": database.url,
            "ZHUCAN_SECRET_KEY": TEST_SECRET,
            "ZHUCAN_DB_POOL_SIZE": "20",
        }
        | (env or {})
    )
    log_path = workdir / f"server-{port}.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [str(ZHUCAN), "serve", "--port", str(port), "--workers", str(workers)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=workdir,
            start_new_session=True,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        await _wait_until_healthy(base_url, process, log_path)
    except BaseException:
        process.kill()
        raise
    return process, base_url


async def _wait_until_healthy(base_url: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + 60
    async with httpx.AsyncClient(base_url=base_url) as probe:
        while True:
            try:
                if (await probe.get("/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"zhucan serve did not start; see {log_path}")
            await asyncio.sleep(0.2)
