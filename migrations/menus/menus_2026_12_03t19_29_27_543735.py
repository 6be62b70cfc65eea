"""Menu items remember whether an order ever took a portion (menu_item.ordered)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Boolean
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-03T19:29:27:543735"
VERSION = "1.38.0"
DESCRIPTION = "menu item ever ordered"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="menus", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="MenuItem",
        tablename="menu_item",
        column_name="ordered",
        db_column_name="ordered",
        column_class_name="Boolean",
        column_class=Boolean,
        params={
            "default": False,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
