"""Settings read from the environment (ZHUCAN_*)."""

from __future__ import annotations

import logging
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

log = logging.getLogger("zhucan")

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATABASE_URL = "sqlite:///zhucan.db"


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    public_url: str | None = None
    secret_key: str = field(default="", repr=False)
    timezone: str = "Asia/Shanghai"
    token_ttl_seconds: int = 12 * 3600
    db_pool_size: int = 10
    # An Idempotency-Key claimed this long ago and still unanswered belongs to a request whose
    # process died (a crash, a kill); a retry may then take it over. Longer than any request.
    idempotency_takeover_seconds: int = 120
    # Idempotency-Keys are kept this many days, then `zhucan prune-keys` forgets them: a retry
    # comes within minutes, and each kept reply costs about 1 KB per order (docs/operations.md).
    idempotency_keep_days: int = 7
    # Requests one worker works on at once; more wait their turn (zhucan/admission.py).
    max_active_requests: int = 16

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite:")

    @property
    def sqlite_path(self) -> Path:
        return Path(self.database_url.removeprefix("sqlite:///").removeprefix("sqlite://"))

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        url = env.get("ZHUCAN_DATABASE_URL") or DEFAULT_DATABASE_URL
        base = cls(
            database_url=url,
            public_url=env.get("ZHUCAN_PUBLIC_URL") or None,
            timezone=env.get("ZHUCAN_TIMEZONE") or "Asia/Shanghai",
            token_ttl_seconds=_count(env, "ZHUCAN_TOKEN_TTL_SECONDS", 12 * 3600),
            db_pool_size=_count(env, "ZHUCAN_DB_POOL_SIZE", 10),
            idempotency_takeover_seconds=_count(env, "ZHUCAN_IDEMPOTENCY_TAKEOVER_SECONDS", 120),
            idempotency_keep_days=_count(env, "ZHUCAN_IDEMPOTENCY_KEEP_DAYS", 7),
            max_active_requests=_count(env, "ZHUCAN_MAX_ACTIVE_REQUESTS", 16),
        )
        ZoneInfo(base.timezone)  # fail at start-up on an unknown zone, not at the first order
        key = env.get("ZHUCAN_SECRET_KEY") or _kept_secret(base)
        return cls(**{**base.__dict__, "secret_key": key})


def _count(env: dict[str, str], name: str, default: int) -> int:
    """A whole number of at least 1 from `name`, refused at start-up otherwise: a worker told
    to admit 0 requests, or to keep 0 connections, would hang at the first request instead."""
    raw = env.get(name) or str(default)
    if not raw.strip().isdigit() or int(raw) < 1:
        raise ValueError(f"{name} must be a whole number of at least 1, got {raw!r}")
    return int(raw)


def _kept_secret(settings: Settings) -> str:
    """A generated key kept on disk, so that restarts keep tokens and PIN hashes valid."""
    if settings.is_sqlite:
        path = settings.sqlite_path.with_name(settings.sqlite_path.name + ".secret")
    else:
        path = Path("zhucan.secret")
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(48)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written whole under a private name, then linked into place: a worker starting at the same
    # moment either wins the link or reads a complete key, never an empty or half-written file.
    draft = path.with_name(f"{path.name}.{os.getpid()}.draft")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(key + "\n")
    try:
        os.link(draft, path)
    except FileExistsError:
        return path.read_text().strip()
    finally:
        draft.unlink()
    log.warning(
        "ZHUCAN_SECRET_KEY is not set: generated one and kept it in %s. "
        "Back this file up with the database; losing it invalidates every 爱心卡 PIN.",
        path,
    )
    return key
