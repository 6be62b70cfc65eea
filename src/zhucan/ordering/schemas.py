from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from zhucan.menus.schemas import DISH_ID_PATTERN, Slot
from zhucan.ordering.rules import Channel, Fulfilment, Status
from zhucan.params import BodyId, Integer, IsoDate


class OrderLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    dish_id: str = Field(min_length=1, max_length=32, pattern=DISH_ID_PATTERN)
    qty: Integer = Field(ge=1, le=20, description="份数")


class OrderIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    canteen: str = Field(min_length=1, max_length=32, description="食堂编号")
    card_no: str | None = Field(
        default=None,
        pattern=r"^\d{12}$",
        description="刷卡点餐：12 位爱心卡号（不带登录令牌时必填）",
    )
    pin: str | None = Field(default=None, pattern=r"^\d{6}$", description="刷卡点餐：6 位密码")
    elder_id: BodyId | None = Field(default=None, description="代为点餐：老人编号")
    items: list[OrderLineIn] = Field(min_length=1, max_length=20)
    meal_date: IsoDate | None = Field(default=None, description="用餐日期，默认今天")
    slot: Slot | None = Field(default=None, description="餐次，默认下一个可点的餐次")
    fulfilment: Fulfilment = "dine_in"
    use_points: bool = True
    cash_allowed: bool = True
    delivery_address: str | None = Field(
        default=None, max_length=200, description="送餐地址，默认老人登记的地址"
    )
    note: str = Field(default="", max_length=200)
    confirm_diet_clash: bool = Field(
        default=False, description="已向老人确认：菜品与其饮食要求或过敏原冲突仍要点"
    )

    @model_validator(mode="after")
    def _unique_dishes(self):
        dish_ids = [line.dish_id for line in self.items]
        if len(set(dish_ids)) != len(dish_ids):
            raise ValueError("items：同一菜品请只写一行，用 qty 表示份数")
        return self


class OrderLineOut(BaseModel):
    dish_id: str
    name: str
    qty: int
    price_fen: int


class OrderCharges(BaseModel):
    """Who pays what for an order: the same split whether previewed or placed."""

    canteen: str
    elder_id: int
    meal_date: date
    slot: Slot
    fulfilment: Fulfilment
    items: list[OrderLineOut]
    total_fen: int = Field(description="= subsidy_fen + points_fen + card_fen + cash_fen")
    subsidy_fen: int = Field(description="政府补贴")
    subsidy_tier: str | None = Field(description="享受的补贴档次；null 表示本单无补贴")
    points_used: int = Field(description="抵扣的敬老分")
    points_fen: int = Field(description="敬老分抵扣的金额")
    card_fen: int = Field(description="爱心卡支付")
    cash_fen: int = Field(description="需付现金")


class OrderOut(OrderCharges):
    order_id: int
    status: Status
    channel: Channel
    placed_by: str | None = Field(description="代为点餐的工作人员用户名；刷卡点餐为 null")
    delivery_address: str
    note: str
    diet_clash_confirmed: bool
    created_at: datetime


class OrderPreview(OrderCharges):
    """What an order would charge if placed now; nothing is charged or reserved."""

    diet_clashes: list[str] = Field(description="已确认仍要点的饮食冲突（未确认时预览即被拒绝）")


class StatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Literal["preparing", "ready", "served", "delivered", "not_home"]


class DishPortions(BaseModel):
    dish_id: str
    name: str
    portions: int
    quota: int | None


class MyOrder(OrderOut):
    """An order in a volunteer's, family member's or operator's list."""

    elder_name: str = Field(description="脱敏姓名")
    next_statuses: list[Status] = Field(description="本账号现在可以把订单改成的状态")


class KitchenOrder(BaseModel):
    order_id: int
    elder_id: int
    elder_name: str = Field(description="脱敏姓名")
    fulfilment: Fulfilment
    status: Status
    items: list[OrderLineOut]
    diet: list[str]
    allergies: list[str]
    diet_clash_confirmed: bool
    note: str
    next_statuses: list[Status] = Field(description="现在可以改成的状态")


class DeliveryStop(BaseModel):
    order_id: int
    community: str
    community_name: str
    elder_name: str = Field(description="脱敏姓名")
    address: str
    lives_alone: bool
    items: list[OrderLineOut]
    status: Status


class KitchenView(BaseModel):
    canteen: str
    meal_date: date
    slot: Slot
    portions: list[DishPortions]
    orders: list[KitchenOrder]
    deliveries: list[DeliveryStop] = Field(description="送餐单，按社区路线顺序")
