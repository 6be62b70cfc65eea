"""The checks a reviewer runs first, as part of the suite: lint, formatting and types."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from zhucan.settings import PROJECT_ROOT

BIN = Path(sys.executable).parent


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, cwd=PROJECT_ROOT)


def test_ruff_check_finds_nothing():
    run = _run(str(BIN / "ruff"), "check", ".")
    assert run.returncode == 0, run.stdout[-4000:]


def test_the_tree_is_ruff_formatted():
    run = _run(str(BIN / "ruff"), "format", "--check", ".")
    assert run.returncode == 0, run.stdout[-4000:]


def test_types_check():
    """mypy over src/ (pyproject.toml: strict for rules modules, db/, http/ and access)."""
    run = _run(str(BIN / "mypy"))
    assert run.returncode == 0, run.stdout[-6000:]
