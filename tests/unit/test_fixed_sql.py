"""The placeholder translation of zhucan.db.sql (pure)."""

from zhucan.db import sql


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
