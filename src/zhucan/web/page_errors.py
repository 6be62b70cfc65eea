"""A refusal on a server-rendered page (an unknown canteen code) said as a page, not as the
API's JSON: the public, cooks and inspectors open these in a browser."""

from __future__ import annotations

from litestar import Request
from litestar.response import Template
from litestar.types import ExceptionHandlersMap

from zhucan.errors import DomainError


def error_page(request: Request, error: DomainError) -> Template:
    return Template(
        "page_error.html", context={"error": error.detail}, status_code=error.status_code
    )


PAGE_ERRORS: ExceptionHandlersMap = {DomainError: error_page}
