"""Food-safety grading (量化分级) as pure functions: score, dynamic and annual grade, findings,
due dates, yearly targets and the 双随机 draw. No I/O: the numbers come in as `GradingRules`,
which the service reads from kitchens/checklist.toml."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal, get_args, overload

from pydantic import BaseModel, ConfigDict, Field, model_validator

Verdict = Literal["pass", "fail", "na"]
DynamicGrade = Literal["excellent", "good", "fair", "ungraded"]
AnnualGrade = Literal["A", "B", "C", "rectifying"]
# The grades a supervisor is shown by name: the canteens to work on this year.
AttentionGrade = Literal["C", "rectifying"]

# The summary counts each annual grade, and the canteens not graded yet.
GRADE_COUNTS = (*get_args(AnnualGrade), "ungraded")
ATTENTION_GRADES = get_args(AttentionGrade)

TENTH = Decimal("0.1")
DYNAMIC_NAMES = {"excellent": "优秀", "good": "良好", "fair": "一般", "ungraded": "不予评级"}
# The annual grade as pages and posters print it; None: no grade yet.
ANNUAL_NAMES: dict[AnnualGrade | None, str] = {
    "A": "A 级",
    "B": "B 级",
    "C": "C 级",
    "rectifying": "整改中",
    None: "未评级",
}


class RuleViolation(ValueError):
    """Input breaks a grading rule; the message names the field and the rule, in Chinese."""


class GradingRules(BaseModel):
    """The numbers of the grading scheme; defaults are those of docs/design.md (grading rules)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    excellent_from: Decimal = Field(default=Decimal(90), ge=0, le=100)
    good_from: Decimal = Field(default=Decimal(75), ge=0, le=100)
    fair_from: Decimal = Field(default=Decimal(60), ge=0, le=100)
    grade_a_from: Decimal = Field(default=Decimal(90), ge=0, le=100)
    grade_b_from: Decimal = Field(default=Decimal(75), ge=0, le=100)
    grade_c_from: Decimal = Field(default=Decimal(60), ge=0, le=100)
    ungraded_key_failures: int = Field(default=2, ge=1, description="这么多关键项不合格即不予评级")
    window_days: int = Field(default=365, ge=1, description="年度等级统计的天数（含当天）")
    new_licence_days: int = Field(default=90, ge=0, description="许可证不满这么多天不评年度等级")
    key_deadline_days: int = Field(default=7, ge=1)
    other_deadline_days: int = Field(default=15, ge=1)
    due_days_a: int = Field(default=365, ge=1)
    due_days_b: int = Field(default=182, ge=1)
    due_days_c: int = Field(default=121, ge=1)
    due_days_rectifying: int = Field(default=91, ge=1)
    never_inspected_due_days: int = Field(default=120, ge=0)

    @model_validator(mode="after")
    def _bands_in_order(self) -> GradingRules:
        if not self.fair_from <= self.good_from <= self.excellent_from:
            raise ValueError("fair_from、good_from、excellent_from：分数线须从低到高")
        if not self.grade_c_from <= self.grade_b_from <= self.grade_a_from:
            raise ValueError("grade_c_from、grade_b_from、grade_a_from：分数线须从低到高")
        return self


DEFAULT_RULES = GradingRules()


@dataclass(frozen=True)
class ItemResult:
    """One checklist item's verdict; `partial` is the points a failed item still earns."""

    points: int
    key: bool
    verdict: Verdict
    partial: Decimal = Decimal(0)


@dataclass(frozen=True)
class InspectionFacts:
    """What the annual grade needs to know of one inspection."""

    day: date
    score_tenths: int
    key_failures: int
    incident: bool


def half_up(value: Decimal) -> Decimal:
    return value.quantize(TENTH, rounding=ROUND_HALF_UP)


def inspection_score(results: Iterable[ItemResult]) -> Decimal:
    """100 × points obtained / points of applicable items, half-up to one decimal."""
    obtained = possible = Decimal(0)
    for r in results:
        if r.verdict == "na":
            continue
        possible += r.points
        obtained += r.points if r.verdict == "pass" else r.partial
    if possible == 0:
        raise RuleViolation("results：所有检查项都是合理缺项，无法计分")
    return half_up(100 * obtained / possible)


def key_failures(results: Iterable[ItemResult]) -> int:
    return sum(1 for r in results if r.key and r.verdict == "fail")


def dynamic_grade(
    score: Decimal, failed_keys: int, rules: GradingRules = DEFAULT_RULES
) -> DynamicGrade:
    if failed_keys >= rules.ungraded_key_failures:
        return "ungraded"
    if score >= rules.excellent_from:
        return "excellent"
    if score >= rules.good_from:
        return "good"
    if score >= rules.fair_from:
        return "fair"
    return "ungraded"


def window_start(day: date, rules: GradingRules = DEFAULT_RULES) -> date:
    """First day of the `window_days` days ending on (and including) `day`."""
    return day - timedelta(days=rules.window_days - 1)


def licence_too_new(
    licence_issued: date | None, day: date, rules: GradingRules = DEFAULT_RULES
) -> bool:
    return licence_issued is not None and (day - licence_issued).days < rules.new_licence_days


def caps_at_c(failed_keys: int, incident: bool, rules: GradingRules = DEFAULT_RULES) -> bool:
    return incident or failed_keys >= rules.ungraded_key_failures


def mean_tenths(score_tenths_sum: int, count: int) -> int:
    """Mean of scores kept in tenths, half-up: exact integer arithmetic (scores are never < 0)."""
    return (2 * score_tenths_sum + count) // (2 * count)


def window_grade(
    score_tenths_sum: int,
    count: int,
    capped: bool,
    too_new: bool,
    rules: GradingRules = DEFAULT_RULES,
) -> AnnualGrade | None:
    """The annual grade from the window's aggregates (as SQL can compute them for many canteens)."""
    if count == 0 or too_new:
        return None
    mean = Decimal(mean_tenths(score_tenths_sum, count)) / 10
    if mean >= rules.grade_a_from:
        grade: AnnualGrade = "A"
    elif mean >= rules.grade_b_from:
        grade = "B"
    elif mean >= rules.grade_c_from:
        grade = "C"
    else:
        grade = "rectifying"
    if capped and grade in ("A", "B"):
        return "C"
    return grade


def annual_grade(
    day: date,
    inspections: Iterable[InspectionFacts],
    licence_issued: date | None,
    rules: GradingRules = DEFAULT_RULES,
) -> AnnualGrade | None:
    start = window_start(day, rules)
    window = [i for i in inspections if start <= i.day <= day]
    return window_grade(
        sum(i.score_tenths for i in window),
        len(window),
        any(caps_at_c(i.key_failures, i.incident, rules) for i in window),
        licence_too_new(licence_issued, day, rules),
        rules,
    )


def finding_deadline(opened: date, key: bool, rules: GradingRules = DEFAULT_RULES) -> date:
    return opened + timedelta(days=rules.key_deadline_days if key else rules.other_deadline_days)


def finding_status(
    deadline: date, resolved_on: date | None, day: date
) -> Literal["open", "overdue", "resolved"]:
    if resolved_on is not None and resolved_on <= day:
        return "resolved"
    return "overdue" if deadline < day else "open"


@overload
def next_due(
    last_inspection: date,
    grade_after_last: AnnualGrade | None,
    licence_issued: date | None,
    rules: GradingRules = ...,
) -> date: ...
@overload
def next_due(
    last_inspection: date | None,
    grade_after_last: AnnualGrade | None,
    licence_issued: date | None,
    rules: GradingRules = ...,
) -> date | None: ...
def next_due(
    last_inspection: date | None,
    grade_after_last: AnnualGrade | None,
    licence_issued: date | None,
    rules: GradingRules = DEFAULT_RULES,
) -> date | None:
    """When the next inspection is due; None for a canteen never inspected without a licence date.

    A canteen inspected but not graded (licence under 90 days old) is treated like `rectifying`:
    nothing is known of it yet but one visit, so it gets the shortest interval.
    """
    if last_inspection is None:
        if licence_issued is None:
            return None
        return licence_issued + timedelta(days=rules.never_inspected_due_days)
    days = {"A": rules.due_days_a, "B": rules.due_days_b, "C": rules.due_days_c}.get(
        grade_after_last or "rectifying", rules.due_days_rectifying
    )
    return last_inspection + timedelta(days=days)


def ratio(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(part / whole, 4)


class YearTargets(BaseModel):
    """One year's compliance targets; a target left out does not apply that year."""

    model_config = ConfigDict(extra="forbid")

    ab_ratio: float | None = Field(default=None, ge=0, le=1)
    sunshine_ratio: float | None = Field(default=None, ge=0, le=1)
    smart_sunshine_large_medium_ratio: float | None = Field(default=None, ge=0, le=1)
    licence_valid_ratio: float | None = Field(default=None, ge=0, le=1)
    max_c_or_rectifying: int | None = Field(
        default=None, ge=0, description="C 级和整改中食堂最多几家（0 即消除 C 级）"
    )


@dataclass(frozen=True)
class CanteenStanding:
    """What the year's figures need to know of one canteen in service on the day counted."""

    annual_grade: AnnualGrade | None
    size: str
    sunshine_level: str  # the level it had at the end of that day
    license_expires: date | None
    insurance_expires: date | None


@dataclass(frozen=True)
class YearProgress:
    grades: dict[str, int]  # canteens per annual grade (GRADE_COUNTS)
    figures: dict[str, float | int | None]  # named as the targets they are measured against
    targets_met: dict[str, bool]
    on_track: bool


def grade_counts(grades: Iterable[AnnualGrade | None]) -> dict[str, int]:
    counts = dict.fromkeys(GRADE_COUNTS, 0)
    for grade in grades:
        counts[grade or "ungraded"] += 1
    return counts


def _valid_on(expires: date | None, day: date) -> bool:
    return expires is not None and expires >= day


def year_progress(
    canteens: Sequence[CanteenStanding], day: date, targets: YearTargets
) -> YearProgress:
    """The year's figures on `day` (the share of graded canteens at A or B, of sunshine
    kitchens, of smart ones among large and medium canteens, of valid licences and insurance,
    the count at C or rectifying) and which of the year's targets they reach."""
    counts = grade_counts(c.annual_grade for c in canteens)
    graded = len(canteens) - counts["ungraded"]
    large_medium = [c for c in canteens if c.size in ("large", "medium")]
    figures: dict[str, float | int | None] = {
        "ab_ratio": ratio(counts["A"] + counts["B"], graded),
        "sunshine_ratio": ratio(
            sum(c.sunshine_level in ("video", "smart") for c in canteens), len(canteens)
        ),
        "smart_sunshine_large_medium_ratio": ratio(
            sum(c.sunshine_level == "smart" for c in large_medium), len(large_medium)
        ),
        "licence_valid_ratio": ratio(
            sum(_valid_on(c.license_expires, day) for c in canteens), len(canteens)
        ),
        "insurance_valid_ratio": ratio(
            sum(_valid_on(c.insurance_expires, day) for c in canteens), len(canteens)
        ),
        "max_c_or_rectifying": sum(counts[g] for g in ATTENTION_GRADES),
    }
    met = targets_met(targets, figures)
    return YearProgress(counts, figures, met, all(met.values()))


def summary_period(year: int | None, as_of: date | None, today: date) -> tuple[int, date]:
    """The year a summary is about and the day it counts: by default today, or the last day
    of a year already over."""
    if as_of is None:
        as_of = today if year is None or year >= today.year else date(year, 12, 31)
    return year or as_of.year, as_of


def targets_for(year: int, targets: dict[int, YearTargets]) -> tuple[int | None, YearTargets]:
    """The targets in force in `year`: the latest year's set not after it (goals stay reached)."""
    years = [y for y in targets if y <= year]
    if not years:
        return None, YearTargets()
    return max(years), targets[max(years)]


def targets_met(targets: YearTargets, figures: dict[str, float | int | None]) -> dict[str, bool]:
    """Each target of the year against the measured figure; an unmeasurable ratio is not met
    (no graded canteen yet is no evidence of reaching 80%)."""
    met = {}
    for name, target in targets.model_dump(exclude_none=True).items():
        value = figures.get(name)
        if name.startswith("max_"):
            met[name] = value is not None and value <= target
        else:
            met[name] = value is not None and value >= target
    return met


def draw_plan(
    canteens: Sequence[str],
    inspectors: Sequence[str],
    last_inspectors: dict[str, set[str]],
    count: int,
    seed: int,
) -> list[tuple[str, tuple[str, str]]]:
    """The 双随机 draw: `count` canteens and a pair of inspectors for each, reproducible from
    `seed` on the same data; nobody is drawn for a canteen they inspected last time."""
    if count > len(canteens):
        raise RuleViolation(f"count：只有 {len(canteens)} 家在营食堂可抽取，不能抽 {count} 家")
    rng = random.Random(seed)
    drawn = rng.sample(sorted(canteens), count)
    plan = []
    for code in drawn:
        eligible = [i for i in sorted(inspectors) if i not in last_inspectors.get(code, set())]
        if len(eligible) < 2:
            raise RuleViolation(
                f"count：食堂 {code} 可抽派的检查员不足两人（上次检查该食堂的检查员须回避）"
            )
        first, second = rng.sample(eligible, 2)
        plan.append((code, (first, second)))
    return plan


def repeated(values: Iterable[str]) -> list[str]:
    """The values given more than once, sorted (in one pass: an inspection may send hundreds)."""
    return sorted(v for v, n in Counter(values).items() if n > 1)


def checklist_problems(
    items: Sequence[tuple[str, int, bool]],
    min_items: int = 25,
    min_key_items: int = 6,
    total_points: int = 100,
) -> list[str]:
    """What is wrong with a checklist of (code, points, key) items, each as `field：rule`."""
    problems = []
    codes = [code for code, _, _ in items]
    duplicated = repeated(codes)
    if duplicated:
        problems.append(f"item.code：检查项编号重复：{'、'.join(duplicated)}")
    if len(items) < min_items:
        problems.append(f"item：检查项至少 {min_items} 项，实际 {len(items)} 项")
    total = sum(points for _, points, _ in items)
    if total != total_points:
        problems.append(f"item.points：各项分值合计须为 {total_points}，实际为 {total}")
    keys = sum(1 for _, _, key in items if key)
    if keys < min_key_items:
        problems.append(f"item.key：关键项至少 {min_key_items} 项，实际 {keys} 项")
    return problems
