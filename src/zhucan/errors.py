"""The refusals a user can act on, and validation messages worded in Chinese that name the rule.

Services raise these; zhucan.http.problems renders them as RFC 9457 problem details.
"""

from __future__ import annotations

import re


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
