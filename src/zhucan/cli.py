"""The `zhucan` command."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TypeVar

import click

from zhucan.access import Role
from zhucan.privacy import install_log_redaction
from zhucan.settings import DEFAULT_DATABASE_URL, Settings

T = TypeVar("T")


def run_with_database(work: Callable[[Settings], Awaitable[T]], migrate: bool = True) -> T:
    """Run `work` against the configured database, migrated first."""
    from zhucan.db.engine import bind, close_engine, make_engine, open_engine
    from zhucan.db.migrate import upgrade

    settings = Settings.from_env()

    async def main() -> T:
        engine = make_engine(settings.database_url)
        bind(engine)
        await open_engine(engine, settings.db_pool_size)
        try:
            if migrate:
                await upgrade()
            return await work(settings)
        finally:
            await close_engine(engine)

    return asyncio.run(main())


@click.group()
def main() -> None:
    """zhucan 助餐: community elder meal ordering and kitchen compliance."""
    install_log_redaction()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=int,
    help="Worker processes. PostgreSQL: up to the number of CPU cores. SQLite: 1 "
    "(one process commits for all its requests at once; more workers are safe, "
    "sharing the file's write lock, but not faster; see docs/benchmarks.md).",
)
def serve(host: str, port: int, workers: int) -> None:
    """Apply pending migrations, then serve the app."""
    import uvicorn

    async def nothing(_: Settings) -> None:
        return None

    run_with_database(nothing)
    os.environ.setdefault("ZHUCAN_PUBLIC_URL", f"http://{host}:{port}")
    uvicorn.run(
        "zhucan.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        access_log=False,
    )


@main.group()
def db() -> None:
    """Database commands."""


@db.command()
def upgrade() -> None:
    """Apply pending migrations."""
    from zhucan.db.migrate import upgrade as do_upgrade

    async def work(_: Settings) -> None:
        await do_upgrade(verbose=True)

    run_with_database(work, migrate=False)


def _sqlite_database(pg_command: Callable[[str], str], done_by: str) -> Path:
    """The configured SQLite file; on PostgreSQL, stop and show the pg_dump/pg_restore to run."""
    # Not Settings.from_env(): that creates a secret key file when there is none, and a restore
    # onto a new machine must not leave a fresh key behind that silently invalidates every PIN.
    settings = Settings(database_url=os.environ.get("ZHUCAN_DATABASE_URL") or DEFAULT_DATABASE_URL)
    if not settings.is_sqlite:
        raise click.ClickException(
            f"PostgreSQL is {done_by} with its own tools "
            f"(docs/operations.md):\n  {pg_command(settings.database_url)}"
        )
    return settings.sqlite_path


@main.command()
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite OUT if it exists.")
def backup(out: Path, force: bool) -> None:
    """Copy the SQLite database to OUT while the server keeps serving (PostgreSQL: pg_dump)."""
    from zhucan.db.backup import BackupError, backup_sqlite, pg_dump_command

    database = _sqlite_database(lambda url: pg_dump_command(url, out), "backed up")
    try:
        size = backup_sqlite(database, out, force=force)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"backed up {database} to {out} ({size} bytes)")
    click.echo(
        "the secret key (ZHUCAN_SECRET_KEY or the .secret file) is not in it: keep that "
        "backed up separately"
    )


@main.command()
@click.argument(
    "backup_file", metavar="IN", type=click.Path(dir_okay=False, exists=True, path_type=Path)
)
@click.option(
    "--force", is_flag=True, help="Replace the existing database (stop the server first)."
)
def restore(backup_file: Path, force: bool) -> None:
    """Replace the SQLite database with the backup IN (PostgreSQL: pg_restore)."""
    from zhucan.db.backup import BackupError, pg_restore_command, restore_sqlite

    database = _sqlite_database(lambda url: pg_restore_command(url, backup_file), "restored")
    try:
        kept = restore_sqlite(backup_file, database, force=force)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    if kept:
        click.echo(f"kept the replaced database as {kept}")
    click.echo(
        f"restored {backup_file} into {database}; restore the secret key that was in use "
        "when the backup was made, or no 爱心卡 PIN will match"
    )


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
def load(paths: tuple[Path, ...]) -> None:
    """Import data files (kitchens/, menus/); a second load of the same files changes nothing."""
    from zhucan.data_files import DataFileError, load_paths

    async def work(_: Settings):
        return await load_paths(list(paths))

    try:
        report = run_with_database(work)
    except DataFileError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"loaded {report.files} files, {report.changed} records changed "
        f"({', '.join(f'{k}: {v}' for k, v in report.by_kind.items()) or 'none'})"
    )


@main.command()
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the PNG files.",
)
@click.option(
    "--public-url",
    envvar="ZHUCAN_PUBLIC_URL",
    required=True,
    help="Base URL the QR codes point to (default: $ZHUCAN_PUBLIC_URL).",
)
def qr(out_dir: Path, public_url: str) -> None:
    """Write a printable A5 ordering poster, <code>.png, for every canteen."""
    from tqdm import tqdm

    from zhucan.clock import today
    from zhucan.compliance import posters
    from zhucan.compliance.canteen_profile import summaries

    async def work(settings: Settings):
        return await summaries(today(settings.tz))

    canteens = run_with_database(work)
    out_dir.mkdir(parents=True, exist_ok=True)
    for summary in tqdm(canteens, desc="posters", unit="poster"):
        png = posters.render_poster(posters.poster_data(summary, public_url))
        (out_dir / f"{summary.code}.png").write_bytes(png)
    click.echo(f"wrote {len(canteens)} posters to {out_dir}")


@main.command()
def demo() -> None:
    """Load the demo district: regions, canteens, menus, 200 elders, one account per role."""
    from zhucan.clock import today
    from zhucan.demo import ACCOUNTS, DEMO_PIN, load_demo

    async def work(settings: Settings):
        return await load_demo(settings, today(settings.tz))

    result = run_with_database(work)
    click.echo(
        f"demo district ready: {result['elders']} elders, "
        f"{result['files_changed']} data records changed"
    )
    click.echo("demo logins (username / password / role):")
    for a in ACCOUNTS:
        click.echo(
            f"  {a.username:<11} {a.password:<18} {a.role}"
            + (f" ({a.canteen})" if a.canteen else "")
        )
    click.echo(f"demo 爱心卡 (PIN {DEMO_PIN}): {', '.join(result['cards'])}")


@main.group()
def export() -> None:
    """Open data exports."""


@export.command("lives")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory for businesses.csv, inspections.csv, violations.csv, feed_info.csv, "
    "legend.csv.",
)
def export_lives(out: Path) -> None:
    """Write the inspection history in Yelp's LIVES format (scores 0–100)."""
    from zhucan.clock import today
    from zhucan.compliance.lives import export_lives as write_lives

    async def work(settings: Settings):
        return await write_lives(out, today(settings.tz))

    counts = run_with_database(work)
    click.echo(
        f"LIVES export in {out}: "
        + ", ".join(f"{name} {rows} rows" for name, rows in counts.items())
    )


@main.group()
def users() -> None:
    """Staff accounts."""


@users.command("add")
@click.argument("username")
@click.option(
    "--role",
    required=True,
    type=click.Choice([role.value for role in Role]),
)
@click.option("--canteen", default=None, help="Canteen code, for canteen_staff.")
def users_add(username: str, role: str, canteen: str | None) -> None:
    """Create a staff account; the password comes from ZHUCAN_PASSWORD or a prompt."""
    from pydantic import ValidationError

    from zhucan.audit.rules import cli_actor
    from zhucan.errors import DomainError, chinese_message
    from zhucan.people.schemas import StaffIn
    from zhucan.people.service import create_staff

    password = os.environ.get("ZHUCAN_PASSWORD") or click.prompt(
        "password", hide_input=True, confirmation_prompt=True
    )
    try:
        data = StaffIn(username=username, password=password, role=role, canteen=canteen)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise click.ClickException(f"{first['loc'][0]}：{chinese_message(first['msg'])}") from None

    async def work(_: Settings):
        return await create_staff(data, actor=cli_actor())

    try:
        staff = run_with_database(work)
    except DomainError as exc:
        raise click.ClickException(exc.detail) from None
    click.echo(f"created {staff.role} {staff.username}")


def _set_active(username: str, active: bool) -> None:
    from zhucan.audit.rules import cli_actor
    from zhucan.errors import DomainError
    from zhucan.people.service import set_staff_active

    async def work(_: Settings) -> bool:
        return await set_staff_active(username, active, actor=cli_actor())

    try:
        changed = run_with_database(work)
    except DomainError as exc:
        raise click.ClickException(exc.detail) from None
    state = "enabled" if active else "disabled"
    click.echo(f"{state} {username}" if changed else f"{username} was already {state}")


@users.command("disable")
@click.argument("username")
def users_disable(username: str) -> None:
    """Lock a staff account out at once: no sign-in, and its tokens stop working."""
    _set_active(username, False)


@users.command("enable")
@click.argument("username")
def users_enable(username: str) -> None:
    """Let a disabled staff account sign in again."""
    _set_active(username, True)


@main.command("prune-keys")
def prune_keys() -> None:
    """Forget Idempotency-Keys older than ZHUCAN_IDEMPOTENCY_KEEP_DAYS (default 7); run daily."""
    from zhucan.clock import now_utc
    from zhucan.http.idempotency import prune

    async def work(settings: Settings) -> tuple[datetime, int]:
        cutoff = now_utc() - timedelta(days=settings.idempotency_keep_days)
        return cutoff, await prune(cutoff)

    cutoff, forgotten = run_with_database(work)
    click.echo(f"forgot {forgotten} Idempotency-Keys claimed before {cutoff:%Y-%m-%d %H:%M} UTC")


@main.group()
def subsidies() -> None:
    """The monthly run of the subsidy programme."""


def _run_subsidy_job(job: Callable[[Settings], Awaitable[T]]) -> T:
    from zhucan.errors import DomainError

    try:
        return run_with_database(job)
    except DomainError as exc:
        raise click.ClickException(exc.detail) from None


@subsidies.command("issue")
@click.option("--month", required=True, help="YYYY-MM: the month whose allowance to credit.")
def subsidies_issue(month: str) -> None:
    """Credit each active elder's monthly 爱心卡 allowance and 敬老分 once (safe to rerun)."""
    from zhucan.audit.rules import cli_actor
    from zhucan.clock import today
    from zhucan.subsidies.service import issue_month

    async def work(settings: Settings):
        return await issue_month(month, today(settings.tz), settings.tz, cli_actor())

    out = _run_subsidy_job(work)
    click.echo(
        f"{out.month}: {out.elders} elders, card {out.card_fen} fen, {out.points} points; "
        f"expired {out.expired.points} points of {out.expired.elders} elders; frozen cards "
        f"of {out.frozen.elders} elders hold {out.frozen.card_fen} fen, "
        f"{out.frozen.points} points"
    )


@subsidies.command("expire")
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="YYYY-MM-DD, today by default; points granted 12 months before it expire.",
)
def subsidies_expire(as_of) -> None:
    """Expire 敬老分 whose 12 months have run out, oldest first (safe to rerun)."""
    from zhucan.audit.rules import cli_actor
    from zhucan.clock import today
    from zhucan.subsidies.service import expire_points

    async def work(settings: Settings):
        day = as_of.date() if as_of else today(settings.tz)
        if day > today(settings.tz):
            raise click.ClickException(f"--as-of {day} 还没到：不能提前作废敬老分")
        return await expire_points(day, settings.tz, cli_actor())

    out = _run_subsidy_job(work)
    click.echo(f"as of {out.as_of}: {out.points} points expired for {out.elders} elders")
