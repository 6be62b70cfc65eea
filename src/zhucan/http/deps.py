"""Values every handler may ask for by name, as Litestar dependencies: `settings`, `now` (the
service's time zone), `today`, and `client_address` (for the guessing limits).

Handlers take them as parameters instead of reading app state, so a test moves the whole
service's clock at once with `app.state.clock = lambda: fixed_datetime`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide

from zhucan.settings import Settings


def _settings(state: State) -> Settings:
    return state.settings  # type: ignore[no-any-return]


def _now(state: State) -> datetime:
    return state.clock()  # type: ignore[no-any-return]


def _today(now: NamedDependency[datetime]) -> date:
    return now.date()


def _client_address(request: Request[Any, Any, Any]) -> str:
    """The peer address of a request. Behind a reverse proxy this is the proxy's address unless
    uvicorn is told to trust its forwarded headers (see docs/operations.md)."""
    return request.client.host if request.client else "unknown"


DEPENDENCIES = {
    "settings": Provide(_settings, sync_to_thread=False),
    "now": Provide(_now, sync_to_thread=False),
    "today": Provide(_today, sync_to_thread=False),
    "client_address": Provide(_client_address, sync_to_thread=False),
}

# What a handler writes to receive them, e.g. `today: Today`.
AppSettings = NamedDependency[Settings]
Now = NamedDependency[datetime]
Today = NamedDependency[date]
ClientAddress = NamedDependency[str]
