from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from zhucan.canteens.rules import Kind, Size, SunshineLevel
from zhucan.compliance.rules import (
    AnnualGrade,
    AttentionGrade,
    DynamicGrade,
    GradingRules,
    Verdict,
    YearTargets,
)
from zhucan.params import Integer, IsoDate, IsoDateTime, Text
from zhucan.regions.schemas import CODE_PATTERN

InspectionKind = Literal["routine", "random", "special", "reinspection"]
AlertKind = Literal["no_hat", "no_mask", "smoking", "phone", "rodent", "no_uniform", "temperature"]
FindingStatus = Literal["open", "overdue", "resolved"]

# ---------------------------------------------------------------- data files


class ChecklistCategory(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=4, pattern=CODE_PATTERN)
    name: Text = Field(min_length=1, max_length=50)


class ChecklistItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=16, pattern=CODE_PATTERN)
    category: str = Field(description="所属检查类别代码")
    title: Text = Field(min_length=1, max_length=200)
    points: int = Field(ge=1, le=100)
    key: bool = Field(default=False, description="是否关键项")


class ChecklistFile(BaseModel):
    """kitchens/checklist.toml: the grading numbers, the categories and the items."""

    model_config = ConfigDict(extra="forbid")

    grading: GradingRules = GradingRules()
    category: list[ChecklistCategory] = Field(min_length=1)
    item: list[ChecklistItem]


class TargetsFile(BaseModel):
    """kitchens/targets.toml: yearly targets; this domain reads only its `compliance` table."""

    model_config = ConfigDict(extra="allow")

    compliance: dict[int, YearTargets] = Field(default_factory=dict)

    @field_validator("compliance")
    @classmethod
    def _years(cls, value: dict[int, YearTargets]) -> dict[int, YearTargets]:
        bad = [y for y in value if not 2000 <= y <= 2100]
        if bad:
            raise ValueError(f"年份须在 2000–2100 之间：{bad[0]}")
        return value


# ---------------------------------------------------------------- requests


# Far more than any checklist has items; beyond it a request is refused before it is read.
MAX_RESULTS = 500


class ItemResultIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    item: str = Field(min_length=1, max_length=16)
    verdict: Verdict
    points: float | None = Field(default=None, ge=0, description="不合格项的部分得分（可选）")


class InspectionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    date: IsoDate
    kind: InspectionKind
    inspectors: list[str] = Field(min_length=2, max_length=10, description="检查员用户名，至少两人")
    results: list[ItemResultIn] = Field(max_length=MAX_RESULTS, description="检查表每一项的结论")
    notes: str = Field(default="", max_length=2000)
    incident: bool = Field(default=False, description="检查期间是否记录了食品安全事故")


class ScorePreviewIn(BaseModel):
    """The verdicts an inspector has ticked so far; items not given yet are simply not counted."""

    model_config = ConfigDict(extra="forbid")

    date: IsoDate | None = Field(default=None, description="检查日期（用于整改期限），默认今天")
    results: list[ItemResultIn] = Field(default_factory=list, max_length=MAX_RESULTS)


class ResolveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    date: IsoDate | None = Field(default=None, description="整改完成日期，默认今天")


class AlertIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: AlertKind
    at: IsoDateTime = Field(description="告警时间（带时区）")
    camera: str = Field(default="", max_length=64)
    snapshot_url: str = Field(default="", max_length=500)

    @field_validator("at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("告警时间须带时区，如 2026-11-23T11:30:00+08:00")
        return value


class RandomPlanIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    count: int = Field(ge=1, le=1000, description="抽取的食堂数")
    seed: Integer = Field(
        ge=0, le=2**63 - 1, description="随机种子：同一种子、同一数据得到同一抽取结果"
    )
    date: IsoDate


# ---------------------------------------------------------------- responses


class ChecklistItemOut(BaseModel):
    code: str
    category: str
    category_name: str
    title: str
    points: int
    key: bool


class FindingOut(BaseModel):
    item: str
    title: str
    key: bool
    opened_on: date
    deadline: date
    status: FindingStatus
    resolved_on: date | None = None
    resolved_by: str = ""
    inspection_id: int


class PreviewFinding(BaseModel):
    item: str
    title: str
    key: bool
    deadline: date


class ScorePreviewOut(BaseModel):
    answered: int = Field(description="已给出结论的检查项数")
    items: int = Field(description="检查表的检查项总数")
    missing: list[str] = Field(description="尚未给出结论的检查项")
    score: float | None = Field(description="按已给结论计算的得分；尚无适用项时为 null")
    key_failures: int
    dynamic_grade: DynamicGrade | None
    findings: list[PreviewFinding] = Field(description="不合格项将开立的整改问题及期限")


class InspectionOut(BaseModel):
    inspection_id: int
    canteen: str
    date: date
    kind: InspectionKind
    inspectors: list[str]
    score: float = Field(description="得分（0–100，一位小数）")
    key_failures: int
    dynamic_grade: DynamicGrade
    annual_grade: AnnualGrade | None = Field(description="计入本次检查后、检查当日的年度等级")
    incident: bool
    notes: str
    findings: list[FindingOut]


class GradeHistoryEntry(BaseModel):
    inspection_id: int
    date: date
    kind: InspectionKind
    score: float
    key_failures: int
    dynamic_grade: DynamicGrade
    annual_grade: AnnualGrade | None
    incident: bool


class SunshineChangeOut(BaseModel):
    level: SunshineLevel
    changed_at: datetime


class AlertMonth(BaseModel):
    month: str
    count: int


class AlertOut(BaseModel):
    alert_id: int
    canteen: str
    kind: AlertKind
    at: datetime
    camera: str
    snapshot_url: str
    month: str
    month_count: int = Field(description="该食堂当月告警总数（含本条）")


class DueEntry(BaseModel):
    code: str
    name: str
    last_inspection: date | None
    annual_grade: AnnualGrade | None = Field(description="上次检查后的年度等级")
    due: date
    days_overdue: int = Field(description="逾期天数；0 表示今天到期")
    status: Literal["due", "overdue"]
    open_findings: int


class ExpiryEntry(BaseModel):
    code: str
    name: str
    document: Literal["licence", "insurance"]
    expires: date | None
    days_left: int | None = Field(description="距到期天数，负数表示已过期；null 表示未登记")


class AttentionCanteen(BaseModel):
    code: str
    name: str
    annual_grade: AttentionGrade
    camera_alerts_month: int
    open_findings: list[FindingOut]


class ComplianceSummary(BaseModel):
    year: int
    as_of: date
    canteens: int = Field(description="在营食堂数")
    grades: dict[str, int]
    ab_ratio: float | None
    sunshine_ratio: float | None
    smart_sunshine_large_medium_ratio: float | None
    licence_valid_ratio: float | None
    insurance_valid_ratio: float | None
    c_canteens: list[str] = Field(description="年度等级为 C 或整改中的食堂")
    c_and_rectifying: list[AttentionCanteen]
    camera_alerts_month: int = Field(description="as_of 所在月的摄像头告警总数")
    expiring: list[ExpiryEntry] = Field(description="30 天内到期或已过期的许可证和保险")
    targets_year: int | None = Field(description="适用的目标年份")
    # One number type: "float | int" became a oneOf that a whole number (0, 1.0) matches twice.
    targets: dict[str, float]
    targets_met: dict[str, bool]
    on_track: bool


class Assignment(BaseModel):
    canteen: str
    name: str
    inspectors: list[str]


class RandomPlanOut(BaseModel):
    plan_id: int
    date: date
    seed: int
    count: int
    assignments: list[Assignment]
    created_by: str
    created_at: datetime


# ---------------------------------------------------------------- a canteen with its record


class Grade(BaseModel):
    annual: AnnualGrade | None = Field(
        description="年度等级；null 表示未评级（近 365 天无检查或许可证不满 90 天）"
    )
    dynamic: DynamicGrade | None = Field(description="最近一次检查的动态等级；首检前为 null")
    score: float | None = Field(description="最近一次检查得分（0–100，一位小数）")
    as_of: date
    camera_alerts_month: int = Field(
        default=0, description="as_of 所在月的摄像头告警次数（供检查员参考，不改变等级）"
    )


class CanteenSummary(BaseModel):
    code: str
    name: str
    kind: Kind
    region: str
    size: Size
    grade: Grade
    sunshine_level: SunshineLevel
    license_expires: date | None
    active: bool
    address: str
    license_no: str
    license_issued: date | None
    insurance_expires: date | None
    capacity: int


class CanteenDetail(CanteenSummary):
    grade_history: list[GradeHistoryEntry] = Field(description="每次检查一条，最新在前")
    open_findings: list[FindingOut] = Field(description="as_of 当日未整改（含逾期）的问题")
    sunshine_history: list[SunshineChangeOut] = Field(description="阳光厨房等级的变更，最新在前")
    camera_alerts: list[AlertMonth] = Field(description="近 12 个月每月的摄像头告警次数")
