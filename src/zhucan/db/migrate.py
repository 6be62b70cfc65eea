"""Applies pending Piccolo migrations of every app, in dependency order."""

from __future__ import annotations

import contextlib
import io
import os

from piccolo.apps.migrations.commands.forwards import run_forwards

os.environ.setdefault("PICCOLO_CONF", "zhucan.piccolo_conf")


async def upgrade(verbose: bool = False) -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        result = await run_forwards(app_name="all")
    if verbose or not result.success:
        print(out.getvalue())
    if not result.success:
        raise RuntimeError(f"migrations failed: {result.message}")
