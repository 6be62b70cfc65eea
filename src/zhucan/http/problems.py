"""Problem details (RFC 9457): every error the API answers, with a Chinese title and a detail
that names the field and the rule; and their OpenAPI entries."""

from __future__ import annotations

import logging
import sqlite3
from typing import Any, Literal, get_args, get_origin

import asyncpg
from litestar import Request, Response
from litestar.exceptions import HTTPException, SerializationException, ValidationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.types import ExceptionHandlersMap
from pydantic import BaseModel, Field

from zhucan.errors import MALFORMED_JSON, DomainError, chinese_message
from zhucan.privacy import redact

log = logging.getLogger("zhucan.http")

PROBLEM_JSON = "application/problem+json"

TITLES = {
    400: "请求无效",
    401: "未认证或凭据错误",
    403: "无权执行此操作",
    404: "未找到",
    405: "不支持的请求方法",
    409: "与当前状态冲突",
    413: "请求过大",
    415: "不支持的内容类型",
    422: "请求与先前不一致",
    423: "卡已锁定",
    429: "请求过于频繁",
    500: "服务器内部错误",
    503: "服务暂不可用",
}


class ProblemDetails(BaseModel):
    """RFC 9457 problem details, as every error response of the API is shaped."""

    type: str = "about:blank"
    status: int
    title: str
    detail: str = Field(description="用中文说明哪个字段违反了哪条规则")
    field: str | None = None
    errors: list[dict[str, str]] | None = None


def problem_responses(*statuses: int) -> dict[int, ResponseSpec]:
    """OpenAPI entries saying that a handler may answer `statuses` with problem details."""
    return {
        status: ResponseSpec(
            data_container=ProblemDetails,
            media_type=PROBLEM_JSON,
            description=TITLES[status],
            generate_examples=False,
        )
        for status in statuses
    }


# What every API operation may answer (app.create_app adds them); handlers add their own
# further statuses (422, 423, 429) in `responses`.
ERROR_RESPONSES = problem_responses(400, 401, 403, 404, 409)


def _body(status: int, detail: str, **extra: Any) -> dict[str, Any]:
    # Details may echo what was typed, e.g. an id number where an elder id belongs: mask it.
    return {
        "type": "about:blank",
        "status": status,
        "title": TITLES.get(status, "错误"),
        "detail": redact(detail),
        **extra,
    }


def problem(
    status: int, detail: str, *, headers: dict[str, str] | None = None, **extra: Any
) -> Response[Any]:
    return Response(
        content=_body(status, detail, **extra),
        status_code=status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


def problem_body(exc: DomainError) -> dict[str, Any]:
    """The problem details a refusal is answered with."""
    return _body(exc.status_code, exc.detail, **({"field": exc.field} if exc.field else {}))


def _parameter(request: Request[Any, Any, Any], key: str) -> Any:
    """The handler's parameter `key` (a query, path, header or cookie one), or None."""
    handler = request.scope.get("route_handler")
    return handler.parsed_fn_signature.parameters.get(key) if handler else None


def _sent_name(parameter: Any, key: str) -> str:
    """A parameter as the client named it (`date`, `Idempotency-Key`), not as the handler's
    argument is called (`meal_date`, `idempotency_key`)."""
    definition = getattr(parameter, "kwarg_definition", None)
    aliases = (getattr(definition, kind, None) for kind in ("name", "query", "header", "cookie"))
    return next((alias for alias in aliases if alias), key)


def _choices(annotation: Any) -> list[str]:
    """The values a Literal parameter takes (a slot: breakfast, lunch, dinner)."""
    if get_origin(annotation) is Literal:
        return [str(value) for value in get_args(annotation)]
    return [value for inner in get_args(annotation) for value in _choices(inner)]


def _validation_problem(request: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    errors = []
    for item in exc.extra or []:
        if isinstance(item, dict):
            parameter = _parameter(request, item.get("key") or "")
            field = _sent_name(parameter, item.get("key") or "")
            message = str(item.get("message", ""))
            if field == "data" and message == "'data'":  # Litestar's way of saying "no body"
                field, message = "", "缺少 JSON 请求体"
            worded = chinese_message(message)
            if message.startswith("Invalid enum value") and (
                choices := _choices(getattr(parameter, "annotation", None))
            ):
                worded += f"（可选：{'、'.join(choices)}）"
            errors.append({"field": field, "message": worded})
    if errors:
        detail = "；".join(f"{e['field'] or '请求体'}：{e['message']}" for e in errors)
    elif "JSON" in str(exc.detail) or "decode" in str(exc.detail).lower():
        detail = MALFORMED_JSON
    else:
        detail = chinese_message(str(exc.detail))
    return problem(400, detail, errors=errors)


def domain_error_handler(_: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    return Response(
        content=problem_body(exc),
        status_code=exc.status_code,
        media_type=PROBLEM_JSON,
        headers=exc.headers,
    )


def http_error_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    if isinstance(exc, ValidationException):
        return _validation_problem(request, exc)
    if isinstance(exc.__cause__, SerializationException):
        return problem(400, MALFORMED_JSON)
    status = exc.status_code
    detail = {
        401: "需要有效的登录令牌（Authorization: Bearer …）",
        403: "当前账号的角色不允许此操作",
        404: f"没有这个地址：{request.url.path}",
        405: f"{request.url.path} 不支持 {request.method} 请求",
        413: "请求体过大",
    }.get(status, chinese_message(str(exc.detail)))
    if status >= 500:
        log.error("HTTP %s on %s %s: %s", status, request.method, request.url.path, exc.detail)
        detail = "服务器出错，请稍后重试"
    return problem(status, detail, headers=exc.headers)


def integrity_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """A uniqueness race lost between the service's check and its insert is a conflict, not a bug."""
    log.info("integrity error on %s %s: %s", request.method, request.url.path, exc)
    return problem(409, "该记录已存在或与现有数据冲突，请刷新后重试")


def out_of_range_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """A number too large for its column (e.g. an id number typed as an elder id), or a date
    so early or late that a day or a year cannot be counted from it, is bad input."""
    log.info(
        "value out of range on %s %s: %s", request.method, request.url.path, type(exc).__name__
    )
    return problem(
        400,
        "请求中的数值或日期超出允许范围（编号、数量或金额过大，或日期过早、过晚），请核对后重试",
    )


def undecodable_body_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """The JSON parser meeting bytes that are not UTF-8 (e.g. a GBK-encoded body), or nesting
    deeper than it follows, raises these rather than Litestar's SerializationException."""
    if isinstance(exc, RecursionError) and "deserializing" not in str(exc):
        return internal_error_handler(request, exc)
    log.info("undecodable body on %s %s: %s", request.method, request.url.path, exc)
    return problem(400, f"{MALFORMED_JSON}：须为 UTF-8 编码，且嵌套不能过深")


def internal_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem(500, "服务器出错，请稍后重试")


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    DomainError: domain_error_handler,
    sqlite3.IntegrityError: integrity_error_handler,
    asyncpg.IntegrityConstraintViolationError: integrity_error_handler,
    asyncpg.DataError: out_of_range_handler,  # raised by PostgreSQL
    asyncpg.exceptions._base.DataError: out_of_range_handler,  # raised by asyncpg's encoder
    OverflowError: out_of_range_handler,  # SQLite's "Python int too large to convert"
    UnicodeDecodeError: undecodable_body_handler,
    RecursionError: undecodable_body_handler,
    HTTPException: http_error_handler,
    Exception: internal_error_handler,
}
