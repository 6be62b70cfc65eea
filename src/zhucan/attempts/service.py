"""Counting failed PIN and password attempts per client address in the shared database.

Callers: `check(kind, client, subject)` before verifying a secret, `record_failure(...)` after a
wrong one; with `client=None` (the command line, direct service calls) both do nothing, as there is
no address to limit. Both run as their own statements, never in the caller's write transaction, so that a
refused request cannot roll its failure back (call them before opening one).
Races between workers may let a few attempts past a limit; the limit is about volume, not exactness.
"""

from __future__ import annotations

from zhucan.attempts import queries, rules
from zhucan.clock import now_utc
from zhucan.errors import DomainError


class TooManyFailures(DomainError):
    status_code = 429


async def check(kind: str, client: str | None, subject: str = "") -> None:
    """Raise 429 with Retry-After when `client` (and `subject`) failed too often recently."""
    if client is None:
        return
    now = now_utc()
    for limit in rules.LIMITS[kind]:
        failures = await queries.recent_failures(
            kind,
            client,
            now - limit.window,
            limit.max_failures,
            subject if limit.per_subject else None,
        )
        seconds = rules.retry_after(failures, limit, now)
        if seconds is not None:
            raise TooManyFailures(
                rules.refusal(limit, seconds), headers={"Retry-After": str(seconds)}
            )


async def record_failure(kind: str, client: str | None, subject: str = "") -> None:
    if client is None:
        return
    now = now_utc()
    await queries.add_failure(kind, client, subject, now)
    # Failures are rare next to orders, so pruning on each one keeps the table small for free.
    await queries.forget_before(now - rules.KEEP_FOR)
