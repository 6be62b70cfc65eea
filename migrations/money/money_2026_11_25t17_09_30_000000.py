"""CHECK (balance >= 0) on account, on both engines.

Piccolo's Check constraint fails to create on SQLite (no ALTER TABLE … ADD CONSTRAINT there), so
on SQLite the table, still empty in this migration, is rebuilt from its own DDL with the CHECK
added, and its indexes are recreated.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-25T17:09:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "account balance never negative"

CHECK = "CHECK (balance >= 0)"


async def add_check():
    engine = engine_finder()
    if engine.engine_type != "sqlite":
        await engine.run_ddl(
            f"ALTER TABLE account ADD CONSTRAINT account_balance_not_negative {CHECK}")
        return
    rows = await engine.run_ddl(
        "SELECT type, sql FROM sqlite_master WHERE tbl_name = 'account' AND sql IS NOT NULL")
    table_sql = next(r["sql"] for r in rows if r["type"] == "table")
    index_sqls = [r["sql"] for r in rows if r["type"] == "index"]
    body = table_sql[table_sql.index("(") + 1: table_sql.rindex(")")]
    await engine.run_ddl(f'CREATE TABLE "account_new" ({body}, {CHECK})')
    await engine.run_ddl('INSERT INTO "account_new" SELECT * FROM "account"')
    await engine.run_ddl('DROP TABLE "account"')
    await engine.run_ddl('ALTER TABLE "account_new" RENAME TO "account"')
    for sql in index_sqls:
        await engine.run_ddl(sql)


async def drop_check():
    engine = engine_finder()
    if engine.engine_type != "sqlite":
        await engine.run_ddl("ALTER TABLE account DROP CONSTRAINT account_balance_not_negative")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="money", description=DESCRIPTION)
    manager.add_raw(add_check)
    manager.add_raw_backwards(drop_check)
    return manager
