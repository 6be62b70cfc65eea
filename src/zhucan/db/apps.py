"""The Piccolo apps (one per domain) whose tables and migrations make up the schema."""

from __future__ import annotations

from collections.abc import Sequence
from importlib import import_module

from piccolo.conf.apps import AppConfig, AppRegistry
from piccolo.table import Table

from zhucan.settings import PROJECT_ROOT

MIGRATIONS_ROOT = PROJECT_ROOT / "migrations"

# Order matters only for readability; migration order follows each app's dependencies.
APP_MODULES = [
    "zhucan.regions.piccolo_app",
    "zhucan.canteens.piccolo_app",
    "zhucan.people.piccolo_app",
    "zhucan.compliance.piccolo_app",
    "zhucan.menus.piccolo_app",
    "zhucan.money.piccolo_app",
    "zhucan.ordering.piccolo_app",
    "zhucan.attempts.piccolo_app",
    "zhucan.audit.piccolo_app",
    "zhucan.subsidies.piccolo_app",
    "zhucan.reports.piccolo_app",
]


def app_config(name: str, tables: list[type[Table]], depends_on: Sequence[str] = ()) -> AppConfig:
    return AppConfig(
        app_name=name,
        migrations_folder_path=MIGRATIONS_ROOT / name,
        table_classes=tables,
        migration_dependencies=[f"zhucan.{dep}.piccolo_app" for dep in depends_on],
    )


def registry() -> AppRegistry:
    return AppRegistry(apps=APP_MODULES)


def all_tables() -> list[type[Table]]:
    return [t for m in APP_MODULES for t in import_module(m).APP_CONFIG.table_classes]
