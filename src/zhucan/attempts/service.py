"""Counting failed PIN and password attempts per client address in the shared database.

Callers: `check(kind, client, subject)` before verifying a secret, `record_failure(...)` after a
wrong one; with `client=None` (the command line, direct service calls) both do nothing, as there is
no address to limit. Both run as their own statements, never in the caller's write transaction, so that a
refused request cannot roll its failure back (call them before opening one).
Races between workers may let a few attempts past a limit; the limit is about volume, not exactness.
"""

from __future__ import annotations

from zhucan.attempts import rules
from zhucan.attempts.tables import FailedAttempt
from zhucan.clock import now_utc
from zhucan.db import sql
from zhucan.errors import DomainError


class TooManyFailures(DomainError):
    status_code = 429


async def check(kind: str, client: str | None, subject: str = "") -> None:
    """Raise 429 with Retry-After when `client` (and `subject`) failed too often recently."""
    if client is None:
        return
    now = now_utc()
    for limit in rules.LIMITS[kind]:
        # Fixed SQL: this runs before every order placed with card and PIN (db/sql.py).
        if limit.per_subject:
            rows = await sql.fetch(
                "SELECT at FROM failed_attempt WHERE kind = $1 AND client = $2 AND at > $3 "
                "AND subject = $4 ORDER BY at DESC LIMIT $5",
                kind,
                client,
                now - limit.window,
                subject,
                limit.max_failures,
            )
        else:
            rows = await sql.fetch(
                "SELECT at FROM failed_attempt WHERE kind = $1 AND client = $2 AND at > $3 "
                "ORDER BY at DESC LIMIT $4",
                kind,
                client,
                now - limit.window,
                limit.max_failures,
            )
        seconds = rules.retry_after([r["at"] for r in rows], limit, now)
        if seconds is not None:
            raise TooManyFailures(
                rules.refusal(limit, seconds), headers={"Retry-After": str(seconds)}
            )


async def record_failure(kind: str, client: str | None, subject: str = "") -> None:
    if client is None:
        return
    now = now_utc()
    await FailedAttempt.insert(
        FailedAttempt(kind=kind, client=client, subject=subject, at=now)
    ).run()
    # Failures are rare next to orders, so pruning on each one keeps the table small for free.
    await FailedAttempt.delete().where(FailedAttempt.at < now - rules.KEEP_FOR).run()
