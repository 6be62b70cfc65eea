"""The audit log: `record` from any service, inside its transaction; `page` for GET /audit."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from zhucan.audit import queries
from zhucan.audit.rules import ACTIONS
from zhucan.audit.schemas import AuditEntryOut, AuditPage
from zhucan.clock import now_utc
from zhucan.errors import BadInput
from zhucan.privacy import redact_value


async def record(
    actor: str, action: str, target: str, detail: Mapping[str, Any] | None = None
) -> None:
    """Append one entry: `actor` did `action` (a key of rules.ACTIONS) to `target`.

    Runs in the caller's transaction when there is one, so the entry commits or rolls back with
    the change it describes. `detail` is a small JSON-able mapping; id numbers and phone numbers
    in it are masked, but better not put personal data in at all.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}: add it to zhucan.audit.rules.ACTIONS")
    text = json.dumps(redact_value(dict(detail or {})), ensure_ascii=False, default=str)
    await queries.append(now_utc(), actor, action, target, text)


def _start_of(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tz).astimezone(UTC)


async def page(
    tz: ZoneInfo,
    *,
    action: str | None = None,
    actor: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    before: int | None = None,
    limit: int = 100,
) -> AuditPage:
    """Entries newest first; dates are whole days in the service's time zone, both inclusive."""
    if action is not None and action not in ACTIONS:
        raise BadInput(
            f"action：没有这种操作类型 {action}，可选：{'、'.join(ACTIONS)}", field="action"
        )
    if date_from is not None and date_to is not None and date_to < date_from:
        raise BadInput("date_to：结束日期不能早于开始日期 date_from", field="date_to")
    # One more than a page, to tell whether there is a next one.
    rows = await queries.entries(
        limit + 1,
        action=action,
        actor=actor,
        since=None if date_from is None else _start_of(date_from, tz),
        until=None if date_to is None else _start_of(date_to + timedelta(days=1), tz),
        before=before,
    )
    entries = [
        AuditEntryOut(
            id=r["id"],
            at=r["at"],
            actor=r["actor"],
            action=r["action"],
            action_label=ACTIONS[r["action"]],
            target=r["target"],
            detail=json.loads(r["detail"]),
        )
        for r in rows[:limit]
    ]
    return AuditPage(entries=entries, next_before=entries[-1].id if len(rows) > limit else None)
