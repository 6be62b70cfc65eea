"""The checkout split and the ledger legs, as pure functions (property tests with hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhucan.money import rules
from zhucan.money.rules import NotCovered, Payer, checkout
from zhucan.money.service import default_policy

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


@given(bill=bills, slot=slots, payer=payers)
def test_payment_legs_balance_and_reverse_to_nothing(bill, slot, payer):
    split = checkout(POLICY, bill, slot, payer, use_points=True, cash_allowed=True)
    legs = rules.order_payment_legs(split, elder_id=7, canteen_id=3)
    assert rules.unbalanced_units(legs) == []
    net: dict[str, int] = {}
    for leg in legs + rules.reversal(legs):
        net[leg.account.key] = net.get(leg.account.key, 0) + leg.amount
    assert set(net.values()) <= {0}
    receivable = sum(
        rules.balance_change("credit", leg.amount)
        for leg in legs
        if leg.account.kind == "canteen_receivable"
    )
    assert receivable == bill
    # No order touches an account every other order of the city touches too.
    assert {leg.account.owner for leg in legs} <= {7, 3}


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
