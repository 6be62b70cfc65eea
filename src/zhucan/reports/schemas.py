from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from zhucan.params import IsoDate, Text


class SettlementTotals(BaseModel):
    orders: int = Field(description="有效订单数（不含已取消）")
    subsidy_fen: int = Field(description="政府餐费补贴（分）")
    points: int = Field(description="使用的敬老分")
    points_fen: int = Field(description="敬老分抵扣金额（分），由政府支付")
    government_fen: int = Field(description="政府应付食堂合计 = 补贴 + 敬老分抵扣（分）")
    card_fen: int = Field(description="爱心卡支付（分）")
    cash_fen: int = Field(description="现金支付（分）")
    total_fen: int = Field(description="餐费合计（分）")


class SettlementCanteen(SettlementTotals):
    code: str
    name: str


class SettlementOut(BaseModel):
    month: str
    canteens: list[SettlementCanteen]
    totals: SettlementTotals


class MealTargets(BaseModel):
    model_config = ConfigDict(extra="forbid")

    coverage_ratio: float = Field(ge=0, le=1, description="社区（村）助餐覆盖率目标")
    meals: int = Field(ge=0, description="全年助餐人次目标")


class MealTargetsFile(BaseModel):
    """kitchens/meal_targets.toml: the programme's yearly meal targets and its baseline year."""

    model_config = ConfigDict(extra="forbid")

    baseline_year: int = Field(ge=2000, le=2100, description="“双倍增”的基准年")
    meals: dict[int, MealTargets]

    @field_validator("meals")
    @classmethod
    def _years(cls, value: dict[int, MealTargets]) -> dict[int, MealTargets]:
        bad = [y for y in value if not 2000 <= y <= 2100]
        if bad:
            raise ValueError(f"年份须在 2000–2100 之间：{bad[0]}")
        return value


class MealReport(BaseModel):
    year: int
    meals: int = Field(description="全年助餐人次（有效订单）")
    elders: int = Field(description="用过餐的老人数")
    by_channel: dict[str, int] = Field(
        description="按渠道：qr 刷卡，proxy 代点，hotline 热线，counter 柜台"
    )
    subsidised_meals: int = Field(description="享受餐费补贴的人次")
    communities: int = Field(description="社区（村）总数")
    covered_communities: int = Field(description="有至少一个在营食堂的社区（村）数")
    coverage_ratio: float | None
    baseline_year: int
    baseline_meals: int
    baseline_elders: int
    meals_growth: float | None = Field(description="人次较基准年增长，0.5 即增长 50%")
    elders_growth: float | None
    targets: MealTargets | None = Field(description="当年目标（未设目标时为 null）")
    on_track: bool | None = Field(description="覆盖率与人次是否都达到当年目标")


class MonthMeals(BaseModel):
    month: str = Field(description="YYYY-MM（按用餐日期）")
    meals: int = Field(description="当月助餐人次（有效订单）")


class StatementLine(BaseModel):
    transfer_id: int
    at: datetime
    reason: str = Field(description="变动原因")
    card_fen: int = Field(description="爱心卡变动（分），正为存入")
    points: int = Field(description="敬老分变动，正为增加")
    card_balance_fen: int
    points_balance: int


class Statement(BaseModel):
    elder_id: int
    from_date: date
    to_date: date
    opening_card_fen: int
    opening_points: int
    closing_card_fen: int
    closing_points: int
    lines: list[StatementLine]


class WelfareAlert(BaseModel):
    elder_id: int
    name: str = Field(description="脱敏姓名")
    community: str
    community_name: str
    address: str
    kind: Literal["no_meal", "not_home"]
    since: date
    reason: str


class VisitIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: Text = Field(min_length=1, max_length=500, description="探访情况")
    visited_on: IsoDate | None = Field(default=None, description="探访日期，默认今天")


class VisitOut(BaseModel):
    visit_id: int
    elder_id: int
    visited_on: date
    note: str
    visited_by: str
