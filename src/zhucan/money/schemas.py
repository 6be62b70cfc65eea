from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from zhucan.params import Integer, IsoDate, Text
from zhucan.people.schemas import Category

Slot = Literal["breakfast", "lunch", "dinner"]


class Eligibility(BaseModel):
    """Who a tier or allowance is for: elders in any of `categories`, or aged `min_age` or more."""

    model_config = ConfigDict(extra="forbid")

    name: Text = Field(min_length=1, max_length=50)
    categories: list[Category] = Field(default_factory=list)
    min_age: int | None = Field(default=None, ge=60, le=130)

    @model_validator(mode="after")
    def _one_kind_of_elder(self):
        if bool(self.categories) == (self.min_age is not None):
            raise ValueError(f"{self.name}：categories 与 min_age 必须且只能给出一个")
        return self


class SubsidyTier(Eligibility):
    """One subsidy tier: it pays a fixed `fen` per meal, or `percent` of the bill capped at
    `cap_fen` when the bill is at least `min_bill_fen`."""

    fen: int | None = Field(default=None, ge=0, le=100_000)
    percent: int | None = Field(default=None, ge=1, le=100)
    cap_fen: int | None = Field(default=None, ge=0, le=100_000)
    min_bill_fen: int = Field(default=0, ge=0, le=100_000)

    @model_validator(mode="after")
    def _one_rule_each(self):
        if (self.fen is None) == (self.percent is None):
            raise ValueError(f"{self.name}：fen 与 percent 必须且只能给出一个")
        if self.percent is not None and self.cap_fen is None:
            raise ValueError(f"{self.name}：按比例补贴必须给出封顶 cap_fen")
        return self


class MonthlyAllowance(Eligibility):
    card_fen: int = Field(ge=0, le=1_000_000, description="每月存入爱心卡的金额（分）")


class PointsGrant(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Text = Field(min_length=1, max_length=50)
    min_age: int = Field(ge=60, le=130)
    points: int = Field(ge=0, le=1_000_000, description="每月发放的敬老分")


class SubsidyPolicy(BaseModel):
    """The money rules in force from `effective_from` (kitchens/policy.toml holds the default)."""

    model_config = ConfigDict(extra="forbid")

    effective_from: IsoDate
    points_value_fen: int = Field(ge=1, le=100, description="1 敬老分抵多少分钱")
    points_cap_percent: int = Field(ge=0, le=100, description="敬老分最多支付（账单−补贴）的百分比")
    subsidised_slots: list[Slot] = Field(min_length=0, max_length=3)
    own_district_only: bool = Field(description="只在老人所在区的食堂享受补贴")
    tier: list[SubsidyTier] = Field(min_length=1)
    # The monthly issue (subsidies domain): each active elder gets the largest allowance that fits
    # and the largest points grant of their age.
    allowance: list[MonthlyAllowance] = Field(
        default_factory=list, description="每月爱心卡额度（按类别或年龄）"
    )
    points_grant: list[PointsGrant] = Field(
        default_factory=list, description="每月敬老分（按年龄段）"
    )
    timebank_points_per_hour: int = Field(
        default=0, ge=0, le=10_000, description="时间银行：每服务 1 小时所得敬老分"
    )

    @model_validator(mode="after")
    def _distinct_names(self):
        for field in ("tier", "allowance", "points_grant"):
            names = [x.name for x in getattr(self, field)]
            if len(set(names)) != len(names):
                raise ValueError(f"{field}：名称不能重复")
        return self


class BalanceOut(BaseModel):
    card_fen: int = Field(description="爱心卡余额（分）")
    points: int = Field(description="敬老分余额")


class TopupIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount_fen: Integer = Field(ge=1, le=1_000_000, description="充值金额（分），单笔最多 1 万元")
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
