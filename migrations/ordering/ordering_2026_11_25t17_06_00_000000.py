"""Indexes the ordering rules rely on (same SQL on SQLite and PostgreSQL):
one Idempotency-Key per endpoint; at most one subsidised live order per elder, date and slot;
the kitchen's lookup of a canteen's orders for a date and slot."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-25T17:06:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "idempotency key, one subsidy per slot, kitchen lookup"

INDEXES = {
    "idempotency_record_key":
        'CREATE UNIQUE INDEX idempotency_record_key ON idempotency_record (endpoint, "key")',
    "meal_order_one_subsidy":
        "CREATE UNIQUE INDEX meal_order_one_subsidy ON meal_order (elder, meal_date, slot) "
        "WHERE subsidy_fen > 0 AND status <> 'cancelled'",
    "meal_order_kitchen":
        "CREATE INDEX meal_order_kitchen ON meal_order (canteen, meal_date, slot)",
}


async def add_indexes():
    for sql in INDEXES.values():
        await engine_finder().run_ddl(sql)


async def drop_indexes():
    for name in INDEXES:
        await engine_finder().run_ddl(f"DROP INDEX {name}")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="ordering", description=DESCRIPTION)
    manager.add_raw(add_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
