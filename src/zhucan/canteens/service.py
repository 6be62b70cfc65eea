from __future__ import annotations

from datetime import date
from pathlib import Path

from zhucan.audit import service as audit
from zhucan.canteens.schemas import CanteenDetail, CanteenIn, CanteenPatch, CanteenSummary, Grade
from zhucan.canteens.tables import Canteen
from zhucan.clock import now_utc
from zhucan.compliance import service as compliance
from zhucan.data_files import DataFileError, read_toml, validate
from zhucan.db.tx import write_transaction
from zhucan.errors import BadInput, Conflict, NotFound
from zhucan.regions import service as regions
from zhucan.regions.tables import Region

COLUMNS = [
    Canteen.id,
    Canteen.code,
    Canteen.name,
    Canteen.kind,
    Canteen.region.code.as_alias("region"),
    Canteen.size,
    Canteen.address,
    Canteen.license_no,
    Canteen.license_issued,
    Canteen.license_expires,
    Canteen.sunshine_level,
    Canteen.capacity,
    Canteen.active,
    Canteen.insurance_expires,
]
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


def _summary(row: dict, grades: dict[int, Grade], as_of: date) -> CanteenSummary:
    grade = grades.get(row["id"]) or Grade(annual=None, dynamic=None, score=None, as_of=as_of)
    return CanteenSummary(grade=grade, **{k: v for k, v in row.items() if k != "id"})


async def _grades(ids: list[int], as_of: date) -> dict[int, Grade]:
    return await compliance.grades(ids, as_of)


async def _record_sunshine(code: str) -> None:
    row = await require(code)
    await compliance.record_sunshine(row["id"], row["sunshine_level"])


async def find(code: str) -> dict | None:
    return await Canteen.select(*COLUMNS).where(Canteen.code == code).first()


async def require(code: str) -> dict:
    row = await find(code)
    if row is None:
        raise NotFound(f"没有编号为 {code} 的食堂")
    return row


async def summaries(as_of: date, region: str | None = None) -> list[CanteenSummary]:
    query = Canteen.select(*COLUMNS).order_by(Canteen.code)
    if region:
        await regions.require(region)  # a mistyped code would otherwise list "no canteens"
        query = query.where(
            (Canteen.region.code == region)
            | (Canteen.region.parent_code == region)
            | Canteen.region.parent_code.is_in(
                Region.select(Region.code).where(Region.parent_code == region)
            )
        )
    rows = await query
    grades = await _grades([r["id"] for r in rows], as_of)
    return [_summary(r, grades, as_of) for r in rows]


async def summary(code: str, as_of: date) -> CanteenSummary:
    row = await require(code)
    return _summary(row, await _grades([row["id"]], as_of), as_of)


async def detail(code: str, as_of: date) -> CanteenDetail:
    row = await require(code)
    base = _summary(row, await _grades([row["id"]], as_of), as_of)
    return CanteenDetail(
        **base.model_dump(),
        grade_history=await compliance.grade_history(row["id"], row["license_issued"], as_of),
        open_findings=(await compliance.open_findings([row["id"]], as_of)).get(row["id"], []),
        sunshine_history=await compliance.sunshine_history(row["id"]),
        camera_alerts=await compliance.alerts_by_month(row["id"], as_of),
    )


async def create(data: CanteenIn, as_of: date, *, actor: str) -> CanteenSummary:
    region_id = await _region_id(data.region)
    if await find(data.code) is not None:
        raise Conflict(f"code：食堂编号 {data.code} 已存在", field="code")
    values = data.model_dump(exclude={"region"})

    async def write() -> None:
        await Canteen.insert(Canteen(region=region_id, updated_at=now_utc(), **values)).run()
        await audit.record(
            actor,
            "canteen.create",
            f"canteen:{data.code}",
            {"name": data.name, "region": data.region},
        )

    await write_transaction(write)
    await _record_sunshine(data.code)
    return await summary(data.code, as_of)


async def patch(code: str, data: CanteenPatch, as_of: date, *, actor: str) -> CanteenSummary:
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
            await (
                Canteen.update({**values, Canteen.updated_at: now_utc()})
                .where(Canteen.code == code)
                .run()
            )
            await audit.record(actor, "canteen.update", f"canteen:{code}", {"changes": changes})

        await write_transaction(write)
    if "sunshine_level" in values:
        await _record_sunshine(code)
    return await summary(code, as_of)


async def upsert(data: CanteenIn) -> bool:
    """Create or update a canteen from a data file; True when something changed."""
    row = await find(data.code)
    region_id = await _region_id(data.region)
    values = data.model_dump(exclude={"region", "code"})
    if row is None:
        await Canteen.insert(
            Canteen(code=data.code, region=region_id, updated_at=now_utc(), **values)
        ).run()
        await _record_sunshine(data.code)
        return True
    current = {k: row[k] for k in values} | {"region": row["region"]}
    if current == values | {"region": data.region}:
        return False
    await (
        Canteen.update({**values, "region": region_id, "updated_at": now_utc()})
        .where(Canteen.code == data.code)
        .run()
    )
    await _record_sunshine(data.code)
    return True


async def load_file(path: Path) -> int:
    """kitchens/canteens/<code>.toml: one canteen; the file name must be its code."""
    data = validate(path, CanteenIn, read_toml(path))
    if data.code != path.stem:
        raise DataFileError(f"{path}: 字段 code：应与文件名一致（{path.stem}），实际为 {data.code}")
    return int(await upsert(data))
