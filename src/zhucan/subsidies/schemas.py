from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from zhucan.menus.schemas import Slot
from zhucan.params import BodyId, IsoDate, Text
from zhucan.people.rules import ElderStatus
from zhucan.people.schemas import Category
from zhucan.subsidies.rules import (
    MAX_SERVICE_MINUTES,
    MIN_SERVICE_MINUTES,
    MONTH_PATTERN,
    parse_month,
)

TimebankStatus = Literal["pending", "approved", "rejected"]


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


class IssueIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    month: str = Field(
        description="发放月份 YYYY-MM",
        examples=["2026-11"],
        json_schema_extra={"pattern": MONTH_PATTERN},
    )

    @field_validator("month")
    @classmethod
    def _month(cls, value: str) -> str:
        parse_month(value)
        return value


class FrozenCard(BaseModel):
    elder_id: int
    status: ElderStatus
    card_fen: int = Field(description="冻结在卡上的余额（分）")
    points: int = Field(description="冻结的敬老分")


class FrozenCards(BaseModel):
    """What stays on the cards of elders who died or moved away: frozen, not lost."""

    elders: int
    card_fen: int
    points: int
    cards: list[FrozenCard]


class ExpiryOut(BaseModel):
    as_of: date
    elders: int = Field(description="有敬老分过期的老人数")
    points: int = Field(description="过期的敬老分合计")


class IssueOut(BaseModel):
    month: str
    elders: int = Field(description="本月获得发放的老人数")
    card_fen: int = Field(description="本月存入爱心卡合计（分）")
    points: int = Field(description="本月发放敬老分合计")
    expired: ExpiryOut = Field(description="本月初到期的敬老分（先发先用，满 12 个月过期）")
    frozen: FrozenCards = Field(description="已去世或迁出老人的冻结余额（不发放，单列报告）")


class ElderStatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: ElderStatus = Field(description="active 正常；deceased 已去世；moved 已迁出")
    note: str = Field(default="", max_length=200)


class ElderStatusOut(BaseModel):
    elder_id: int
    status: ElderStatus
    card_frozen: bool
    card_fen: int = Field(description="卡上余额（分）；冻结时保留并在冻结余额报告中列出")
    points: int


class TimebankIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    helped_elder_id: BodyId = Field(description="受助的高龄老人")
    helper_elder_id: BodyId | None = Field(
        default=None, description="服务者是低龄老人时：其老人编号"
    )
    helper_username: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        description="服务者是志愿者时：其账号（志愿者本人登记可省略）",
    )
    service_date: IsoDate
    minutes: int = Field(ge=MIN_SERVICE_MINUTES, le=MAX_SERVICE_MINUTES, description="服务分钟数")
    description: str = Field(default="", max_length=200, description="服务内容，如 陪同就医")

    @model_validator(mode="after")
    def _one_helper(self):
        if self.helper_elder_id is not None and self.helper_username is not None:
            raise ValueError("helper_elder_id 与 helper_username 只能给出一个")
        return self


class TimebankOut(BaseModel):
    entry_id: int
    helped_elder_id: int
    helper_elder_id: int | None
    helper_username: str | None
    service_date: date
    minutes: int
    description: str
    status: TimebankStatus
    points: int = Field(description="批准后记入的敬老分")
    logged_by: str
    decided_by: str | None
    created_at: datetime
    decided_at: datetime | None
