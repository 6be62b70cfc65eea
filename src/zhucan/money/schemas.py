from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from zhucan.people.schemas import Category

Slot = Literal["breakfast", "lunch", "dinner"]


class SubsidyTier(BaseModel):
    """One subsidy tier: for elders in any of `categories`, or aged `min_age` or more; it pays a
    fixed `fen` per meal, or `percent` of the bill capped at `cap_fen` when the bill is at least
    `min_bill_fen`."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=50)
    categories: list[Category] = Field(default_factory=list)
    min_age: int | None = Field(default=None, ge=60, le=130)
    fen: int | None = Field(default=None, ge=0, le=100_000)
    percent: int | None = Field(default=None, ge=1, le=100)
    cap_fen: int | None = Field(default=None, ge=0, le=100_000)
    min_bill_fen: int = Field(default=0, ge=0, le=100_000)

    @model_validator(mode="after")
    def _one_rule_each(self):
        if bool(self.categories) == (self.min_age is not None):
            raise ValueError(f"{self.name}：categories 与 min_age 必须且只能给出一个")
        if (self.fen is None) == (self.percent is None):
            raise ValueError(f"{self.name}：fen 与 percent 必须且只能给出一个")
        if self.percent is not None and self.cap_fen is None:
            raise ValueError(f"{self.name}：按比例补贴必须给出封顶 cap_fen")
        return self


class SubsidyPolicy(BaseModel):
    """The money rules in force from `effective_from` (kitchens/policy.toml holds the default)."""

    model_config = ConfigDict(extra="forbid")

    effective_from: date
    points_value_fen: int = Field(ge=1, le=100, description="1 敬老分抵多少分钱")
    points_cap_percent: int = Field(ge=0, le=100, description="敬老分最多支付（账单−补贴）的百分比")
    subsidised_slots: list[Slot] = Field(min_length=0, max_length=3)
    own_district_only: bool = Field(description="只在老人所在区的食堂享受补贴")
    tier: list[SubsidyTier] = Field(min_length=1)


class BalanceOut(BaseModel):
    card_fen: int = Field(description="爱心卡余额（分）")
    points: int = Field(description="敬老分余额")


class TopupIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount_fen: int = Field(ge=1, le=1_000_000, description="充值金额（分），单笔最多 1 万元")
    source: Literal["government", "charity", "family"]
    note: str = Field(default="", max_length=200)


class TopupOut(BaseModel):
    card_fen: int = Field(description="充值后的爱心卡余额（分）")


class LedgerReport(BaseModel):
    balanced: bool
    accounts: int
    entries: int
    transfers: int
    problems: list[str]
