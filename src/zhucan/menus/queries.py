"""Menu items as placing and cancelling orders read and change them (fixed SQL: the order
path). The portions sold are only changed here, by conditional updates within the quota."""

from __future__ import annotations

from datetime import date

from zhucan.db import sql


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
            " UPDATE menu_item SET sold = menu_item.sold + wanted.qty FROM wanted"
            " WHERE menu_item.id = wanted.id"
            " AND (menu_item.quota IS NULL OR menu_item.sold + wanted.qty <= menu_item.quota)"
            " RETURNING menu_item.id",
            *args,
        )
    }


async def quota_and_sold(item_id: int) -> dict | None:
    """quota and sold of the dish; None when it is no longer on the menu."""
    return await sql.fetchrow("SELECT quota, sold FROM menu_item WHERE id = $1", item_id)
