"""Problem-details errors (RFC 9457) with Chinese titles and details that name the field and rule."""

from __future__ import annotations

import logging
import re
import sqlite3
from typing import Any, Literal, get_args, get_origin

import asyncpg
from litestar import Request, Response
from litestar.exceptions import HTTPException, SerializationException, ValidationException
from litestar.openapi.datastructures import ResponseSpec
from pydantic import BaseModel, Field

from zhucan.privacy import redact

log = logging.getLogger("zhucan.errors")

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


class DomainError(Exception):
    """A refusal the user can act on; `detail` is shown to them as-is."""

    status_code = 400

    def __init__(
        self,
        detail: str,
        *,
        field: str | None = None,
        status_code: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field
        self.headers = headers or {}
        if status_code is not None:
            self.status_code = status_code


class BadInput(DomainError):
    status_code = 400


class NotAuthenticated(DomainError):
    status_code = 401


class Forbidden(DomainError):
    status_code = 403


class NotFound(DomainError):
    status_code = 404


class Conflict(DomainError):
    status_code = 409


class Locked(DomainError):
    status_code = 423


# Pydantic's English messages, said in Chinese; unmatched ones pass through unchanged.
_MESSAGES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^Field required$"), "缺少必填字段"),
    (re.compile(r"^Value error, (.*)$", re.S), r"\1"),
    (re.compile(r"^Assertion failed, (.*)$", re.S), r"\1"),
    (re.compile(r"^Input should be a valid integer.*"), "必须是整数"),
    (re.compile(r"^Input should be a valid string.*"), "必须是字符串"),
    (re.compile(r"^Input should be a valid boolean.*"), "必须是 true 或 false"),
    (
        re.compile(r"^Input should be a valid datetime.*"),
        "必须是带时区的 ISO-8601 时间（如 2026-11-23T12:00:00+08:00）",
    ),
    (re.compile(r"^Input should be a valid date.*"), "必须是 YYYY-MM-DD 格式的日期"),
    (re.compile(r"^Input should be a valid list.*"), "必须是数组"),
    (re.compile(r"^Input should be a valid dictionary.*"), "必须是 JSON 对象"),
    (re.compile(r"^Input should be greater than or equal to (\S+)$"), r"必须大于或等于 \1"),
    (re.compile(r"^Input should be greater than (\S+)$"), r"必须大于 \1"),
    (re.compile(r"^Input should be less than or equal to (\S+)$"), r"必须小于或等于 \1"),
    (re.compile(r"^Input should be less than (\S+)$"), r"必须小于 \1"),
    (re.compile(r"^Input should be ('.*') or ('[^']*')$"), r"取值必须是 \1 或 \2 之一"),
    (re.compile(r"^Input should be (.*)$"), r"取值必须是 \1"),
    (re.compile(r"^String should have at least (\d+) characters?$"), r"至少 \1 个字符"),
    (re.compile(r"^String should have at most (\d+) characters?$"), r"最多 \1 个字符"),
    (re.compile(r"^String should match pattern '(.*)'$"), r"格式不符合 \1"),
    (re.compile(r"^List should have at least (\d+) items?.*"), r"至少需要 \1 项"),
    (re.compile(r"^List should have at most (\d+) items?.*"), r"最多 \1 项"),
    (re.compile(r"^Extra inputs are not permitted$"), "不允许的字段"),
    # msgspec's messages, for query and path parameters.
    (re.compile(r"^Expected `int( \| null)?`, got .*"), "必须是整数"),
    (re.compile(r"^Expected `bool( \| null)?`, got .*"), "必须是 true 或 false"),
    (re.compile(r"^Expected `str( \| null)?`, got .*"), "必须是字符串"),
    (re.compile(r"^Expected `str` of length >= (\d+)$"), r"至少 \1 个字符"),
    (re.compile(r"^Expected `str` of length <= (\d+)$"), r"最多 \1 个字符"),
    (re.compile(r"^Expected `\w+` >= (\S+)$"), r"必须大于或等于 \1"),
    (re.compile(r"^Expected `\w+` <= (\S+)$"), r"必须小于或等于 \1"),
    (re.compile(r"^Expected `str` matching regex '(.*)'$"), r"格式不符合 \1"),
    (re.compile(r"^Missing required header parameter '([^']+)'.*"), r"缺少请求头 \1"),
    (re.compile(r"^Missing required query parameter '([^']+)'.*"), r"\1：缺少查询参数"),
    (re.compile(r"^Missing required (?:path|cookie) parameter '([^']+)'.*"), r"\1：缺少参数"),
    (re.compile(r"^Invalid multipart/form-data.*"), "表单数据格式有误"),
    (re.compile(r"^Invalid RFC3339 encoded date$"), "必须是 YYYY-MM-DD 格式的日期"),
    (re.compile(r"^Invalid enum value (.*)$"), r"不是允许的取值：\1"),
]


# Without the parser's English account of where it stopped.
MALFORMED_JSON = "请求体不是有效的 JSON"


# The request patterns in words, so a message never shows a regular expression.
_PATTERN_RULES = {
    r"^\d{6}$": "必须是 6 位数字",
    r"^[0-9]{6}$": "必须是 6 位数字",
    r"^\s*[0-9]{17}[0-9Xx]\s*$": "必须是 18 位身份证号，前 17 位为数字，最后一位为数字或 X",
    r"^\d{12}$": "必须是 12 位数字",
    r"^[A-Za-z0-9_-]+$": "只能由英文字母、数字、下划线和连字符组成",
    r"^[A-Za-z0-9_.@-]+$": "只能由英文字母、数字和 _ . @ - 组成",
    r"^[ -~]+$": "只能由可打印的 ASCII 字符组成（如 UUID）",
    r"^20[0-9]{2}-(0[1-9]|1[0-2])$": "必须是 YYYY-MM 格式的月份（如 2026-11，年份在 2000–2099 之间）",
}
_PATTERN_MESSAGE = re.compile(
    r"^(?:String should match pattern|Expected `str` matching regex) "
    r"'(.*)'$"
)


def chinese_message(message: str) -> str:
    if (match := _PATTERN_MESSAGE.match(message)) and match[1] in _PATTERN_RULES:
        return _PATTERN_RULES[match[1]]
    for pattern, replacement in _MESSAGES:
        if pattern.match(message):
            return pattern.sub(replacement, message)
    return message


def problem(
    status: int, detail: str, *, headers: dict[str, str] | None = None, **extra: Any
) -> Response:
    # Details may echo what was typed, e.g. an id number where an elder id belongs: mask it.
    body = {
        "type": "about:blank",
        "status": status,
        "title": TITLES.get(status, "错误"),
        "detail": redact(detail),
        **extra,
    }
    return Response(content=body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _parameter(request: Request, key: str) -> Any:
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


def _validation_problem(request: Request, exc: ValidationException) -> Response:
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


def domain_error_handler(_: Request, exc: DomainError) -> Response:
    extra = {"field": exc.field} if exc.field else {}
    return problem(exc.status_code, exc.detail, headers=exc.headers, **extra)


def http_error_handler(request: Request, exc: HTTPException) -> Response:
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


def integrity_error_handler(request: Request, exc: Exception) -> Response:
    """A uniqueness race lost between the service's check and its insert is a conflict, not a bug."""
    log.info("integrity error on %s %s: %s", request.method, request.url.path, exc)
    return problem(409, "该记录已存在或与现有数据冲突，请刷新后重试")


def out_of_range_handler(request: Request, exc: Exception) -> Response:
    """A number too large for its column (e.g. an id number typed as an elder id), or a date
    so early or late that a day or a year cannot be counted from it, is bad input."""
    log.info(
        "value out of range on %s %s: %s", request.method, request.url.path, type(exc).__name__
    )
    return problem(
        400,
        "请求中的数值或日期超出允许范围（编号、数量或金额过大，或日期过早、过晚），请核对后重试",
    )


def undecodable_body_handler(request: Request, exc: Exception) -> Response:
    """The JSON parser meeting bytes that are not UTF-8 (e.g. a GBK-encoded body), or nesting
    deeper than it follows, raises these rather than Litestar's SerializationException."""
    if isinstance(exc, RecursionError) and "deserializing" not in str(exc):
        return internal_error_handler(request, exc)
    log.info("undecodable body on %s %s: %s", request.method, request.url.path, exc)
    return problem(400, f"{MALFORMED_JSON}：须为 UTF-8 编码，且嵌套不能过深")


def internal_error_handler(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem(500, "服务器出错，请稍后重试")


EXCEPTION_HANDLERS = {
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
