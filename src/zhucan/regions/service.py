from __future__ import annotations

from pathlib import Path

from zhucan.data_files import read_toml, validate
from zhucan.errors import BadInput, Conflict, NotFound
from zhucan.regions import queries
from zhucan.regions.rules import LEVEL_NAMES, MAX_DEPTH, level_of
from zhucan.regions.schemas import RegionIn, RegionOut, RegionsFile


def _out(row: dict) -> RegionOut:
    return RegionOut(
        code=row["code"],
        name=row["name"],
        parent=row["parent_code"],
        level=level_of(row["depth"]),
        depth=row["depth"],
    )


async def require(code: str, field: str = "region") -> dict:
    row = await queries.find(code)
    if row is None:
        raise BadInput(f"{field}：没有代码为 {code} 的区划", field=field)
    return row


async def create(data: RegionIn) -> RegionOut:
    depth = 0
    if data.parent is not None:
        parent = await require(data.parent, field="parent")
        depth = parent["depth"] + 1
        if depth > MAX_DEPTH:
            raise BadInput(
                f"parent：{LEVEL_NAMES['community']}之下不能再设下级区划", field="parent"
            )
    if await queries.find(data.code) is not None:
        raise Conflict(f"code：区划代码 {data.code} 已存在", field="code")
    row = {"code": data.code, "name": data.name, "parent_code": data.parent, "depth": depth}
    await queries.insert(row)
    return _out(row)


async def upsert(data: RegionIn) -> bool:
    """Create or update a region from a data file; True when something changed."""
    existing = await queries.find(data.code)
    if existing is None:
        await create(data)
        return True
    depth = 0 if data.parent is None else (await require(data.parent, "parent"))["depth"] + 1
    wanted = {"name": data.name, "parent_code": data.parent, "depth": depth}
    if all(existing[k] == v for k, v in wanted.items()):
        return False
    await queries.update(data.code, wanted)
    return True


async def list_all() -> list[RegionOut]:
    return [_out(r) for r in await queries.all_regions()]


async def get(code: str) -> RegionOut:
    row = await queries.find(code)
    if row is None:
        raise NotFound(f"没有代码为 {code} 的区划")
    return _out(row)


async def load_file(path: Path) -> int:
    doc = validate(path, RegionsFile, read_toml(path))
    return sum([await upsert(r) for r in doc.region])
