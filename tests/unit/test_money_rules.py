"""Paying what the subsidy leaves of a bill, and the ledger legs of that payment, as pure functions
(property tests with hypothesis); the subsidy itself and the whole checkout split:
test_subsidy_rules.py."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhucan.money import rules
from zhucan.money.rules import NotCovered, PointsTerms, pay_rest

terms = st.builds(PointsTerms, value_fen=st.integers(1, 100), cap_percent=st.integers(0, 100))
held = st.integers(0, 50_000)


@st.composite
def bills_and_subsidies(draw) -> tuple[int, int]:
    bill = draw(st.integers(0, 30_000))
    return bill, draw(st.integers(0, bill))


@given(
    bill=bills_and_subsidies(),
    terms=terms,
    card=held,
    points=held,
    use_points=st.booleans(),
)
def test_the_rest_is_paid_in_full_within_every_limit(bill, terms, card, points, use_points):
    bill_fen, subsidy_fen = bill
    split = pay_rest(
        bill_fen,
        subsidy_fen,
        None,
        terms,
        card_held=card,
        points_held=points,
        use_points=use_points,
        cash_allowed=True,
    )
    assert split.subsidy_fen + split.points_fen + split.card_fen + split.cash_fen == bill_fen
    assert min(split.points_fen, split.card_fen, split.cash_fen, split.points_used) >= 0
    assert split.points_fen == split.points_used * terms.value_fen
    assert split.points_fen <= (bill_fen - subsidy_fen) * terms.cap_percent // 100
    assert split.points_used <= points and split.card_fen <= card
    if not use_points:
        assert split.points_used == 0
    try:
        without_cash = pay_rest(
            bill_fen,
            subsidy_fen,
            None,
            terms,
            card_held=card,
            points_held=points,
            use_points=use_points,
            cash_allowed=False,
        )
    except NotCovered as exc:
        assert "cash_allowed" in str(exc) and split.cash_fen > 0
    else:
        assert without_cash == split and split.cash_fen == 0


@given(
    bill=bills_and_subsidies(),
    tier=st.sampled_from([None, "特困、低保"]),
    terms=terms,
    card=held,
    points=held,
)
def test_payment_legs_balance_and_reverse_to_nothing(bill, tier, terms, card, points):
    bill_fen, subsidy_fen = bill
    split = pay_rest(
        bill_fen,
        subsidy_fen,
        tier,
        terms,
        card_held=card,
        points_held=points,
        use_points=True,
        cash_allowed=True,
    )
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
    assert receivable == bill_fen
    # No order touches an account every other order of the city touches too.
    assert {leg.account.owner for leg in legs} <= {7, 3}


def test_the_card_pays_before_cash_and_cash_may_be_refused():
    split = pay_rest(
        1000,
        300,
        None,
        PointsTerms(value_fen=1, cap_percent=50),
        card_held=200,
        points_held=0,
        use_points=True,
        cash_allowed=True,
    )
    assert (split.points_fen, split.card_fen, split.cash_fen) == (0, 200, 500)
    with pytest.raises(NotCovered, match="还差 500 分"):
        pay_rest(
            1000,
            300,
            None,
            PointsTerms(value_fen=1, cap_percent=50),
            card_held=200,
            points_held=0,
            use_points=True,
            cash_allowed=False,
        )
