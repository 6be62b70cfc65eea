"""One monthly grant per elder and month: a second issue of a month can never credit twice,
even if its transfer keys changed."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-25T17:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "one grant per elder and month"

INDEXES = {
    "subsidy_monthly_grant_once":
        "CREATE UNIQUE INDEX subsidy_monthly_grant_once ON subsidy_monthly_grant (month, elder)",
}


async def add_indexes():
    for sql in INDEXES.values():
        await engine_finder().run_ddl(sql)


async def drop_indexes():
    for name in INDEXES:
        await engine_finder().run_ddl(f"DROP INDEX {name}")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="subsidies", description=DESCRIPTION)
    manager.add_raw(add_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
