"""Types for what clients send, shared by every domain's controllers and request models."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from litestar.params import PathParameter
from pydantic import BeforeValidator

# A database row id in a path (/orders/{order_id}): ids are PostgreSQL `integer` (int4) columns,
# so a larger number cannot name anything; refusing it here makes it a 400 that the OpenAPI
# document states, instead of a database error.
DbId = Annotated[int, PathParameter(ge=1, le=2**31 - 1)]


def _not_a_number(value: Any) -> Any:
    # Pydantic reads a number as seconds since 1970, so `"date": 0` would be 1970-01-01.
    if isinstance(value, int | float):
        raise ValueError("必须是 ISO-8601 格式的字符串（如 2026-11-23），不能是数字")
    return value


# Dates and times in request bodies: ISO-8601 strings only, as the OpenAPI document says.
IsoDate = Annotated[date, BeforeValidator(_not_a_number)]
IsoDateTime = Annotated[datetime, BeforeValidator(_not_a_number)]
