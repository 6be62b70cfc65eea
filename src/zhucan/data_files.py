"""Loading the TOML data files under kitchens/ and menus/, validated with errors naming file and field.

Each kind of file is recognised by its place in the tree and loaded by its domain's service, in the
order below (regions before the canteens in them, canteens before their menus).
"""

from __future__ import annotations

import tomllib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from zhucan.db.tx import write_transaction
from zhucan.errors import DomainError

M = TypeVar("M", bound=BaseModel)


class DataFileError(ValueError):
    """A data file that cannot be loaded; the message names the file and the field."""


@dataclass(frozen=True)
class FileKind:
    name: str
    matches: Callable[[Path], bool]
    loader: str  # "module:function", the function taking (path) and returning changed count


KINDS = [
    FileKind("regions", lambda p: p.name == "regions.toml", "zhucan.regions.service:load_file"),
    FileKind(
        "canteens",
        lambda p: p.parent.name == "canteens",
        "zhucan.compliance.canteen_profile:load_canteen_file",
    ),
    FileKind(
        "checklist",
        lambda p: p.name == "checklist.toml",
        "zhucan.compliance.config:load_checklist_file",
    ),
    FileKind(
        "targets", lambda p: p.name == "targets.toml", "zhucan.compliance.config:load_targets_file"
    ),
    FileKind(
        "meal_targets",
        lambda p: p.name == "meal_targets.toml",
        "zhucan.reports.service:load_meal_targets_file",
    ),
    FileKind("menus", lambda p: p.parent.name == "menus", "zhucan.menus.service:load_file"),
]


@dataclass
class LoadReport:
    files: int = 0
    changed: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)


def read_toml(path: Path) -> dict:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as exc:
        raise DataFileError(f"{path}: 不是有效的 TOML：{exc}") from None


def validate(path: Path, model: type[M], data: object, where: str = "") -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        from zhucan.errors import chinese_message

        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"]) or "(整个文件)"
        prefix = f"{where}." if where else ""
        raise DataFileError(
            f"{path}: 字段 {prefix}{loc}：{chinese_message(first['msg'])}"
        ) from None


def _kind_of(path: Path) -> FileKind | None:
    return next((k for k in KINDS if k.matches(path)), None)


async def load_paths(paths: list[Path]) -> LoadReport:
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files.extend(sorted(p.rglob("*.toml")))
        elif p.exists():
            files.append(p)
        else:
            raise DataFileError(f"{p}: 文件或目录不存在")
    order = {k.name: i for i, k in enumerate(KINDS)}
    typed = [(k, f) for f in files if (k := _kind_of(f)) is not None]
    typed.sort(key=lambda kf: (order[kf[0].name], str(kf[1])))

    async def load_all() -> LoadReport:
        report = LoadReport()
        for kind, path in typed:
            module, func = kind.loader.split(":")
            load: Callable[[Path], Awaitable[int]] = getattr(import_module(module), func)
            try:
                changed = await load(path)
            except DomainError as exc:
                raise DataFileError(f"{path}: {exc.detail}") from None
            report.files += 1
            report.changed += changed
            report.by_kind[kind.name] = report.by_kind.get(kind.name, 0) + changed
        return report

    # One transaction: a bad file refuses the whole load instead of leaving half of it behind.
    return await write_transaction(load_all)
