from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from zhucan.params import Integer


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
