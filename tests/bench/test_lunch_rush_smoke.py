"""The lunch-rush benchmark starts, drives a 2-second run on SQLite and reports a balanced
ledger. Only that it works: speed is measured by running the benchmark, never by tests."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("aiohttp")
pytest.importorskip("psutil")

ROOT = Path(__file__).resolve().parents[2]


def test_a_short_run_completes_with_a_balanced_ledger(tmp_path):
    out = tmp_path / "result.json"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.lunch_rush",
            "--database-url",
            f"sqlite:///{tmp_path / 'rush.db'}",
            "--workers",
            "1",
            "--warmup",
            "0.5",
            "--duration",
            "2",
            "--rate",
            "10",
            "--canteens",
            "2",
            "--elders",
            "12",
            "--kitchen-poll",
            "1",
            "--ceiling-seconds",
            "1",
            "--out",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    result = json.loads(out.read_text())
    assert result["ledger"]["balanced"] is True
    assert result["run"]["orders_placed"] > 0
    assert result["run"]["replay_mismatches"] == 0
    assert result["statements_per_order"] > 10 and result["transactions_per_order"] == 2
    assert result["ceiling"]["orders_per_s"] > 0
    assert all(p["peak_rss_mb"] > 0 for p in result["server_processes"])
    budget = result["cpu_ms_per_order"]
    assert budget["run"]["worker"] > 0 and budget["run"]["load generator"] > 0
    assert budget["ceiling"]["database (sqlite3 in Python)"] > 0
