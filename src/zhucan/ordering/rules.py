"""Pure ordering rules: who orders through which channel, order status flow, delivery route."""

from __future__ import annotations

from typing import Literal

from zhucan.access import Role

# Each defined here once, for the schemas, the tables' values and these rules.
Status = Literal["placed", "preparing", "ready", "served", "delivered", "not_home", "cancelled"]
Fulfilment = Literal["dine_in", "takeaway", "delivery"]
Channel = Literal["qr", "proxy", "hotline", "counter"]

CHANNEL_BY_ROLE: dict[Role, Channel] = {
    Role.VOLUNTEER: "proxy",
    Role.FAMILY: "proxy",
    Role.OPERATOR: "hotline",
    Role.CANTEEN_STAFF: "counter",
}
STATUS_NAMES: dict[Status, str] = {
    "placed": "已下单",
    "preparing": "备餐中",
    "ready": "已备好",
    "served": "已取餐",
    "delivered": "已送达",
    "not_home": "送餐未遇",
    "cancelled": "已取消",
}
# Where each status may move next; a status set again is accepted and changes nothing.
NEXT_STATUSES: dict[Status, set[Status]] = {
    "placed": {"preparing", "ready", "served", "delivered", "not_home"},
    "preparing": {"ready", "served", "delivered", "not_home"},
    "ready": {"served", "delivered", "not_home"},
    "not_home": {"delivered"},
    "served": set(),
    "delivered": set(),
    "cancelled": set(),
}
DELIVERY_ONLY: set[Status] = {"delivered", "not_home"}
FINAL_SERVED: set[Status] = {"served", "delivered"}


def status_problem(current: Status, new: Status, fulfilment: str) -> str | None:
    if new == current:
        return None
    if new in DELIVERY_ONLY and fulfilment != "delivery":
        return f"status：{STATUS_NAMES[new]}只适用于送餐订单，本单是{'堂食' if fulfilment == 'dine_in' else '自取'}"
    if new == "served" and fulfilment == "delivery":
        return "status：送餐订单请标记为 delivered（已送达）或 not_home（送餐未遇）"
    if new not in NEXT_STATUSES[current]:
        return f"status：订单已是「{STATUS_NAMES[current]}」，不能改为「{STATUS_NAMES[new]}」"
    return None


def next_statuses(current: Status, fulfilment: str) -> list[Status]:
    """The statuses an order may move to now, in STATUS_NAMES order (the pages' buttons)."""
    return [
        s
        for s in STATUS_NAMES
        if s in NEXT_STATUSES[current] and status_problem(current, s, fulfilment) is None
    ]


def cancel_problem(status: Status) -> str | None:
    if status in FINAL_SERVED:
        return f"订单已是「{STATUS_NAMES[status]}」，不能取消"
    return None


def delivery_route_key(home_community: str, community: str, address: str) -> tuple[bool, str, str]:
    """The canteen's own community first, then the others by region code, then by address:
    one pass through each community without doubling back."""
    return (community != home_community, community, address)
