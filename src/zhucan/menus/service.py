from __future__ import annotations

import os
from datetime import date, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from zhucan.canteens import service as canteens
from zhucan.clock import now_utc, today
from zhucan.data_files import DataFileError, read_toml, validate
from zhucan.db import sql
from zhucan.db.tx import write_transaction
from zhucan.errors import Conflict, DomainError, NotFound
from zhucan.menus import rules
from zhucan.menus.schemas import MenuIn, MenuItemIn, MenuItemOut, MenuOut, WeekMenuFile
from zhucan.menus.tables import MenuItem
from zhucan.people.rules import join_codes, split_codes
from zhucan.settings import Settings

ITEM_FIELDS = ("name", "price_fen", "quota", "tags", "allergens")


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


_ITEMS = (
    "SELECT m.id, m.dish_id, m.position, m.name, m.price_fen, m.quota, m.sold, m.tags,"
    " m.allergens"
    " FROM menu_item m"
)


# Fixed SQL (db/sql.py): elders' phones read menus all through the lunch rush.
async def items_of(canteen_id: int, meal_date: date, slot: str) -> list[dict]:
    return await sql.fetch(
        f"{_ITEMS} WHERE m.canteen = $1 AND m.meal_date = $2 AND m.slot = $3 ORDER BY m.position",
        canteen_id,
        meal_date,
        slot,
    )


async def _locked_items(canteen_id: int, meal_date: date, slot: str) -> list[dict]:
    """The menu's dishes, locked until the edit commits (PostgreSQL), so that an order cannot
    take a portion between the edit's checks and its writes. Locked in id order, the order
    orders lock them in (ordering.service._add_sold), so the two never deadlock."""
    rows = await sql.fetch(
        f"{_ITEMS} WHERE m.canteen = $1 AND m.meal_date = $2 AND m.slot = $3"
        f" ORDER BY m.id{sql.lock_rows('m')}",
        canteen_id,
        meal_date,
        slot,
    )
    return sorted(rows, key=lambda row: row["position"])


async def get_menu(code: str, meal_date: date, slot: str) -> MenuOut:
    rows = await sql.fetch(
        f"{_ITEMS} JOIN canteen c ON c.id = m.canteen WHERE c.code = $1"
        " AND m.meal_date = $2 AND m.slot = $3 ORDER BY m.position",
        code,
        meal_date,
        slot,
    )
    if not rows:
        await canteens.require(code)
        raise NotFound(f"{code} 尚未发布 {meal_date} {rules.SLOT_NAMES[slot]}的菜单")
    return MenuOut(canteen=code, meal_date=meal_date, slot=slot, items=[_item_out(r) for r in rows])


async def next_open_menu(code: str, today: date, now: time, days: int = 7) -> MenuOut | None:
    """The menu of the canteen's next slot still open for ordering (today's or a coming day's),
    or None when nothing is published for the next `days` days."""
    canteen = await canteens.require(code)
    published = {
        (r["meal_date"], r["slot"])
        for r in await MenuItem.select(MenuItem.meal_date, MenuItem.slot)
        .where(
            (MenuItem.canteen == canteen["id"])
            & (MenuItem.meal_date >= today)
            & (MenuItem.meal_date < today + timedelta(days=days))
        )
        .distinct()
    }
    for day in sorted({d for d, _ in published}):
        for slot in rules.open_slots(day, today, now):
            if (day, slot) in published:
                rows = await items_of(canteen["id"], day, slot)
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
    current = {r["dish_id"]: r for r in await _locked_items(canteen_id, meal_date, slot)}
    wanted = {item.dish_id: item for item in items}
    leaving = [row["id"] for dish_id, row in current.items() if dish_id not in wanted]
    ordered = (
        {
            r["menu_item"]
            for r in await sql.fetch(
                "SELECT DISTINCT menu_item FROM order_line WHERE menu_item IN "
                f"({sql.placeholders(1, len(leaving))})",
                *leaving,
            )
        }
        if leaving
        else set()
    )
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
        await MenuItem.delete().where(MenuItem.id.is_in(leaving))
        changed = True
    for position, item in enumerate(items):
        values = _stored(item, position)
        row = current.get(item.dish_id)
        if row is None:
            await MenuItem.insert(
                MenuItem(
                    canteen=canteen_id,
                    meal_date=meal_date,
                    slot=slot,
                    dish_id=item.dish_id,
                    updated_at=now_utc(),
                    **values,
                )
            ).run()
            changed = True
        elif any(row[k] != v for k, v in values.items()):
            await MenuItem.update({**values, "updated_at": now_utc()}).where(
                MenuItem.id == row["id"]
            )
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
                    lambda day=day, slot=slot, items=items: _replace(
                        canteen["id"], day, slot, items
                    )
                )
            except DomainError as exc:
                weekday = rules.WEEKDAYS[day.weekday()]
                raise DataFileError(
                    f"{path}: 字段 week.{weekday}.{slot}（{day}）：{exc.detail}"
                ) from None
    return changed
