"""Indexes the reports read meal_order through (same SQL on SQLite and PostgreSQL).

meal_order_report covers the settlement and the meal report: a month's or a year's live orders
are a range of its first column, and every figure they sum is in the index, so neither engine
touches the table (a benchmark wants a month of a million orders settled within a second).
meal_order_not_home finds the deliveries that came back unanswered for the welfare signal.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-25T17:26:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "settlement, meal report and welfare indexes on meal_order"

INDEXES = {
    "meal_order_report":
        "CREATE INDEX meal_order_report ON meal_order (meal_date, canteen, elder, channel, "
        "subsidy_fen, points_used, points_fen, card_fen, cash_fen, total_fen) "
        "WHERE status <> 'cancelled'",
    "meal_order_not_home":
        "CREATE INDEX meal_order_not_home ON meal_order (elder, meal_date) "
        "WHERE status = 'not_home'",
}


async def add_indexes():
    for sql in INDEXES.values():
        await engine_finder().run_ddl(sql)


async def drop_indexes():
    for name in INDEXES:
        await engine_finder().run_ddl(f"DROP INDEX {name}")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="reports", description=DESCRIPTION)
    manager.add_raw(add_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
