"""The service's notion of now and today, in the configured time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


def now_utc() -> datetime:
    return datetime.now(UTC)


def today(tz: ZoneInfo) -> date:
    return datetime.now(tz).date()
