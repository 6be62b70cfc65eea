"""Ledger amounts as 64-bit integers on PostgreSQL.

`account.balance` and `ledger_entry.amount` were int4 there: a city's subsidy fund passes
2^31 fen (21.47 million 元) within a few years and every order would then fail. SQLite's INTEGER
is already 64-bit, so this changes nothing there. The tables declare BigInt; Piccolo's --auto
snapshot still remembers Integer from the first migration, so drop an alter_column of these two
columns if a later --auto for money proposes one.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-25T19:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "ledger amounts as bigint"

COLUMNS = [("account", "balance"), ("ledger_entry", "amount")]


async def widen():
    engine = engine_finder()
    if engine.engine_type != "sqlite":
        for table, column in COLUMNS:
            await engine.run_ddl(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE BIGINT')


async def narrow():
    engine = engine_finder()
    if engine.engine_type != "sqlite":
        for table, column in COLUMNS:
            await engine.run_ddl(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE INTEGER')


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="money", description=DESCRIPTION)
    manager.add_raw(widen)
    manager.add_raw_backwards(narrow)
    return manager
