"""Lists of codes (categories, diet and dish tags, allergens) kept in one text column:
comma-separated and sorted, so that equal lists are stored as equal text."""

from __future__ import annotations

from collections.abc import Iterable


def split_codes(value: str) -> list[str]:
    return [v for v in value.split(",") if v]


def join_codes(values: Iterable[str]) -> str:
    return ",".join(sorted(set(values)))
