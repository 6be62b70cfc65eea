"""How menus are read and written: the only module that names the menu_item table."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from zhucan.db import sql
from zhucan.menus.tables import MenuItem

_ITEMS = (
    "SELECT m.id, m.dish_id, m.position, m.name, m.price_fen, m.quota, m.sold, m.tags,"
    " m.allergens"
    " FROM menu_item m"
)


# Fixed SQL (db/sql.py): elders' phones read menus all through the lunch rush.
async def items_of(canteen_id: int, meal_date: date, slot: str) -> list[dict]:
    """The dishes of a menu in the canteen's order, tags and allergens comma-separated."""
    return await sql.fetch(
        f"{_ITEMS} WHERE m.canteen = $1 AND m.meal_date = $2 AND m.slot = $3 ORDER BY m.position",
        canteen_id,
        meal_date,
        slot,
    )


async def locked_items(canteen_id: int, meal_date: date, slot: str) -> list[dict]:
    """items_of, locked until the write transaction commits (PostgreSQL), so that an order
    cannot take a portion between an edit's checks and its writes. Locked in id order, the order
    orders lock them in (ordering.service._add_sold), so the two never deadlock."""
    rows = await sql.fetch(
        f"{_ITEMS} WHERE m.canteen = $1 AND m.meal_date = $2 AND m.slot = $3"
        f" ORDER BY m.id{sql.lock_rows('m')}",
        canteen_id,
        meal_date,
        slot,
    )
    return sorted(rows, key=lambda row: row["position"])


async def published(canteen_id: int, first: date, days: int) -> set[tuple[date, str]]:
    """(meal date, slot) of the canteen's menus in the `days` days from `first`."""
    return {
        (r["meal_date"], r["slot"])
        for r in await MenuItem.select(MenuItem.meal_date, MenuItem.slot)
        .where(
            (MenuItem.canteen == canteen_id)
            & (MenuItem.meal_date >= first)
            & (MenuItem.meal_date < first + timedelta(days=days))
        )
        .distinct()
    }


async def ever_ordered(item_ids: list[int]) -> set[int]:
    """Those of the menu items that an order ever took a portion of, cancelled orders included."""
    if not item_ids:
        return set()
    return {
        r["id"]
        for r in await sql.fetch(
            "SELECT id FROM menu_item WHERE ordered AND id IN "
            f"({sql.placeholders(1, len(item_ids))})",
            *item_ids,
        )
    }


async def delete_items(item_ids: list[int]) -> None:
    await MenuItem.delete().where(MenuItem.id.is_in(item_ids))


async def add_item(
    canteen_id: int, meal_date: date, slot: str, dish_id: str, values: dict, at: datetime
) -> None:
    """A dish on a menu; `values` are its position, name, price_fen, quota, tags, allergens."""
    await MenuItem.insert(
        MenuItem(
            canteen=canteen_id,
            meal_date=meal_date,
            slot=slot,
            dish_id=dish_id,
            updated_at=at,
            **values,
        )
    ).run()


async def update_item(item_id: int, values: dict, at: datetime) -> None:
    await MenuItem.update({**values, "updated_at": at}).where(MenuItem.id == item_id)


async def has_menu(canteen_id: int, meal_date: date, slot: str) -> bool:
    return bool(
        await sql.fetch(
            "SELECT 1 FROM menu_item WHERE canteen = $1 AND meal_date = $2 AND slot = $3 LIMIT 1",
            canteen_id,
            meal_date,
            slot,
        )
    )


async def add_sold(changes: list[tuple[int, int]]) -> set[int]:
    """Add each (menu item id, portions) to the dish's sold count in one statement, where the
    quota allows; the ids of the dishes changed. A negative count gives portions back.

    Conditional, so two orders can never both take the last portion, on either engine. On
    PostgreSQL the dishes are locked in id order first: two orders taking the same two dishes
    in opposite order deadlocked. A menu edit locks its dishes in the same id order
    (menus.service._locked_items)."""
    if not changes:
        return set()
    wanted, args = sql.rows_table((("id", "BIGINT"), ("qty", "INTEGER")), changes)
    return {
        r["id"]
        for r in await sql.fetch(
            f"WITH wanted AS MATERIALIZED (SELECT m.id, w.qty FROM menu_item m JOIN ({wanted}) w"
            f" ON m.id = w.id ORDER BY m.id{sql.lock_rows('m')})"
            " UPDATE menu_item SET sold = menu_item.sold + wanted.qty, ordered = TRUE FROM wanted"
            " WHERE menu_item.id = wanted.id"
            " AND (menu_item.quota IS NULL OR menu_item.sold + wanted.qty <= menu_item.quota)"
            " RETURNING menu_item.id",
            *args,
        )
    }


async def quota_and_sold(item_id: int) -> dict | None:
    """quota and sold of the dish; None when it is no longer on the menu."""
    return await sql.fetchrow("SELECT quota, sold FROM menu_item WHERE id = $1", item_id)
