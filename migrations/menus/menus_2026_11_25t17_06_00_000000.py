"""A dish appears once on a canteen's menu for a date and slot."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-25T17:06:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique dish per menu"


async def add_index():
    await engine_finder().run_ddl(
        "CREATE UNIQUE INDEX menu_item_dish ON menu_item (canteen, meal_date, slot, dish_id)")


async def drop_index():
    await engine_finder().run_ddl("DROP INDEX menu_item_dish")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="menus", description=DESCRIPTION)
    manager.add_raw(add_index)
    manager.add_raw_backwards(drop_index)
    return manager
