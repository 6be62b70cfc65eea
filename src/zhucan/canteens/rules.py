"""Pure rules about canteens."""

from __future__ import annotations

from datetime import date
from typing import Literal

# Each set of values is named once here; the label dicts below are typed by them.
Kind = Literal["elder_canteen", "meal_point", "central_kitchen", "rural_table"]
Size = Literal["small", "medium", "large"]
SunshineLevel = Literal["none", "transparent", "video", "smart"]

KINDS: dict[Kind, str] = {
    "elder_canteen": "老年食堂",
    "meal_point": "助餐点",
    "central_kitchen": "中央厨房",
    "rural_table": "老饭桌",
}
SIZES: dict[Size, str] = {"small": "小型", "medium": "中型", "large": "大型"}
SUNSHINE_LEVELS: dict[SunshineLevel, str] = {
    "none": "无",
    "transparent": "明厨亮灶",
    "video": "阳光厨房",
    "smart": "智慧阳光厨房",
}


def licence_problem(issued: date | None, expires: date | None) -> str | None:
    if issued and expires and expires <= issued:
        return "license_expires：许可证到期日必须晚于发证日"
    return None


def can_take_orders(active: bool, license_expires: date | None, day: date) -> str | None:
    """Why a canteen may not take orders for `day`, or None when it may."""
    if not active:
        return "该食堂已停用，暂不接受点餐"
    if license_expires is None or license_expires < day:
        return "该食堂的食品经营许可证已过期，暂不接受点餐"
    return None
