"""How the audit log is read and appended to: the only module that names the audit_log table.
There is no update or delete here, nor anywhere: the log is append-only."""

from __future__ import annotations

from datetime import datetime

from zhucan.audit.tables import AuditEntry
from zhucan.db import sql


# Fixed SQL: every proxy order records one (db/sql.py).
async def append(at: datetime, actor: str, action: str, target: str, detail: str) -> None:
    """One entry; `detail` is its JSON text."""
    await sql.fetch(
        "INSERT INTO audit_log (at, actor, action, target, detail) VALUES ($1, $2, $3, $4, $5)",
        at,
        actor,
        action,
        target,
        detail,
    )


async def entries(
    limit: int,
    *,
    action: str | None = None,
    actor: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    before: int | None = None,
) -> list[dict]:
    """Up to `limit` entries newest first, of `action` by `actor` at `since` or later and
    before `until`, with ids below `before`; each filter left out when None."""
    query = AuditEntry.select().order_by(AuditEntry.id, ascending=False).limit(limit)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    if actor is not None:
        query = query.where(AuditEntry.actor == actor)
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    if until is not None:
        query = query.where(AuditEntry.at < until)
    if before is not None:
        query = query.where(AuditEntry.id < before)
    return await query
