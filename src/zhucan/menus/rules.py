"""Pure rules about menus: slots, weekly templates, quotas, diet and allergen clashes."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Literal, get_args

from zhucan.people.rules import DietTag

Slot = Literal["breakfast", "lunch", "dinner"]
SLOTS: tuple[Slot, ...] = get_args(Slot)
SLOT_NAMES = {"breakfast": "早餐", "lunch": "午餐", "dinner": "晚餐"}
# When each slot's serving ends (local time); after that the next slot is the open one.
SLOT_ENDS = {"breakfast": time(9, 30), "lunch": time(14, 0), "dinner": time(20, 0)}
# A dish is tagged with the diets it suits, so that it can be checked against an elder's.
DishTag = Literal[DietTag, "set_meal"]
DIET_NAMES = {
    "soft": "软食",
    "low_salt": "低盐",
    "low_sugar": "低糖",
    "low_fat": "低脂",
    "vegetarian": "素食",
    "halal": "清真",
    "set_meal": "套餐",
}
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = get_args(Weekday)  # in date.weekday() order


def open_slots(day: date, today: date, now: time) -> list[Slot]:
    """The slots of `day` still open for ordering, in serving order."""
    if day > today:
        return list(SLOTS)
    if day < today:
        return []
    return [s for s in SLOTS if now < SLOT_ENDS[s]]


def closed_slot_problem(day: date, slot: str, today: date, now: time) -> str | None:
    """Why `slot` of `day` (today or later) can no longer be ordered, or None: today's serving
    of it has ended, and a meal ordered now would be charged but never cooked."""
    if slot in open_slots(day, today, now):
        return None
    return (
        f"slot：今天的{SLOT_NAMES[slot]}已于 {SLOT_ENDS[slot]:%H:%M} 结束供应，不能再点；"
        "请点之后的餐次或改日"
    )


def template_dates(today: date) -> list[date]:
    """The days a weekly template is expanded to: today through Sunday of next week.

    Past days are left as they are, so reloading never rewrites a menu that was already served.
    """
    last = today + timedelta(days=13 - today.weekday())
    return [today + timedelta(days=n) for n in range((last - today).days + 1)]


def remaining(quota: int | None, sold: int) -> int | None:
    return None if quota is None else max(quota - sold, 0)


def shortage(name: str, remaining_: int | None, qty: int) -> str | None:
    """Why `qty` portions of a dish with `remaining_` left cannot be sold, or None."""
    if remaining_ is None or qty <= remaining_:
        return None
    return f"{name}已售罄" if not remaining_ else f"{name}仅剩 {remaining_} 份，不够 {qty} 份"


def removal_problem(dish_id: str, sold: int, ordered: bool) -> str | None:
    """Why a dish cannot leave its menu, or None. Ever ordered, even by an order cancelled since,
    it stays: the orders' lines point at it, and an order's history must keep its dishes."""
    if sold > 0:
        return f"items：菜品 {dish_id} 已售出 {sold} 份，不能从菜单中删除（可把 quota 设为 {sold} 停售）"
    if ordered:
        return (
            f"items：菜品 {dish_id} 有过订单（已取消的也算），不能从菜单中删除"
            "（可把 quota 设为 0 停售）"
        )
    return None


def quota_problem(dish_id: str, quota: int | None, sold: int) -> str | None:
    if quota is not None and quota < sold:
        return f"items.quota：菜品 {dish_id} 已售出 {sold} 份，quota 不能小于 {sold}"
    return None


def diet_clash(
    name: str, diet: list[str], allergies: list[str], tags: list[str], allergens: list[str]
) -> str | None:
    """Why a dish does not suit an elder, or None: a diet need the dish is not tagged for, or an
    allergen the elder reacts to."""
    missing = [DIET_NAMES.get(d, d) for d in diet if d not in tags]
    contains = [a for a in allergens if a in allergies]
    reasons = []
    if missing:
        reasons.append("不符合" + "、".join(missing) + "要求")
    if contains:
        reasons.append("含过敏原" + "、".join(contains))
    return f"{name}（{'，'.join(reasons)}）" if reasons else None
