"""The ceiling replays every order on its own rows: each argument is known by its column."""

from __future__ import annotations

import pytest

pytest.importorskip("psutil")

from bench.lunch_rush.ceiling import arg_columns  # noqa: E402
from zhucan.db.sql import rows_table  # noqa: E402


def test_rows_joined_to_the_updated_table_are_known_by_their_column():
    wanted, _ = rows_table((("id", "BIGINT"), ("qty", "INTEGER")), [(7, 1), (9, 2)])
    statement = (
        f"WITH wanted AS MATERIALIZED (SELECT m.id, w.qty FROM menu_item m JOIN ({wanted})"
        " w ON m.id = w.id ORDER BY m.id FOR UPDATE OF m) UPDATE menu_item SET sold ="
        " menu_item.sold + wanted.qty FROM wanted WHERE menu_item.id = wanted.id"
        " RETURNING menu_item.id"
    )
    assert arg_columns(statement, "pg") == {
        0: ("menu_item", "id"),
        1: ("menu_item", "qty"),
        2: ("menu_item", "id"),
        3: ("menu_item", "qty"),
    }
    assert arg_columns(
        statement.replace("$", "?")
        .replace("?1", "?")
        .replace("?2", "?")
        .replace("?3", "?")
        .replace("?4", "?"),
        "sqlite",
    )[2] == ("menu_item", "id")


def test_plain_comparisons_still_name_their_column():
    assert arg_columns("SELECT quota, sold FROM menu_item WHERE id = $1", "pg") == {
        0: ("menu_item", "id")
    }
