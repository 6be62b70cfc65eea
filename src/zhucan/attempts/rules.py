"""Limits on failed PIN and password attempts per client address (pure, no I/O).

The numbers leave room for a busy counter. One canteen terminal places 200–400 orders between
11:00 and 12:30 from one address; if one elder in twenty mistypes a PIN once or twice, that is
about 10–30 failures in 90 minutes, at most ~10 in any 10 minutes. 30 per 10 minutes is three
times that peak, yet bounds a card-cycling guesser (5 tries per card before the card locks) to
30 guesses per 10 minutes: one hit in a million-PIN space per ~230 days per address.
Passwords: 10 failures per username and address per 15 minutes lets a forgetful volunteer try
every password they know; 30 per address per 15 minutes covers a 12349 hotline room behind one
NAT logging in at shift change, and stops spraying one password over many usernames.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Limit:
    kind: str  # which secret was guessed: "pin" | "password"
    per_subject: bool  # counted per username and address, or per address alone
    max_failures: int
    window: timedelta


PIN_PER_CLIENT = Limit("pin", per_subject=False, max_failures=30, window=timedelta(minutes=10))
PASSWORD_PER_ACCOUNT = Limit(
    "password", per_subject=True, max_failures=10, window=timedelta(minutes=15)
)
PASSWORD_PER_CLIENT = Limit(
    "password", per_subject=False, max_failures=30, window=timedelta(minutes=15)
)

LIMITS = {"pin": (PIN_PER_CLIENT,), "password": (PASSWORD_PER_ACCOUNT, PASSWORD_PER_CLIENT)}

# Rows older than the longest window can never count again.
KEEP_FOR = max(limit.window for limits in LIMITS.values() for limit in limits)


def retry_after(newest_first: list[datetime], limit: Limit, now: datetime) -> int | None:
    """Seconds until another attempt is allowed, or None when it is allowed now.

    `newest_first` are the failures within the limit's window, newest first; only the first
    `max_failures` matter. The next attempt is allowed once the max_failures-th newest one has
    left the window, since then fewer than max_failures remain in it.
    """
    if len(newest_first) < limit.max_failures:
        return None
    wait = (newest_first[limit.max_failures - 1] + limit.window - now).total_seconds()
    return max(1, math.ceil(wait))


def refusal(limit: Limit, seconds: int) -> str:
    """The Chinese detail of a 429 for `limit`."""
    what = "爱心卡密码" if limit.kind == "pin" else "登录密码"
    scope = "该账号在本终端" if limit.per_subject else "本终端"
    minutes = math.ceil(seconds / 60)
    return (
        f"{scope} {int(limit.window.total_seconds() // 60)} 分钟内输错{what}已达 "
        f"{limit.max_failures} 次，为防止猜测已暂停受理，请 {minutes} 分钟后再试"
    )
