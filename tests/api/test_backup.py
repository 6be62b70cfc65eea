"""A backup of a populated database restores into a new database with every record intact and a
balanced ledger: `zhucan backup`/`restore` on SQLite, the documented pg_dump/pg_restore on
PostgreSQL."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import uuid
from pathlib import Path

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from tests.conftest import PG_ADMIN_URL, TEST_SECRET, _pg_url
from zhucan.app import create_app
from zhucan.db.apps import all_tables
from zhucan.db.backup import pg_dump_command, pg_restore_command
from zhucan.db.engine import make_engine, run_outside_transaction

ZHUCAN = os.path.join(os.path.dirname(sys.executable), "zhucan")


def zhucan(database_url: str, *args: str) -> subprocess.CompletedProcess:
    env = os.environ | {"ZHUCAN_DATABASE_URL": database_url, "ZHUCAN_SECRET_KEY": TEST_SECRET}
    return subprocess.run([ZHUCAN, *args], env=env, capture_output=True, text=True, timeout=120)


async def populate(client, factory) -> dict:
    """A canteen, an elder with a topped-up card, a linked volunteer, and the audit of it all."""
    await factory.canteen("C1")
    elder = await factory.elder()
    await factory.staff("volunteer", username="vol1")
    await factory.post(f"/elders/{elder['elder_id']}/links", {"username": "vol1"})
    topup = await client.post(
        f"/api/v1/elders/{elder['elder_id']}/card/topups",
        json={"amount_fen": 5000, "source": "charity", "note": "重阳节"},
        headers=await factory.admin() | {"Idempotency-Key": "topup-1"},
    )
    assert topup.status_code == 201, topup.text
    return elder


async def contents(database_url: str) -> dict[str, list[dict]]:
    """Every row of every table, in id order."""
    engine = make_engine(database_url)
    names = [t._meta.tablename for t in all_tables()] + ["migration"]
    return {
        name: await run_outside_transaction(engine, f'SELECT * FROM "{name}" ORDER BY id')
        for name in names
    }


async def check_restored(db, database_url: str, factory, elder: dict) -> None:
    """The app on the restored database serves the same elder and finds the ledger balanced."""
    admin = await factory.admin()
    app = create_app(db.settings(database_url=database_url))
    try:
        async with AsyncTestClient(app=app, base_url="http://zhucan.test") as restored:
            shown = await restored.get(f"/api/v1/elders/{elder['elder_id']}", headers=admin)
            assert shown.json() == elder
            ledger = (await restored.get("/api/v1/ledger/verify", headers=admin)).json()
            assert ledger["balanced"] is True and ledger["entries"] > 0, ledger
            balance = await restored.get(
                f"/api/v1/elders/{elder['elder_id']}/balance", headers=admin
            )
            assert balance.json()["card_fen"] == 5000
            audit = (await restored.get("/api/v1/audit", headers=admin)).json()
            assert {"canteen.create", "elder.create", "elder.link"} <= {
                e["action"] for e in audit["entries"]
            }
    finally:
        db.rebind()


async def test_sqlite_backup_while_serving_restores_into_a_new_file(
    client, db, factory, tmp_path: Path
):
    if db.kind != "sqlite":
        done = zhucan(db.url, "backup", str(tmp_path / "x.dump"))
        assert done.returncode != 0 and "pg_dump --format=custom" in done.stderr
        return
    elder = await populate(client, factory)
    before = await contents(db.url)
    backup = tmp_path / "zhucan-backup.db"
    done = zhucan(db.url, "backup", str(backup))  # the app is still running on db.url
    assert done.returncode == 0, done.stderr
    await factory.canteen("C2")  # written after the backup: must not be in it

    restored_url = f"sqlite:///{tmp_path / 'restored' / 'zhucan.db'}"
    done = zhucan(restored_url, "restore", str(backup))
    assert done.returncode == 0, done.stderr
    assert await contents(restored_url) == before
    await check_restored(db, restored_url, factory, elder)


async def test_sqlite_restore_refuses_to_replace_a_database_without_force(
    client, db, factory, tmp_path: Path
):
    if db.kind != "sqlite":
        done = zhucan(db.url, "restore", __file__)
        assert done.returncode != 0 and "pg_restore --clean" in done.stderr
        return
    await factory.canteen("C1")
    backup = tmp_path / "b.db"
    assert zhucan(db.url, "backup", str(backup)).returncode == 0
    again = zhucan(db.url, "backup", str(backup))
    assert again.returncode != 0 and "--force" in again.stderr

    target = tmp_path / "live.db"
    target_url = f"sqlite:///{target}"
    assert zhucan(target_url, "restore", str(backup)).returncode == 0
    refused = zhucan(target_url, "restore", str(backup))
    assert refused.returncode != 0 and "--force" in refused.stderr
    forced = zhucan(target_url, "restore", "--force", str(backup))
    assert forced.returncode == 0, forced.stderr
    kept = [p for p in tmp_path.iterdir() if p.name.startswith("live.db.before-restore-")]
    assert len(kept) == 1 and f"kept the replaced database as {kept[0]}" in forced.stdout

    not_a_database = tmp_path / "notes.txt"
    not_a_database.write_text("这不是数据库")
    bad = zhucan(target_url, "restore", "--force", str(not_a_database))
    assert bad.returncode != 0 and "not a readable SQLite database" in bad.stderr


async def test_postgresql_dump_restores_into_a_new_database(client, db, factory, tmp_path: Path):
    if db.kind != "postgresql":
        return
    elder = await populate(client, factory)
    before = await contents(db.url)
    dump = tmp_path / "zhucan.dump"
    subprocess.run(shlex.split(pg_dump_command(db.url, dump)), check=True, timeout=120)

    name = f"zhucan_restore_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(PG_ADMIN_URL)
    await admin.execute(f'CREATE DATABASE "{name}"')
    restored_url = _pg_url(name)
    try:
        subprocess.run(shlex.split(pg_restore_command(restored_url, dump)), check=True, timeout=120)
        assert await contents(restored_url) == before
        conn = await asyncpg.connect(restored_url)
        try:  # the append-only trigger came along
            with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
                await conn.execute("DELETE FROM audit_log")
        finally:
            await conn.close()
        await check_restored(db, restored_url, factory, elder)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
