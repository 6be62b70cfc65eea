"""Types for what clients send, shared by every domain's controllers and request models."""

from __future__ import annotations

import unicodedata
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


def _visible(value: Any) -> Any:
    # "   " would pass min_length and be stored as a canteen or an elder with no name; a NUL or a
    # right-to-left override would make a name read differently from what it is.
    if isinstance(value, str):
        value = value.strip()
        if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in value):
            raise ValueError("不能包含控制字符或不可见的格式字符")
    return value


# Text people read and must not be blank (names, a visit's account): surrounding spaces are
# dropped before min_length counts, and invisible characters are refused.
Text = Annotated[str, BeforeValidator(_visible)]
