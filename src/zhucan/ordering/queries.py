"""How orders and their lines (meal_order, order_line) are read and written; the only module
that names them. Fixed SQL (db/sql.py): placing, reading and cancelling orders is the lunch
rush's hot path."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from piccolo.query import Select

from zhucan.db import sql
from zhucan.ordering.rules import Status
from zhucan.ordering.tables import MealOrder, OrderLine

# The columns of a meal_order row, as stored.
ORDER_COLUMNS = sql.column_names(MealOrder)
_ORDER = f"SELECT {sql.columns(MealOrder, 'o')} FROM meal_order o"


async def order(order_id: int) -> dict | None:
    """The order's row (every column of meal_order)."""
    return await sql.fetchrow(f"{_ORDER} WHERE o.id = $1", order_id)


async def locked_order(order_id: int) -> dict | None:
    """The order's row, locked until the transaction ends (PostgreSQL; SQLite's one writer
    already holds the file)."""
    return await sql.fetchrow(f"{_ORDER} WHERE o.id = $1{sql.lock_rows('o')}", order_id)


async def orders_where(
    placed_by: str | None, elders: Select | None, first: date, last: date | None
) -> list[dict]:
    """The rows of the orders for meals from `first` to `last` (None: no end), by id: those
    placed by `placed_by`, or for the elders the subquery `elders` selects."""
    query = MealOrder.select().where(MealOrder.meal_date >= first)
    if placed_by is not None:
        query = query.where(MealOrder.placed_by == placed_by)
    if elders is not None:
        query = query.where(MealOrder.elder.is_in(elders))
    if last is not None:
        query = query.where(MealOrder.meal_date <= last)
    return await query.order_by(MealOrder.id)


async def lines_of(order_ids: list[int]) -> dict[int, list[dict]]:
    """dish_id, name, qty and price_fen of each order's lines, in the order placed, by order."""
    lines: dict[int, list[dict]] = {order_id: [] for order_id in order_ids}
    if order_ids:
        for row in await sql.fetch(
            'SELECT "order", dish_id, name, qty, price_fen FROM order_line'
            f' WHERE "order" IN ({sql.placeholders(1, len(order_ids))}) ORDER BY id',
            *order_ids,
        ):
            lines[row.pop("order")].append(row)
    return lines


async def portions_of(order_id: int) -> list[tuple[int, int]]:
    """(menu item id, qty) of each line of the order."""
    return [
        (r["menu_item"], r["qty"])
        for r in await sql.fetch(
            'SELECT menu_item, qty FROM order_line WHERE "order" = $1', order_id
        )
    ]


async def subsidised_already(elder_id: int, meal_date: date, slot: str) -> bool:
    """Whether the elder has an order for this meal that carries a subsidy."""
    return bool(
        await sql.fetch(
            "SELECT 1 FROM meal_order WHERE elder = $1 AND meal_date = $2 AND slot = $3"
            " AND subsidy_fen > 0 AND status <> 'cancelled' LIMIT 1",
            elder_id,
            meal_date,
            slot,
        )
    )


async def add_order(row: dict[str, Any], lines: list[dict[str, Any]]) -> int:
    """Store an order (columns of meal_order by name) and its lines (columns of order_line but
    the order); the order's id."""
    statement, args = sql.insert(MealOrder, [row], returning="id")
    order_id = (await sql.fetch(statement, *args))[0]["id"]
    statement, args = sql.insert(OrderLine, [{"order": order_id, **line} for line in lines])
    await sql.fetch(statement, *args)
    return order_id


async def set_payment(order_id: int, payment: int) -> None:
    await sql.fetch("UPDATE meal_order SET payment = $1 WHERE id = $2", payment, order_id)


async def set_cancelled(order_id: int, refund: int, at: datetime) -> None:
    await sql.fetch(
        "UPDATE meal_order SET status = 'cancelled', refund = $1, updated_at = $2 WHERE id = $3",
        refund,
        at,
        order_id,
    )


async def set_status(order_id: int, status: Status, at: datetime) -> None:
    await sql.fetch(
        "UPDATE meal_order SET status = $1, updated_at = $2 WHERE id = $3", status, at, order_id
    )


async def kitchen_orders(canteen_id: int, meal_date: date, slot: str) -> list[dict]:
    """The meal's orders but the cancelled ones, one row per line, by order and line: the
    order's id, elder, fulfilment, status, note, delivery_address and diet_clash_confirmed, the
    line's dish_id, dish_name, qty and price_fen. One statement, so that both come from one
    snapshot: an order placed between two reads would otherwise show lines without its order."""
    return await sql.fetch(
        "SELECT o.id, o.elder, o.fulfilment, o.status, o.note, o.delivery_address,"
        " o.diet_clash_confirmed, l.dish_id, l.name AS dish_name, l.qty, l.price_fen"
        ' FROM meal_order o JOIN order_line l ON l."order" = o.id'
        " WHERE o.canteen = $1 AND o.meal_date = $2 AND o.slot = $3"
        " AND o.status <> 'cancelled' ORDER BY o.id, l.id",
        canteen_id,
        meal_date,
        slot,
    )
