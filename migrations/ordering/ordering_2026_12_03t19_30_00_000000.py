"""Dishes ordered before menu_item.ordered existed are marked as ordered.

Here rather than in the menus migration that adds the column: ordering's tables are created after
the menus app's, so on a new database order_line does not exist yet when that one runs."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-03T19:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "mark dishes already ordered"


async def mark_ordered():
    await engine_finder().run_ddl(
        "UPDATE menu_item SET ordered = TRUE WHERE id IN (SELECT menu_item FROM order_line)"
    )


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="ordering", description=DESCRIPTION)
    manager.add_raw(mark_ordered)
    return manager
