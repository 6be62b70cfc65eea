from __future__ import annotations

import os
from datetime import date, time
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from zhucan.canteens import service as canteens
from zhucan.clock import now_utc, today
from zhucan.data_files import DataFileError, read_toml, validate
from zhucan.db.codes import join_codes, split_codes
from zhucan.db.tx import write_transaction
from zhucan.errors import Conflict, DomainError, NotFound
from zhucan.menus import queries, rules
from zhucan.menus.schemas import MenuIn, MenuItemIn, MenuItemOut, MenuOut, WeekMenuFile
from zhucan.settings import Settings


def _item_out(row: dict) -> MenuItemOut:
    return MenuItemOut(
        dish_id=row["dish_id"],
        name=row["name"],
        price_fen=row["price_fen"],
        quota=row["quota"],
        tags=split_codes(row["tags"]),
        allergens=split_codes(row["allergens"]),
        remaining=rules.remaining(row["quota"], row["sold"]),
    )


async def get_menu(code: str, meal_date: date, slot: str) -> MenuOut:
    rows = await queries.items_of(await canteens.require_id(code), meal_date, slot)
    if not rows:
        raise NotFound(f"{code} 尚未发布 {meal_date} {rules.SLOT_NAMES[slot]}的菜单")
    return MenuOut(canteen=code, meal_date=meal_date, slot=slot, items=[_item_out(r) for r in rows])


async def next_open_menu(code: str, today: date, now: time, days: int = 7) -> MenuOut | None:
    """The menu of the canteen's next slot still open for ordering (today's or a coming day's),
    or None when nothing is published for the next `days` days."""
    canteen_id = await canteens.require_id(code)
    published = await queries.published(canteen_id, today, days)
    for day in sorted({d for d, _ in published}):
        for slot in rules.open_slots(day, today, now):
            if (day, slot) in published:
                rows = await queries.items_of(canteen_id, day, slot)
                return MenuOut(
                    canteen=code, meal_date=day, slot=slot, items=[_item_out(r) for r in rows]
                )
    return None


def _stored(item: MenuItemIn, position: int) -> dict:
    return {
        "position": position,
        "name": item.name,
        "price_fen": item.price_fen,
        "quota": item.quota,
        "tags": join_codes(item.tags),
        "allergens": join_codes(item.allergens),
    }


async def _replace(canteen_id: int, meal_date: date, slot: str, items: list[MenuItemIn]) -> bool:
    """Make the stored menu equal `items`; True when anything changed.

    Runs in the write transaction so that it cannot interleave with an order taking portions.
    """
    current = {r["dish_id"]: r for r in await queries.locked_items(canteen_id, meal_date, slot)}
    wanted = {item.dish_id: item for item in items}
    leaving = [row["id"] for dish_id, row in current.items() if dish_id not in wanted]
    ordered = await queries.ever_ordered(leaving)
    for dish_id, row in current.items():
        if dish_id not in wanted and (
            problem := rules.removal_problem(dish_id, row["sold"], row["id"] in ordered)
        ):
            raise Conflict(problem, field="items")
    for dish_id, item in wanted.items():
        sold = current[dish_id]["sold"] if dish_id in current else 0
        if problem := rules.quota_problem(dish_id, item.quota, sold):
            raise Conflict(problem, field="items")
    changed = False
    if leaving:
        await queries.delete_items(leaving)
        changed = True
    for position, item in enumerate(items):
        values = _stored(item, position)
        stored = current.get(item.dish_id)
        if stored is None:
            await queries.add_item(canteen_id, meal_date, slot, item.dish_id, values, now_utc())
            changed = True
        elif any(stored[k] != v for k, v in values.items()):
            await queries.update_item(stored["id"], values, now_utc())
            changed = True
    return changed


async def put_menu(code: str, meal_date: date, slot: str, data: MenuIn) -> MenuOut:
    canteen = await canteens.require(code)
    await write_transaction(lambda: _replace(canteen["id"], meal_date, slot, data.items))
    if not data.items:
        return MenuOut(canteen=code, meal_date=meal_date, slot=slot, items=[])
    return await get_menu(code, meal_date, slot)


def _file_today() -> date:
    """`zhucan load` has no request; the service's time zone comes from the environment."""
    return today(ZoneInfo(os.environ.get("ZHUCAN_TIMEZONE") or Settings.timezone))


async def load_file(path: Path, on: date | None = None) -> int:
    """menus/<canteen code>.toml: expand the weekly template over today … Sunday of next week.

    Returns how many menus (canteen, date, slot) changed, so a second load of the same file on the
    same day returns 0.
    """
    doc = validate(path, WeekMenuFile, read_toml(path))
    if doc.canteen != path.stem:
        raise DataFileError(
            f"{path}: 字段 canteen：应与文件名一致（{path.stem}），实际为 {doc.canteen}"
        )
    dishes: dict[str, MenuItemIn] = {}
    for dish_id, dish in doc.dishes.items():
        try:
            dishes[dish_id] = MenuItemIn(dish_id=dish_id, **dish.model_dump())
        except ValidationError:
            raise DataFileError(
                f"{path}: 字段 dishes.{dish_id}：菜品编号只能含字母、数字、-、_，最多 32 个字符"
            ) from None
    canteen = await canteens.require(doc.canteen)
    changed = 0
    for day in rules.template_dates(on or _file_today()):
        template = doc.week.get(rules.WEEKDAYS[day.weekday()])
        for slot in rules.SLOTS:
            items = [dishes[d] for d in getattr(template, slot)] if template else []
            try:
                changed += await write_transaction(
                    partial(_replace, canteen["id"], day, slot, items)
                )
            except DomainError as exc:
                weekday = rules.WEEKDAYS[day.weekday()]
                raise DataFileError(
                    f"{path}: 字段 week.{weekday}.{slot}（{day}）：{exc.detail}"
                ) from None
    return changed
