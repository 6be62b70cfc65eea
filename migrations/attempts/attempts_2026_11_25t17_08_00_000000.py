from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-25T17:08:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "index failed attempts by kind, client and time"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="attempts", description=DESCRIPTION)

    async def index() -> None:
        # Every PIN check and login counts recent failures of one client: make that an index range.
        await engine_finder().run_ddl(
            "CREATE INDEX failed_attempt_kind_client_at ON failed_attempt (kind, client, at)")

    manager.add_raw(index)
    return manager
