"""How failed attempts are counted: the only module that names the failed_attempt table."""

from __future__ import annotations

from datetime import datetime

from zhucan.attempts.tables import FailedAttempt
from zhucan.db import sql


# Fixed SQL: this runs before every order placed with card and PIN (db/sql.py).
async def recent_failures(
    kind: str, client: str, since: datetime, limit: int, subject: str | None = None
) -> list[datetime]:
    """When `client` failed at `kind` after `since` (for `subject` only, unless None), newest
    first, at most `limit` of them."""
    if subject is not None:
        rows = await sql.fetch(
            "SELECT at FROM failed_attempt WHERE kind = $1 AND client = $2 AND at > $3 "
            "AND subject = $4 ORDER BY at DESC LIMIT $5",
            kind,
            client,
            since,
            subject,
            limit,
        )
    else:
        rows = await sql.fetch(
            "SELECT at FROM failed_attempt WHERE kind = $1 AND client = $2 AND at > $3 "
            "ORDER BY at DESC LIMIT $4",
            kind,
            client,
            since,
            limit,
        )
    return [r["at"] for r in rows]


async def add_failure(kind: str, client: str, subject: str, at: datetime) -> None:
    await FailedAttempt.insert(
        FailedAttempt(kind=kind, client=client, subject=subject, at=at)
    ).run()


async def forget_before(at: datetime) -> None:
    await FailedAttempt.delete().where(FailedAttempt.at < at).run()
