"""Idempotency-Key handling for every money-moving POST (docs/api.md, Idempotency).

A request first claims its key in a short transaction of its own, so that a concurrent retry
sees it in flight (409). Its effects and its stored reply then commit in one transaction: a
retry with the same key and body gets the identical status and body back, a different body 422.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any

from litestar import Request, Response
from litestar.params import HeaderParameter
from pydantic import BaseModel

from zhucan.clock import now_utc
from zhucan.db import sql
from zhucan.db.tx import write_statement, write_transaction
from zhucan.errors import Conflict, DomainError
from zhucan.http.problems import PROBLEM_JSON, problem_body, problem_responses
from zhucan.http.tables import IdempotencyRecord
from zhucan.settings import Settings

HEADER = "Idempotency-Key"
# Keys forgotten per statement when pruning: on SQLite each batch holds the one writer, so the
# orders of a lunch rush wait behind one batch at most, never behind the whole prune.
PRUNE_BATCH = 1000


# Required and constrained where Litestar checks it, so that the OpenAPI document says what a
# valid key is and a missing or bad one is refused (400) before the PIN is looked at.
IdempotencyKey = Annotated[
    str,
    HeaderParameter(
        name=HEADER,
        min_length=1,
        max_length=255,
        pattern=r"^[ -~]+$",
        description="1–255 个可打印 ASCII 字符（如 UUID）；同一个键重试得到与第一次相同的结果。"
        "键保留 7 天（可由运维配置），之后同一个键视为新请求",
    ),
]
# Added to the statuses every handler documents (errors.ERROR_RESPONSES).
IDEMPOTENCY_RESPONSES = problem_responses(422)


class KeyReused(DomainError):
    status_code = 422


def fingerprint(principal: str, body: dict[str, Any]) -> str:
    """What makes two requests "the same": who sent it and what it asked (secrets left out)."""
    canonical = json.dumps(
        {"by": principal, "body": body}, sort_keys=True, ensure_ascii=False, default=str
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


async def _claim(
    endpoint: str, key: str, print_: str, takeover_after: timedelta
) -> str | IdempotencyRecord:
    """A claim token for a new key, or the finished record to replay. An unanswered claim older
    than `takeover_after` belongs to a request whose process died, and is taken over."""

    token = str(uuid.uuid4())
    # Fixed SQL here and in _complete: every order passes through both (db/sql.py). A new key,
    # the usual case, is claimed by this one statement.
    if await write_statement(
        "INSERT INTO idempotency_record (endpoint, key, fingerprint, claim, response, "
        "created_at) VALUES ($1, $2, $3, $4, '', $5) ON CONFLICT DO NOTHING RETURNING id",
        endpoint,
        key,
        print_,
        token,
        now_utc(),
    ):
        return token

    async def work() -> str | IdempotencyRecord:
        row = (
            await IdempotencyRecord.objects()
            .where((IdempotencyRecord.endpoint == endpoint) & (IdempotencyRecord.key == key))
            .first()
        )
        if row is None:  # the holder failed and freed the key between our two statements
            raise Conflict(
                f"{HEADER}：使用该键的上一次请求刚刚失败，请用同一个键重试", field=HEADER
            )
        if row.fingerprint != print_:
            raise KeyReused(
                f"{HEADER}：该键已用于另一个内容不同的请求，请为新请求换一个新键", field=HEADER
            )
        if row.status_code is not None:
            return row
        if row.created_at > now_utc() - takeover_after:
            raise Conflict(
                f"{HEADER}：使用该键的请求仍在处理中，请稍后用同一个键重试", field=HEADER
            )
        await IdempotencyRecord.update(
            {IdempotencyRecord.claim: token, IdempotencyRecord.created_at: now_utc()}
        ).where(IdempotencyRecord.id == row.id)
        return token

    return await write_transaction(work)


async def _complete(
    endpoint: str, key: str, token: str, status_code: int, body: dict[str, Any]
) -> None:
    done = await sql.fetch(
        "UPDATE idempotency_record SET status_code = $1, response = $2, completed_at = $3 "
        "WHERE endpoint = $4 AND key = $5 AND claim = $6 AND status_code IS NULL RETURNING id",
        status_code,
        json.dumps(body, ensure_ascii=False),
        now_utc(),
        endpoint,
        key,
        token,
    )
    if not done:
        # Another request took the claim over; undo this one's effects rather than do them twice.
        raise Conflict(
            f"{HEADER}：使用该键的请求已由另一次重试处理，请用同一个键重新查询结果", field=HEADER
        )


@dataclass(frozen=True)
class Outcome:
    """What a keyed request answered: a fresh reply, or the stored one of an earlier try."""

    status_code: int
    body: dict[str, Any]
    replayed: bool

    def refusal(self) -> DomainError | None:
        """The refusal a problem-details reply stands for, as the error it was raised as."""
        if self.status_code < 400:
            return None
        return DomainError(
            self.body["detail"], field=self.body.get("field"), status_code=self.status_code
        )

    def response(self) -> Response[Any]:
        return Response(
            content=self.body,
            status_code=self.status_code,
            media_type=PROBLEM_JSON if self.status_code >= 400 else "application/json",
            headers={"Idempotent-Replayed": "true"} if self.replayed else None,
        )


async def run_once(
    key: str,
    endpoint: str,
    principal: str,
    body: dict[str, Any],
    effects: Callable[[], Awaitable[tuple[int, BaseModel]]],
    takeover_after: timedelta,
) -> Outcome:
    """Run `effects` at most once per Idempotency-Key; `effects` runs inside the write
    transaction that also stores its reply, and may run more than once if that is retried.
    A refusal (DomainError) is stored and answered again like a success."""
    claim = await _claim(endpoint, key, fingerprint(principal, body), takeover_after)
    if isinstance(claim, IdempotencyRecord):
        return Outcome(claim.status_code, json.loads(claim.response), replayed=True)

    async def work() -> tuple[int, dict[str, Any]]:
        status_code, model = await effects()
        reply = model.model_dump(mode="json")
        await _complete(endpoint, key, claim, status_code, reply)
        return status_code, reply

    try:
        status_code, reply = await write_transaction(work)
    except DomainError as exc:
        status_code, reply = exc.status_code, problem_body(exc)
        await write_transaction(lambda: _complete(endpoint, key, claim, status_code, reply))
    except BaseException:
        # Not a decision the client can be given again: free the key so a retry can run.
        await write_transaction(
            lambda: IdempotencyRecord.delete().where(
                (IdempotencyRecord.endpoint == endpoint)
                & (IdempotencyRecord.key == key)
                & (IdempotencyRecord.claim == claim)
                & IdempotencyRecord.status_code.is_null()
            )
        )
        raise
    return Outcome(status_code, reply, replayed=False)


async def once(
    request: Request[Any, Any, Any],
    key: str,
    endpoint: str,
    principal: str,
    body: dict[str, Any],
    effects: Callable[[], Awaitable[tuple[int, BaseModel]]],
) -> Response[Any]:
    """`run_once` for a handler: `key` is an `IdempotencyKey`, checked before anything else about
    the request, and the reply is the HTTP response."""
    takeover_after = takeover_period(request.app.state.settings)
    return (await run_once(key, endpoint, principal, body, effects, takeover_after)).response()


def takeover_period(settings: Settings) -> timedelta:
    return timedelta(seconds=settings.idempotency_takeover_seconds)


async def prune(claimed_before: datetime) -> int:
    """Forget every key claimed before `claimed_before`; how many were forgotten. A retry with a
    forgotten key is a new request (the IETF draft lets a server expire keys if it says when:
    docs/money.md). Batches go by id range, the primary key, so no index on `created_at` is
    kept up to date by every order for a job that runs once a day."""
    bounds = await sql.fetchrow(
        "SELECT MIN(id) AS first, MAX(id) AS last FROM idempotency_record WHERE created_at < $1",
        claimed_before,
    )
    if bounds is None or bounds["first"] is None:
        return 0
    forgotten = 0
    for start in range(bounds["first"], bounds["last"] + 1, PRUNE_BATCH):
        forgotten += len(
            await write_statement(
                "DELETE FROM idempotency_record WHERE id >= $1 AND id < $2 AND created_at < $3 "
                "RETURNING id",
                start,
                start + PRUNE_BATCH,
                claimed_before,
            )
        )
    return forgotten
