"""Browser tests: headless Debian chromium driven by Playwright against a real `zhucan serve`.

Fixtures: `server` (base URL of a server on the run's SQLite test database), `browser`,
`page` (a phone-sized page, 360×640, like an old phone held by an elder), `new_page(...)` for
other viewports or without JavaScript. Helpers: `shoot(page, name)` saves a full-page screenshot
under test-artifacts/screenshots/ (gitignored) for people to look at; `axe_violations(page)` runs
axe-core in the page.

Never `playwright install`: the Python package's driver launches /usr/bin/chromium. Without
chromium the tests skip, except in CI (CI=true), where that is a failure.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from tests.conftest import IN_CI
from tests.live_server import live_server
from zhucan.settings import PROJECT_ROOT

CHROMIUM = Path(os.environ.get("ZHUCAN_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SCREENSHOTS = PROJECT_ROOT / "test-artifacts" / "screenshots"
PHONE = {"width": 360, "height": 640}


def pytest_collection_modifyitems(config, items):
    """Browser tests run on SQLite only: a browser test costs seconds, and the engines are
    already proven under the same HTTP API by tests/api."""
    here = Path(__file__).parent
    dropped = [i for i in items if i.path.is_relative_to(here) and "postgresql" in i.nodeid]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [i for i in items if i not in dropped]


@pytest.fixture(scope="session")
async def server(database, tmp_path_factory) -> AsyncIterator[str]:
    async with live_server(database, tmp_path_factory.mktemp("browser-server")) as base_url:
        yield base_url


@pytest.fixture(scope="session")
async def browser():
    if not CHROMIUM.exists():
        message = f"chromium not found at {CHROMIUM}"
        if IN_CI:
            pytest.fail(message + " (CI requires the browser tests)")
        pytest.skip(message)
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        await browser.close()


@pytest.fixture
async def new_page(browser, server) -> AsyncIterator[Callable[..., Awaitable]]:
    """new_page(viewport=PHONE, java_script_enabled=True) → a page in a fresh browser context
    whose relative URLs go to the server; closed after the test."""
    contexts = []

    async def make(viewport: dict = PHONE, java_script_enabled: bool = True):
        context = await browser.new_context(
            base_url=server,
            viewport=viewport,
            locale="zh-CN",
            java_script_enabled=java_script_enabled,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = await context.new_page()
        # A script error in any page fails the test that saw it.
        page.on("pageerror", lambda error: errors.append(error))
        return page

    errors: list = []
    yield make
    for context in contexts:
        await context.close()
    assert not errors, f"JavaScript errors in the page: {errors}"


@pytest.fixture
async def page(new_page):
    return await new_page()


async def shoot(page, name: str) -> Path:
    """Save a full-page screenshot as test-artifacts/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path


async def axe_violations(page) -> list[str]:
    """axe-core's violations in the page as readable lines (empty when there are none)."""
    from axe_playwright_python.async_playwright import Axe

    results = await Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(n["target"][0] for n in v["nodes"][:5])
        for v in results.response["violations"]
    ]
