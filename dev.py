#!/usr/bin/env python3
"""Bootstrap and run zhucan from a fresh clone with nothing but Python 3.11+ and pip.

    python3 dev.py serve [--port 8000]   # demo district on SQLite, then serve
    python3 dev.py test [pytest args]    # the whole test suite

Both create .venv/ on first use and reinstall when pyproject.toml changes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".bootstrap-stamp"


def bootstrap() -> None:
    # Run by whatever `python3` the machine has, so an older one gets a sentence, not a traceback.
    if sys.version_info < (3, 11):  # noqa: UP036
        sys.exit(f"zhucan needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not (BIN / "python").exists():
        print("creating .venv …", flush=True)
        venv.create(VENV, with_pip=True)
    if not STAMP.exists() or STAMP.read_text() != wanted:
        print("installing zhucan and its dependencies into .venv …", flush=True)
        pip = [str(BIN / "python"), "-m", "pip", "--disable-pip-version-check", "-q"]
        subprocess.run([*pip, "install", "--upgrade", "pip"], check=True)
        subprocess.run([*pip, "install", "-e", f"{ROOT}[dev]"], check=True)
        STAMP.write_text(wanted)


def run(args: list[str]) -> int:
    return subprocess.run(args, cwd=ROOT).returncode


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("serve", "test"):
        print(__doc__)
        return 2
    bootstrap()
    command, rest = argv[0], argv[1:]
    if command == "serve":
        if run([str(BIN / "zhucan"), "demo"]) != 0:
            return 1
        port = rest[rest.index("--port") + 1] if "--port" in rest else "8000"
        print(
            f"\nzhucan is starting at http://127.0.0.1:{port}/  (API docs: /schema)\n", flush=True
        )
        return run([str(BIN / "zhucan"), "serve", *rest])
    return run([str(BIN / "python"), "-m", "pytest", *rest])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
