"""The placeholder translation of zhucan.db.sql (pure)."""

from zhucan.db import sql


def test_sqlite_gets_numbered_placeholders_with_the_same_numbers():
    assert sql._for_sqlite("UPDATE account SET balance = balance + $1 WHERE id = $2 "
                           "AND balance + $1 >= 0") == ("UPDATE account SET balance = balance + ?1 "
                                                        "WHERE id = ?2 AND balance + ?1 >= 0")
    assert sql._for_sqlite("SELECT 1 FROM t WHERE a = $10 AND b = $2") == \
        "SELECT 1 FROM t WHERE a = ?10 AND b = ?2"


def test_placeholder_lists_start_where_asked():
    assert sql.placeholders(1, 3) == "$1, $2, $3"
    assert sql.placeholders(4, 1) == "$4"
