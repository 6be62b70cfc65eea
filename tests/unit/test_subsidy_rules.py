"""Policy versions, subsidy tiers and the checkout split, the monthly credit, 敬老分 FIFO expiry and
the time bank as pure functions (property tests with hypothesis)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhucan.money.rules import NotCovered
from zhucan.subsidies import rules
from zhucan.subsidies.policy import default_policy
from zhucan.subsidies.rules import (
    Lot,
    Payer,
    add_months,
    checkout,
    fifo_remaining,
    points_to_expire,
)

POLICY = default_policy()
CATEGORIES = ["tekun", "dibao", "dibian", "disabled", "youfu", "other"]

payers = st.builds(
    Payer,
    categories=st.lists(st.sampled_from(CATEGORIES), max_size=3, unique=True),
    age=st.integers(60, 110),
    card_fen=st.integers(0, 50_000),
    points=st.integers(0, 50_000),
    subsidised_already=st.booleans(),
    in_own_district=st.booleans(),
)
bills = st.integers(0, 30_000)
slots = st.sampled_from(["breakfast", "lunch", "dinner"])


def _payer(**fields) -> Payer:
    return Payer(
        **(
            {
                "categories": [],
                "age": 70,
                "card_fen": 0,
                "points": 0,
                "subsidised_already": False,
                "in_own_district": True,
            }
            | fields
        )
    )


def _version(day: date, marker: int = 1):
    return POLICY.model_copy(update={"effective_from": day, "points_value_fen": marker})


def test_months():
    assert rules.parse_month("2026-02") == date(2026, 2, 1)
    assert rules.parse_month("2099-12") == date(2099, 12, 1)
    assert add_months(rules.parse_month("2099-12"), 1) == date(2100, 1, 1)  # a report's end
    for bad in ("2026-13", "2026-1", "26-01", "", "2026-00", "1900-01", "9999-12", "2100-01"):
        with pytest.raises(ValueError, match="YYYY-MM"):
            rules.parse_month(bad)
    assert add_months(date(2025, 11, 20), 2) == date(2026, 1, 1)
    assert add_months(date(2026, 1, 5), -1) == date(2025, 12, 1)


def test_a_later_version_replaces_what_was_scheduled_from_its_date_on():
    first = _version(date(2024, 1, 1))
    june = _version(date(2027, 6, 1), 2)
    march = _version(date(2027, 3, 1), 3)
    assert rules.effective_versions([first, june, march]) == [first, march]
    assert rules.effective_versions([first, march, june]) == [first, march, june]
    versions = [first, march, june]
    assert rules.policy_on(versions, date(2027, 2, 28)) is first
    assert rules.policy_on(versions, date(2027, 3, 1)) is march
    assert rules.policy_on(versions, date(2030, 1, 1)) is june
    assert rules.policy_on(versions, date(2020, 1, 1)) is first


def test_policy_changes_never_reach_into_the_past():
    versions = [_version(date(2024, 1, 1)), _version(date(2026, 11, 25))]
    today = date(2026, 11, 25)
    status, detail = rules.policy_change_problem(versions, date(2026, 11, 24), today)
    assert status == 400 and "effective_from" in detail
    status, detail = rules.policy_change_problem(versions, today, today)
    assert status == 409 and "重叠" in detail
    assert rules.policy_change_problem(versions, date(2026, 11, 26), today) is None
    assert rules.policy_change_problem(versions[:1], today, today) is None


@pytest.mark.parametrize(
    ("categories", "age", "card_fen", "points"),
    [
        (["tekun"], 70, 20000, 100),
        (["dibian"], 92, 10000, 300),  # 低边 and 90+ both give 10000: no stacking
        (["dibao", "disabled"], 85, 20000, 200),
        ([], 85, 5000, 200),
        ([], 65, 0, 100),
        (["other"], 70, 0, 100),
    ],
)
def test_monthly_credit_takes_the_largest_allowance_and_the_age_grant(
    categories, age, card_fen, points
):
    credit = rules.monthly_credit(POLICY, categories, age)
    assert (credit.card_fen, credit.points) == (card_fen, points)


months = st.integers(0, 40).map(lambda n: add_months(date(2024, 1, 1), n))
lots_strategy = st.lists(st.builds(Lot, month=months, points=st.integers(0, 500)), max_size=12)


@given(lots=lots_strategy, consumed=st.integers(-100, 8000))
def test_fifo_takes_from_the_oldest_lot_first(lots, consumed):
    left = fifo_remaining(lots, consumed)
    assert all(0 <= r <= lot.points for lot, r in zip(lots, left, strict=True))
    total = sum(lot.points for lot in lots)
    assert sum(left) == max(0, total - max(consumed, 0))
    # A lot with something taken from it means every older lot is used up.
    for i, lot in enumerate(lots):
        if left[i] < lot.points:
            assert all(left[j] == 0 for j, older in enumerate(lots) if older.month < lot.month)


@given(lots=lots_strategy, spent=st.integers(0, 8000), as_of=months)
def test_expiry_never_takes_more_than_was_granted_and_unspent(lots, spent, as_of):
    granted = sum(lot.points for lot in lots)
    balance = max(0, granted - spent)
    due = points_to_expire(lots, balance, as_of)
    assert 0 <= due <= balance
    assert due <= sum(lot.points for lot in lots if rules.expires_on(lot) <= as_of)
    # Expiring is itself consumption: running again on the same day expires nothing more.
    assert points_to_expire(lots, balance - due, as_of) == 0
    # Nothing granted within the last 12 months can expire.
    young = sum(lot.points for lot in lots if rules.expires_on(lot) > as_of)
    assert balance - due >= min(balance, young)


def test_expiry_example_oldest_spent_first():
    lots = [Lot(date(2025, 1, 1), 100), Lot(date(2025, 2, 1), 100), Lot(date(2025, 3, 1), 100)]
    # 150 spent: January is gone, half of February left.
    assert points_to_expire(lots, 150, date(2025, 12, 31)) == 0
    assert points_to_expire(lots, 150, date(2026, 1, 1)) == 0
    assert points_to_expire(lots, 150, date(2026, 2, 1)) == 50
    assert points_to_expire(lots, 150, date(2026, 3, 1)) == 150


def test_time_bank():
    assert rules.timebank_points(90, 300) == 450
    assert rules.timebank_points(20, 100) == 33
    today = date(2026, 11, 25)
    assert rules.timebank_problem(66, 85, False, today, today) is None
    assert rules.timebank_problem(None, 85, False, today, today) is None
    assert rules.timebank_problem(86, 85, False, today, today)[0] == "helper_elder_id"
    assert rules.timebank_problem(66, 66, True, today, today)[0] == "helper_elder_id"
    assert rules.timebank_problem(66, 85, False, date(2026, 11, 26), today)[0] == "service_date"


def test_which_months_may_be_issued():
    today, first = date(2026, 11, 25), date(2024, 1, 15)
    problem = rules.issue_month_problem
    assert problem(date(2026, 11, 1), today, first) is None  # this month
    assert "还没到" in problem(date(2026, 12, 1), today, first)
    assert problem(date(2024, 1, 1), today, first) is None  # the policy starts within it
    assert "2024-01-15" in problem(date(2023, 12, 1), today, first)


# ---------------------------------------------------------------- subsidy and checkout


@given(bill=bills, slot=slots, payer=payers, use_points=st.booleans())
def test_parts_add_up_and_respect_every_limit(bill, slot, payer, use_points):
    split = checkout(POLICY, bill, slot, payer, use_points=use_points, cash_allowed=True)
    parts = (split.subsidy_fen, split.points_fen, split.card_fen, split.cash_fen)
    assert sum(parts) == bill
    assert min(parts) >= 0 and split.points_used >= 0
    best = max(
        (
            rules.tier_amount(t, bill)
            for t in POLICY.tier
            if rules.tier_applies(t, payer.categories, payer.age)
        ),
        default=0,
    )
    assert split.subsidy_fen <= min(best, bill)
    if slot not in POLICY.subsidised_slots or payer.subsidised_already:
        assert split.subsidy_fen == 0
    cap = (bill - split.subsidy_fen) * POLICY.points_cap_percent // 100
    assert split.points_fen <= cap and split.points_used <= payer.points
    if not use_points:
        assert split.points_used == 0
    assert split.card_fen <= payer.card_fen


@given(bill=bills, slot=slots, payer=payers, use_points=st.booleans())
def test_without_cash_the_bill_is_covered_or_refused(bill, slot, payer, use_points):
    try:
        split = checkout(POLICY, bill, slot, payer, use_points=use_points, cash_allowed=False)
    except NotCovered as exc:
        assert "cash_allowed" in str(exc)
        with_cash = checkout(POLICY, bill, slot, payer, use_points=use_points, cash_allowed=True)
        assert with_cash.cash_fen > 0
    else:
        assert split.cash_fen == 0


@pytest.mark.parametrize(
    ("categories", "age", "bill", "subsidy", "tier"),
    [
        (["tekun"], 70, 1500, 800, "特困、低保"),
        (["dibao"], 70, 500, 500, "特困、低保"),  # never above the bill
        (["dibian"], 95, 1500, 600, "低边、失能、优抚"),  # equal tiers: the first listed wins
        (["youfu"], 70, 1500, 600, "低边、失能、优抚"),
        ([], 92, 1500, 600, "90 周岁以上"),
        ([], 85, 1500, 500, "80 周岁以上"),
        (["other"], 85, 1500, 500, "80 周岁以上"),
        ([], 65, 999, 0, None),  # 60+ only from 1000 fen
        ([], 65, 1000, 100, "60 周岁以上"),
        ([], 65, 5000, 300, "60 周岁以上"),  # 10% capped at 300
        (["tekun", "disabled"], 91, 1500, 800, "特困、低保"),  # best single tier, no stacking
    ],
)
def test_best_single_tier(categories, age, bill, subsidy, tier):
    assert rules.best_tier(POLICY, bill, categories, age) == (subsidy, tier)


def test_one_subsidy_per_slot_lunch_and_dinner_only_and_own_district_option():
    payer = _payer(categories=["dibao"])
    assert (
        checkout(POLICY, 1500, "lunch", payer, use_points=False, cash_allowed=True).subsidy_fen
        == 800
    )
    assert (
        checkout(POLICY, 1500, "breakfast", payer, use_points=False, cash_allowed=True).subsidy_fen
        == 0
    )
    again = _payer(categories=["dibao"], subsidised_already=True)
    assert (
        checkout(POLICY, 1500, "dinner", again, use_points=False, cash_allowed=True).subsidy_fen
        == 0
    )
    local_only = POLICY.model_copy(update={"own_district_only": True})
    away = _payer(categories=["dibao"], in_own_district=False)
    assert (
        checkout(local_only, 1500, "lunch", away, use_points=False, cash_allowed=True).subsidy_fen
        == 0
    )
    assert (
        checkout(POLICY, 1500, "lunch", away, use_points=False, cash_allowed=True).subsidy_fen
        == 800
    )


def test_points_pay_at_most_half_of_what_the_subsidy_leaves():
    split = checkout(
        POLICY,
        2000,
        "lunch",
        _payer(age=85, points=10_000, card_fen=10_000),
        use_points=True,
        cash_allowed=False,
    )
    assert (
        split.subsidy_fen,
        split.points_used,
        split.points_fen,
        split.card_fen,
        split.cash_fen,
    ) == (500, 750, 750, 750, 0)
    worth_two = POLICY.model_copy(update={"points_value_fen": 2})
    split = checkout(
        worth_two, 2001, "breakfast", _payer(points=10_000), use_points=True, cash_allowed=True
    )
    assert (split.points_used, split.points_fen, split.cash_fen) == (500, 1000, 1001)


def test_shipped_policy_file_is_the_design_default():
    assert POLICY.points_cap_percent == 50 and POLICY.points_value_fen == 1
    assert POLICY.subsidised_slots == ["lunch", "dinner"]
