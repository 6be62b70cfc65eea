"""Types for what clients send, shared by every domain's controllers and request models."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from litestar.params import PathParameter
from pydantic import BeforeValidator, Field

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


def _not_a_bool(value: Any) -> Any:
    # Litestar validates bodies in pydantic's lax mode (a field's strict=True is overridden),
    # which reads JSON true/false as 1/0.
    if isinstance(value, bool):
        raise ValueError("必须是整数，不能是 true 或 false")
    return value


# Integers in request bodies that count or move something: JSON numbers only.
Integer = Annotated[int, BeforeValidator(_not_a_bool)]
# An id in a request body (an order's elder_id): like DbId, it must fit an int4 column.
BodyId = Annotated[int, BeforeValidator(_not_a_bool), Field(ge=1, le=2**31 - 1)]
