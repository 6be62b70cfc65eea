"""Pure rules of the subsidy programme: policy versions, subsidy tiers and the checkout split, the
monthly issue, 敬老分 expiry (oldest first), the time bank."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from zhucan.money.rules import PointsTerms, Split, pay_rest

if TYPE_CHECKING:  # the schemas import this module's patterns and limits
    from zhucan.subsidies.schemas import Eligibility, SubsidyPolicy, SubsidyTier

# 敬老分 granted in a month are spent or expire by the first day of the month this many later.
POINTS_LIFETIME_MONTHS = 12
ELDER_STATUS_NAMES = {"active": "正常", "deceased": "已去世", "moved": "已迁出"}


# ---------------------------------------------------------------- months


# What parse_month accepts, for the OpenAPI document (which then says it without running it).
# This century only: a mistyped year is refused, not settled or paid (and 9999-12 has no next
# month to end a report at).
MONTH_PATTERN = r"^20[0-9]{2}-(0[1-9]|1[0-2])$"


def parse_month(text: str) -> date:
    """ "2026-11" → 2026-11-01; ValueError with a Chinese message otherwise."""
    match = re.fullmatch(r"(20[0-9]{2})-([0-9]{2})", text or "")
    if not match or not 1 <= int(match[2]) <= 12:
        raise ValueError(
            f"必须是 YYYY-MM 格式的月份（如 2026-11，年份在 2000–2099 之间），收到 {text!r}"
        )
    return date(int(match[1]), int(match[2]), 1)


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def add_months(day: date, months: int) -> date:
    """The first day of the month `months` after `day`'s month (negative: before)."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


# ---------------------------------------------------------------- policy versions


def effective_versions(stored: list[SubsidyPolicy]) -> list[SubsidyPolicy]:
    """The versions still in force, by effective date, from every version in the order they were
    stored: each replaces the earlier ones that would take effect on or after its own date."""
    kept: list[SubsidyPolicy] = []
    for version in stored:
        kept = [v for v in kept if v.effective_from < version.effective_from] + [version]
    return kept


def policy_on(versions: list[SubsidyPolicy], day: date) -> SubsidyPolicy:
    """The version in force on `day`; before the first one, the first one."""
    in_force = [v for v in versions if v.effective_from <= day]
    return in_force[-1] if in_force else versions[0]


def policy_change_problem(
    versions: list[SubsidyPolicy], effective_from: date, today: date
) -> tuple[int, str] | None:
    """(HTTP status, Chinese reason) when a new version from `effective_from` would rewrite what
    already happened; versions scheduled for later days are replaced, which is what PUT is for."""
    if effective_from < today:
        return 400, (
            f"effective_from：生效日期 {effective_from} 早于今天 {today}；已经发生的订单"
            "按当时的政策结算，新政策只能从今天或以后生效"
        )
    current = policy_on(versions, today)
    if effective_from <= current.effective_from:
        return 409, (
            f"effective_from：{current.effective_from} 起生效的政策今天已在执行，新版本"
            f"与它重叠，须晚于 {current.effective_from} 生效"
        )
    return None


# ---------------------------------------------------------------- subsidy tiers and checkout


def tier_applies(tier: Eligibility, categories: list[str], age: int) -> bool:
    if tier.categories:
        return any(c in categories for c in tier.categories)
    return tier.min_age is not None and age >= tier.min_age


def tier_amount(tier: SubsidyTier, bill_fen: int) -> int:
    if tier.fen is not None:
        amount = tier.fen
    elif bill_fen < tier.min_bill_fen:
        amount = 0
    else:
        amount = min(bill_fen * (tier.percent or 0) // 100, tier.cap_fen or 0)
    return min(amount, bill_fen)


def best_tier(
    policy: SubsidyPolicy, bill_fen: int, categories: list[str], age: int
) -> tuple[int, str | None]:
    """The single best tier for this bill (tiers never stack): (fen, tier name)."""
    best: tuple[int, str | None] = (0, None)
    for tier in policy.tier:
        if tier_applies(tier, categories, age):
            amount = tier_amount(tier, bill_fen)
            if amount > best[0]:
                best = (amount, tier.name)
    return best


@dataclass(frozen=True)
class Payer:
    """What the checkout needs to know about the elder at the moment of the order."""

    categories: list[str]
    age: int
    card_fen: int
    points: int
    subsidised_already: bool  # has a subsidised order for this date and slot
    in_own_district: bool


def subsidy(
    policy: SubsidyPolicy, bill_fen: int, slot: str, payer: Payer
) -> tuple[int, str | None]:
    """What the government pays of this bill: (fen, tier name). One subsidised meal per slot,
    only in the subsidised slots, and (if the policy says so) only in the elder's district."""
    if (
        slot in policy.subsidised_slots
        and not payer.subsidised_already
        and (payer.in_own_district or not policy.own_district_only)
    ):
        return best_tier(policy, bill_fen, payer.categories, payer.age)
    return 0, None


def checkout(
    policy: SubsidyPolicy,
    bill_fen: int,
    slot: str,
    payer: Payer,
    *,
    use_points: bool,
    cash_allowed: bool,
) -> Split:
    """Split a bill into subsidy, points, card and cash, in that order (docs/design.md, money rules);
    money.rules.NotCovered when cash is not allowed and the rest does not cover it."""
    subsidy_fen, tier = subsidy(policy, bill_fen, slot, payer)
    return pay_rest(
        bill_fen,
        subsidy_fen,
        tier,
        PointsTerms(value_fen=policy.points_value_fen, cap_percent=policy.points_cap_percent),
        card_held=payer.card_fen,
        points_held=payer.points,
        use_points=use_points,
        cash_allowed=cash_allowed,
    )


# ---------------------------------------------------------------- monthly issue


def issue_month_problem(start: date, today: date, first_policy_from: date) -> str | None:
    """Why the month starting `start` cannot be issued, or None. A month wholly before the first
    policy had no allowance to pay; before, a mistyped year paid every elder out."""
    if start > today:
        return f"month：{month_key(start)} 还没到，不能提前发放"
    if add_months(start, 1) <= first_policy_from:
        return (
            f"month：{month_key(start)} 早于第一版补贴政策的生效日期 {first_policy_from}，"
            "那时没有补贴可发"
        )
    return None


@dataclass(frozen=True)
class MonthlyCredit:
    card_fen: int
    points: int
    allowance: str | None  # the allowance's name, None when none fits
    grant: str | None


def monthly_credit(policy: SubsidyPolicy, categories: list[str], age: int) -> MonthlyCredit:
    """The largest allowance among the elder's categories and age, and the largest points grant
    of their age (docs/design.md, money rules: no stacking)."""
    allowance = max(
        (a for a in policy.allowance if tier_applies(a, categories, age)),
        key=lambda a: a.card_fen,
        default=None,
    )
    grant = max(
        (g for g in policy.points_grant if age >= g.min_age), key=lambda g: g.points, default=None
    )
    return MonthlyCredit(
        card_fen=allowance.card_fen if allowance else 0,
        points=grant.points if grant else 0,
        allowance=allowance.name if allowance else None,
        grant=grant.name if grant else None,
    )


# ---------------------------------------------------------------- 敬老分 expiry


@dataclass(frozen=True)
class Lot:
    """敬老分 granted in one month (the first day of that month)."""

    month: date
    points: int


def expires_on(lot: Lot) -> date:
    return add_months(lot.month, POINTS_LIFETIME_MONTHS)


def fifo_remaining(lots: list[Lot], consumed: int) -> list[int]:
    """What is left of each lot when `consumed` points (spent, or expired before) were taken from
    the oldest lots first; in the order of `lots`."""
    left = max(consumed, 0)
    remaining: dict[int, int] = {}
    for i in sorted(range(len(lots)), key=lambda i: lots[i].month):
        taken = min(left, lots[i].points)
        remaining[i] = lots[i].points - taken
        left -= taken
    return [remaining[i] for i in range(len(lots))]


def points_to_expire(lots: list[Lot], balance: int, as_of: date) -> int:
    """Points to expire on `as_of`: what is left, oldest spent first, of the lots whose lifetime
    has ended. Every point that left the balance (spending, earlier expiry) was taken from the
    oldest lot, so the consumed total is what was granted less what is left."""
    consumed = sum(lot.points for lot in lots) - balance
    left = fifo_remaining(lots, consumed)
    due = sum(r for lot, r in zip(lots, left, strict=True) if expires_on(lot) <= as_of)
    return max(0, min(due, balance))


# ---------------------------------------------------------------- time bank

MIN_SERVICE_MINUTES = 15
MAX_SERVICE_MINUTES = 8 * 60


def timebank_points(minutes: int, points_per_hour: int) -> int:
    """Points for `minutes` of service, rounded down to a whole point."""
    return minutes * points_per_hour // 60


def timebank_problem(
    helper_age: int | None, helped_age: int, helper_is_helped: bool, service_date: date, today: date
) -> tuple[str, str] | None:
    """(field, Chinese reason) when an entry breaks a rule of the time bank."""
    if helper_is_helped:
        return "helper_elder_id", "helper_elder_id：服务者与受助老人不能是同一人"
    if helper_age is not None and helper_age >= helped_age:
        return "helper_elder_id", (
            f"helper_elder_id：时间银行是低龄老人帮助高龄老人，服务者 "
            f"{helper_age} 岁，受助老人 {helped_age} 岁"
        )
    if service_date > today:
        return (
            "service_date",
            f"service_date：服务日期 {service_date} 还没到，只能登记已经完成的服务",
        )
    return None
