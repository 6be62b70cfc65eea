"""The boundaries of docs/architecture.md, read off the source: imports follow the layer order
(the import-linter contracts in pyproject.toml), a domain's tables are imported only by its own
queries module, and hand-written SQL names only the tables of the domain it is written in."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import grimp

from zhucan.db.apps import all_tables
from zhucan.settings import PROJECT_ROOT

SRC = PROJECT_ROOT / "src" / "zhucan"
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
# The read side may read every domain's tables (it never writes them); the data browser lists
# tables as data; piccolo_app modules register them for migrations (the Idempotency-Key table
# sits in the ordering app's migrations, where it was created).
READS_EVERYTHING = {"zhucan.reports.queries"}
SHOWS_TABLES = {"zhucan.web.data_browser"}
# SQL keywords followed by the table they touch.
TABLE_AFTER_KEYWORD = re.compile(r"\b(?:FROM|JOIN|INTO|UPDATE|TABLE)\s+\"?([a-z_]+)")


def _owners() -> dict[str, str]:
    """Table name → the package that owns it (zhucan.people, …)."""
    return {t._meta.tablename: t.__module__.rsplit(".", 1)[0] for t in all_tables()}


def _data_access_module(owner: str) -> str:
    # The stored replies of Idempotency-Keys belong to the shared HTTP code, not to a domain.
    return "zhucan.http.idempotency" if owner == "zhucan.http" else f"{owner}.queries"


def _modules() -> list[tuple[str, Path]]:
    return [
        (".".join(("zhucan", *path.relative_to(SRC).with_suffix("").parts)), path)
        for path in sorted(SRC.rglob("*.py"))
        if path.name != "__init__.py"
    ]


def test_imports_follow_the_layer_order():
    run = subprocess.run(
        [str(LINT_IMPORTS), str(PROJECT_ROOT / "pyproject.toml"), "--no-cache"],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]


def test_a_domains_tables_are_imported_only_by_its_own_data_access_module():
    graph = grimp.build_graph("zhucan", cache_dir=None)
    wrong = []
    for owner in sorted(set(_owners().values())):
        tables = f"{owner}.tables"
        allowed = {_data_access_module(owner), f"{owner}.piccolo_app"} | READS_EVERYTHING
        for importer in sorted(graph.find_modules_that_directly_import(tables)):
            # Foreign keys: a table module names the tables it points at.
            if importer in allowed | SHOWS_TABLES or importer.endswith((".tables", ".piccolo_app")):
                continue
            wrong.append(f"{importer} imports {tables}")
    assert not wrong, "\n".join(wrong)


def _sql_strings(path: Path) -> list[tuple[int, str]]:
    strings = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            strings.append((node.lineno, node.value))
    return strings


def test_hand_written_sql_names_only_its_own_domains_tables():
    owners = _owners()
    wrong = []
    for module, path in _modules():
        if module in READS_EVERYTHING or module.startswith("zhucan.db."):
            continue
        for line, text in _sql_strings(path):
            for table in TABLE_AFTER_KEYWORD.findall(text):
                owner = owners.get(table)
                if owner is not None and module != _data_access_module(owner):
                    wrong.append(f"{path.relative_to(SRC)}:{line} names {table} ({owner})")
    assert not wrong, "\n".join(wrong)
