"""Backups of the SQLite database with SQLite's online backup API; PostgreSQL uses pg_dump.

The online backup copies a consistent snapshot while the server keeps serving: in WAL mode the
copy reads one snapshot and writers are not blocked. A plain file copy of a WAL database is not
safe (the -wal file holds committed transactions the main file does not have yet).
"""

from __future__ import annotations

import os
import shlex
import sqlite3
from datetime import datetime
from pathlib import Path


class BackupError(Exception):
    """The backup or restore cannot be done as asked; the message says why, for the operator."""


def _check_zhucan_database(path: Path) -> None:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        status = conn.execute("PRAGMA integrity_check").fetchone()[0]
        has_migrations = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'migration'"
        ).fetchone()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a readable SQLite database: {exc}") from None
    finally:
        conn.close()
    if status != "ok":
        raise BackupError(f"{path} failed SQLite's integrity check: {status}")
    if not has_migrations:
        raise BackupError(f"{path} is not a zhucan database (it has no migration table)")


def _copy(source: Path, target: Path, journal_mode: str) -> None:
    """Copy `source` into `target` through SQLite, in one step so the copy is one snapshot."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        dst.execute(f"PRAGMA journal_mode = {journal_mode}")
    finally:
        dst.close()
        src.close()


def backup_sqlite(database: Path, out: Path, *, force: bool = False) -> int:
    """Write a consistent copy of `database` to `out`; returns its size in bytes."""
    if not database.exists():
        raise BackupError(f"there is no database at {database}")
    if out.exists() and not force:
        raise BackupError(f"{out} exists; pass --force to overwrite it")
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)
    # A backup is one self-contained file, without -wal and -shm companions.
    _copy(database, partial, "DELETE")
    _check_zhucan_database(partial)
    os.replace(partial, out)  # a crash mid-backup never leaves a half-written OUT behind
    return out.stat().st_size


def restore_sqlite(backup: Path, database: Path, *, force: bool = False) -> Path | None:
    """Replace `database` with the contents of `backup`.

    Refuses without `force` when `database` exists; with it, first keeps the current database as
    `<database>.before-restore-<timestamp>` (returned) in case the wrong backup was chosen. The
    restore writes through SQLite's locks, so a server still running sees either the old or the
    new database, never a torn file — but stop it anyway: its in-flight requests would be lost.
    """
    if not backup.exists():
        raise BackupError(f"there is no backup at {backup}")
    _check_zhucan_database(backup)
    kept = None
    if database.exists():
        if not force:
            raise BackupError(f"{database} exists; stop the server and pass --force to replace it")
        kept = database.with_name(f"{database.name}.before-restore-{datetime.now():%Y%m%d-%H%M%S}")
        backup_sqlite(database, kept)
    database.parent.mkdir(parents=True, exist_ok=True)
    _copy(backup, database, "WAL")  # the server's mode, as open_engine sets it
    return kept


def pg_dump_command(database_url: str, out: Path) -> str:
    return shlex.join(
        ["pg_dump", "--format=custom", "--no-owner", f"--file={out}", f"--dbname={database_url}"]
    )


def pg_restore_command(database_url: str, backup: Path) -> str:
    return shlex.join(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--exit-on-error",
            f"--dbname={database_url}",
            str(backup),
        ]
    )
