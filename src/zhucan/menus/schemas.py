from datetime import date
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from zhucan.menus.rules import SLOTS, DishTag, Slot, Weekday
from zhucan.params import Integer, Text

DISH_ID_PATTERN = r"^[A-Za-z0-9_-]+$"


def clean_allergens(value: list[str]) -> list[str]:
    cleaned = sorted({a.strip() for a in value if a.strip()})
    if any(len(a) > 20 or "," in a for a in cleaned):
        raise ValueError("每个过敏原最多 20 个字符，且不能含逗号")
    return cleaned


class MenuItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    dish_id: str = Field(
        min_length=1,
        max_length=32,
        pattern=DISH_ID_PATTERN,
        description="菜品编号，在该餐次菜单内唯一",
    )
    name: Text = Field(min_length=1, max_length=100)
    price_fen: Integer = Field(ge=0, le=100_000, description="单价（分）")
    quota: Integer | None = Field(
        default=None, ge=0, le=100_000, description="可售份数；null 表示不限量"
    )
    tags: list[DishTag] = Field(default_factory=list)
    allergens: list[str] = Field(
        default_factory=list, max_length=20, description="所含过敏原，如 花生、海鲜"
    )

    @field_validator("allergens")
    @classmethod
    def _allergens(cls, value: list[str]) -> list[str]:
        return clean_allergens(value)


class MenuIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[MenuItemIn] = Field(max_length=100)

    @model_validator(mode="after")
    def _unique_dishes(self) -> Self:
        seen: set[str] = set()
        for item in self.items:
            if item.dish_id in seen:
                raise ValueError(f"items：菜品编号 {item.dish_id} 重复")
            seen.add(item.dish_id)
        return self


class MenuItemOut(MenuItemIn):
    remaining: int | None = Field(description="尚可售份数；null 表示不限量")


class MenuOut(BaseModel):
    canteen: str
    meal_date: date
    slot: Slot
    items: list[MenuItemOut]


class WeekDish(BaseModel):
    """A dish of a weekly menu file's catalogue; `quota` is per meal."""

    model_config = ConfigDict(extra="forbid")

    name: Text = Field(min_length=1, max_length=100)
    price_fen: int = Field(ge=0, le=100_000)
    quota: int | None = Field(default=None, ge=0, le=100_000)
    tags: list[DishTag] = Field(default_factory=list)
    allergens: list[str] = Field(default_factory=list, max_length=20)

    @field_validator("allergens")
    @classmethod
    def _allergens(cls, value: list[str]) -> list[str]:
        return clean_allergens(value)


class WeekDay(BaseModel):
    model_config = ConfigDict(extra="forbid")

    breakfast: list[str] = Field(default_factory=list)
    lunch: list[str] = Field(default_factory=list)
    dinner: list[str] = Field(default_factory=list)


class WeekMenuFile(BaseModel):
    """menus/<canteen code>.toml: a dish catalogue and the weekly template of which dish is
    served on which weekday and slot."""

    model_config = ConfigDict(extra="forbid")

    canteen: str = Field(min_length=1, max_length=32)
    dishes: dict[str, WeekDish]
    week: dict[Weekday, WeekDay]

    @model_validator(mode="after")
    def _known_dishes(self):
        for day, slots in self.week.items():
            for slot in SLOTS:
                dish_ids = getattr(slots, slot)
                for i, dish_id in enumerate(dish_ids):
                    if dish_id not in self.dishes:
                        raise ValueError(f"week.{day}.{slot}[{i}]：[dishes] 中没有菜品 {dish_id}")
                if len(set(dish_ids)) != len(dish_ids):
                    raise ValueError(f"week.{day}.{slot}：同一餐次中菜品重复")
        return self
