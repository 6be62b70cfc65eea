"""ZHUCAN_SECRET_KEY: generated once when unset, kept beside the database, reused on restart."""

import logging
import stat

import pytest

from zhucan.settings import Settings


def test_generated_key_is_kept_beside_the_sqlite_file_and_reused(tmp_path, caplog):
    env = {"ZHUCAN_DATABASE_URL": f"sqlite:///{tmp_path / 'data' / 'zhucan.db'}"}
    with caplog.at_level(logging.WARNING, logger="zhucan"):
        first = Settings.from_env(env)
    kept = tmp_path / "data" / "zhucan.db.secret"
    assert kept.read_text().strip() == first.secret_key
    assert len(first.secret_key) >= 32
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert "ZHUCAN_SECRET_KEY" in caplog.text and str(kept) in caplog.text

    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="zhucan"):
        restarted = Settings.from_env(env)
    assert restarted.secret_key == first.secret_key
    assert caplog.text == ""


def test_each_database_gets_its_own_key(tmp_path):
    a = Settings.from_env({"ZHUCAN_DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}"})
    b = Settings.from_env({"ZHUCAN_DATABASE_URL": f"sqlite:///{tmp_path / 'b.db'}"})
    assert a.secret_key != b.secret_key


def test_a_given_key_is_used_and_nothing_is_written(tmp_path):
    env = {
        "ZHUCAN_DATABASE_URL": f"sqlite:///{tmp_path / 'zhucan.db'}",
        "ZHUCAN_SECRET_KEY": "from-the-environment",
    }
    assert Settings.from_env(env).secret_key == "from-the-environment"
    assert list(tmp_path.iterdir()) == []


def test_on_postgresql_the_key_is_kept_in_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    env = {"ZHUCAN_DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/zhucan"}
    first = Settings.from_env(env)
    assert (tmp_path / "zhucan.secret").read_text().strip() == first.secret_key
    assert Settings.from_env(env).secret_key == first.secret_key


def test_a_key_written_by_a_process_starting_at_the_same_moment_is_adopted(tmp_path, monkeypatch):
    """Two workers may both see no file; the second must use the first one's key, not crash."""
    db = tmp_path / "zhucan.db"
    real_exists = type(db).exists
    monkeypatch.setattr(
        type(db), "exists", lambda self: False if self.suffix == ".secret" else real_exists(self)
    )
    (tmp_path / "zhucan.db.secret").write_text("written-by-the-other-worker\n")
    settings = Settings.from_env({"ZHUCAN_DATABASE_URL": f"sqlite:///{db}"})
    assert settings.secret_key == "written-by-the-other-worker"


def test_counts_below_one_or_not_numbers_are_refused_at_start_naming_the_variable(tmp_path):
    env = {"ZHUCAN_DATABASE_URL": f"sqlite:///{tmp_path / 'z.db'}", "ZHUCAN_SECRET_KEY": "k"}
    assert Settings.from_env(env).max_active_requests == 16
    assert Settings.from_env(env | {"ZHUCAN_MAX_ACTIVE_REQUESTS": "4"}).max_active_requests == 4
    for name, raw in (
        ("ZHUCAN_MAX_ACTIVE_REQUESTS", "0"),
        ("ZHUCAN_DB_POOL_SIZE", "-3"),
        ("ZHUCAN_TOKEN_TTL_SECONDS", "12h"),
        ("ZHUCAN_IDEMPOTENCY_KEEP_DAYS", "0"),
    ):
        with pytest.raises(ValueError, match=f"{name} must be a whole number of at least 1"):
            Settings.from_env(env | {name: raw})
