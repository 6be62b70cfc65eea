"""The placeholder translation and the statement builders of zhucan.db.sql (pure)."""

import pytest

from zhucan.db import sql
from zhucan.ordering.tables import OrderLine


def test_sqlite_gets_numbered_placeholders_with_the_same_numbers():
    assert sql._for_sqlite(
        "UPDATE account SET balance = balance + $1 WHERE id = $2 AND balance + $1 >= 0"
    ) == ("UPDATE account SET balance = balance + ?1 WHERE id = ?2 AND balance + ?1 >= 0")
    assert (
        sql._for_sqlite("SELECT 1 FROM t WHERE a = $10 AND b = $2")
        == "SELECT 1 FROM t WHERE a = ?10 AND b = ?2"
    )


def test_placeholder_lists_start_where_asked():
    assert sql.placeholders(1, 3) == "$1, $2, $3"
    assert sql.placeholders(4, 1) == "$4"


def test_a_table_of_literal_rows_numbers_its_values_row_by_row():
    text, args = sql.rows_table((("id", "BIGINT"), ("qty", "INTEGER")), [(7, 1), (3, 2)])
    assert text == (
        "SELECT CAST($1 AS BIGINT) AS id, CAST($2 AS INTEGER) AS qty UNION ALL "
        "SELECT CAST($3 AS BIGINT) AS id, CAST($4 AS INTEGER) AS qty"
    )
    assert args == [7, 1, 3, 2]


def test_column_lists_and_inserts_come_from_the_table_class():
    assert sql.columns(OrderLine, "l") == (
        'l."id", l."order", l."menu_item", l."dish_id", l."name", l."qty", l."price_fen"'
    )
    text, args = sql.insert(
        OrderLine,
        [{"qty": 2, "order": 9, "name": "a"}, {"name": "b", "order": 9, "qty": 1}],
        returning="id",
    )
    assert text == (
        'INSERT INTO order_line ("order", "name", "qty") VALUES ($1, $2, $3), ($4, $5, $6)'
        " RETURNING id"
    )
    assert args == [9, "a", 2, 9, "b", 1]
    with pytest.raises(ValueError, match="no column dish"):
        sql.insert(OrderLine, [{"order": 9, "dish": "x"}])
