"""Registering canteens and changing them. Their food-safety record (grades, inspections,
sunshine-level history) is kept by the domain above, which composes it with these."""

from __future__ import annotations

from pathlib import Path

from zhucan.audit import service as audit
from zhucan.canteens import queries
from zhucan.canteens.schemas import CanteenIn, CanteenPatch
from zhucan.data_files import DataFileError, read_toml, validate
from zhucan.db.tx import write_transaction
from zhucan.errors import BadInput, Conflict, NotFound
from zhucan.regions import queries as region_queries
from zhucan.regions import service as regions

EDITABLE = (
    "name",
    "kind",
    "size",
    "address",
    "license_no",
    "license_issued",
    "license_expires",
    "sunshine_level",
    "capacity",
    "active",
    "insurance_expires",
)


async def _region_id(code: str) -> int:
    row = await regions.require(code, field="region")
    if row["depth"] != 2:
        raise BadInput(f"region：食堂必须属于社区/村一级区划，{code} 不是", field="region")
    return row["id"]


async def find(code: str) -> dict | None:
    return await queries.find(code)


async def require(code: str) -> dict:
    row = await queries.find(code)
    if row is None:
        raise _unknown(code)
    return row


async def require_id(code: str) -> int:
    """The id of canteen `code`, by fixed SQL: elders' phones read menus all lunch long."""
    row = await queries.canteen_for_order(code)
    if row is None:
        raise _unknown(code)
    return int(row["id"])


def _unknown(code: str) -> NotFound:
    return NotFound(f"没有编号为 {code} 的食堂")


async def listed(region: str | None = None) -> list[dict]:
    """Every canteen by code, or those in a region (a district, street or community)."""
    if not region:
        return await queries.canteens()
    await regions.require(region)  # a mistyped code would otherwise list "no canteens"
    return await queries.canteens(region_codes=await region_queries.codes_within(region))


async def create(data: CanteenIn, *, actor: str) -> dict:
    region_id = await _region_id(data.region)
    if await queries.find(data.code) is not None:
        raise Conflict(f"code：食堂编号 {data.code} 已存在", field="code")
    values = data.model_dump(exclude={"region"})

    async def write() -> None:
        await queries.insert({"region": region_id, **values})
        await audit.record(
            actor,
            "canteen.create",
            f"canteen:{data.code}",
            {"name": data.name, "region": data.region},
        )

    await write_transaction(write)
    return await require(data.code)


async def patch(code: str, data: CanteenPatch, *, actor: str) -> dict:
    row = await require(code)
    changes = data.model_dump(exclude_unset=True)
    values = {k: v for k, v in changes.items() if k in EDITABLE}
    if "region" in changes:
        values["region"] = await _region_id(changes["region"])
    issued = values.get("license_issued", row["license_issued"])
    expires = values.get("license_expires", row["license_expires"])
    if issued and expires and expires <= issued:
        raise BadInput("license_expires：许可证到期日必须晚于发证日", field="license_expires")
    if values:

        async def write() -> None:
            await queries.update(code, values)
            await audit.record(actor, "canteen.update", f"canteen:{code}", {"changes": changes})

        await write_transaction(write)
    return await require(code)


async def upsert(data: CanteenIn) -> bool:
    """Create or update a canteen from a data file; True when something changed."""
    row = await queries.find(data.code)
    region_id = await _region_id(data.region)
    values = data.model_dump(exclude={"region", "code"})
    if row is None:
        await queries.insert({"code": data.code, "region": region_id, **values})
        return True
    current = {k: row[k] for k in values} | {"region": row["region"]}
    if current == values | {"region": data.region}:
        return False
    await queries.update(data.code, {**values, "region": region_id})
    return True


def read_file(path: Path) -> CanteenIn:
    """kitchens/canteens/<code>.toml: one canteen; the file name must be its code."""
    data = validate(path, CanteenIn, read_toml(path))
    if data.code != path.stem:
        raise DataFileError(f"{path}: 字段 code：应与文件名一致（{path.stem}），实际为 {data.code}")
    return data
