from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from zhucan.params import BodyId, IsoDate
from zhucan.subsidies.rules import (
    MAX_SERVICE_MINUTES,
    MIN_SERVICE_MINUTES,
    MONTH_PATTERN,
    parse_month,
)

ElderStatus = Literal["active", "deceased", "moved"]


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
    status: Literal["pending", "approved", "rejected"]
    points: int = Field(description="批准后记入的敬老分")
    logged_by: str
    decided_by: str | None
    created_at: datetime
    decided_at: datetime | None
