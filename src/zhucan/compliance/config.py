"""The grading scheme and yearly targets: kitchens/checklist.toml and kitchens/targets.toml,
validated and kept in the database, or the copies shipped with zhucan while none is loaded."""

from __future__ import annotations

import json
from pathlib import Path

from zhucan.compliance import queries, rules
from zhucan.compliance.schemas import ChecklistFile, ChecklistItemOut, TargetsFile
from zhucan.data_files import DataFileError, read_toml, validate
from zhucan.settings import PROJECT_ROOT

# A database nobody has loaded kitchens/ into still grades by the scheme shipped with zhucan.
BUNDLED = {
    "checklist": PROJECT_ROOT / "kitchens" / "checklist.toml",
    "targets": PROJECT_ROOT / "kitchens" / "targets.toml",
}


def read_checklist(path: Path) -> ChecklistFile:
    doc = validate(path, ChecklistFile, read_toml(path))
    problems = rules.checklist_problems([(i.code, i.points, i.key) for i in doc.item])
    categories = {c.code for c in doc.category}
    problems += [
        f"item.{n}.category：未知的检查类别 {i.category}（须是 {'、'.join(sorted(categories))} 之一）"
        for n, i in enumerate(doc.item)
        if i.category not in categories
    ]
    if problems:
        raise DataFileError(f"{path}: 字段 {problems[0]}")
    return doc


def read_targets(path: Path) -> TargetsFile:
    return validate(path, TargetsFile, read_toml(path))


async def _store(name: str, body: str) -> int:
    stored = await queries.config_body(name)
    if stored == body:
        return 0
    if stored is None:
        await queries.insert_config(name, body)
    else:
        await queries.update_config(name, body)
    return 1


async def load_checklist_file(path: Path) -> int:
    """kitchens/checklist.toml → the checklist and grading numbers inspections are scored by."""
    return await _store("checklist", read_checklist(path).model_dump_json())


async def load_targets_file(path: Path) -> int:
    """kitchens/targets.toml → the yearly compliance targets (its other tables are not ours)."""
    doc = read_targets(path)
    return await _store(
        "targets",
        json.dumps(
            {str(y): t.model_dump(exclude_none=True) for y, t in doc.compliance.items()},
            sort_keys=True,
        ),
    )


async def scheme() -> ChecklistFile:
    body = await queries.config_body("checklist")
    if body is None:
        return read_checklist(BUNDLED["checklist"])
    return ChecklistFile.model_validate_json(body)


async def targets() -> dict[int, rules.YearTargets]:
    body = await queries.config_body("targets")
    if body is None:
        return read_targets(BUNDLED["targets"]).compliance
    return {int(y): rules.YearTargets.model_validate(t) for y, t in json.loads(body).items()}


async def checklist() -> list[ChecklistItemOut]:
    doc = await scheme()
    names = {c.code: c.name for c in doc.category}
    return [
        ChecklistItemOut(
            code=i.code,
            category=i.category,
            category_name=names[i.category],
            title=i.title,
            points=i.points,
            key=i.key,
        )
        for i in doc.item
    ]
