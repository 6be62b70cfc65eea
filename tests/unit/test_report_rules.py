from datetime import UTC, date, datetime

from hypothesis import given
from hypothesis import strategies as st

from zhucan.reports import rules

AT = datetime(2026, 11, 2, 3, 0, tzinfo=UTC)


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_yuan_is_the_fen_exactly(fen):
    text = rules.yuan(fen)
    whole, cents = text.lstrip("-").split(".")
    assert (-1 if text.startswith("-") else 1) * (int(whole) * 100 + int(cents)) == fen


def test_the_government_owes_the_subsidy_and_what_the_points_were_worth():
    assert rules.government_fen({"subsidy_fen": 300, "points_fen": 120, "card_fen": 999}) == 420


def test_a_year_is_on_track_only_with_both_targets_met():
    assert rules.on_track(0.8, 1000, 0.8, 1000)
    assert not rules.on_track(0.8, 1000, 0.79, 5000)
    assert not rules.on_track(0.8, 1000, 1.0, 999)
    assert not rules.on_track(0.8, 1000, None, 5000)  # no community to cover


def _entry(transfer, kind, amount, transfer_kind="order_payment", key="order:7", note=""):
    return {
        "transfer": transfer,
        "kind": kind,
        "amount": amount,
        "transfer_kind": transfer_kind,
        "key": key,
        "note": note,
        "at": AT,
    }


def test_a_statement_has_one_line_per_transfer_with_the_balances_after_it():
    lines = rules.statement_lines(
        5000,
        300,
        [
            _entry(1, "elder_card", -800, "card_topup", "topup:1"),  # credit side: +800
            _entry(2, "elder_card", 1200),  # an order paid by card and points
            _entry(2, "elder_points", 100),
        ],
    )
    assert [(x.transfer_id, x.card_fen, x.points) for x in lines] == [(1, 800, 0), (2, -1200, -100)]
    assert [(x.card_balance_fen, x.points_balance) for x in lines] == [(5800, 300), (4600, 200)]
    assert lines[0].reason == "爱心卡充值"
    assert lines[1].reason == "订餐支付（订单 7）"


def test_an_empty_period_has_no_lines():
    assert rules.statement_lines(5000, 300, []) == []


def test_a_regular_who_stops_eating_is_flagged_until_visited():
    today = date(2026, 11, 20)
    facts = rules.MealFacts(
        usual_meals=rules.USUAL_MEALS,
        last_meal=date(2026, 11, 16),
        last_not_home=None,
        last_visit=None,
    )
    (signal,) = rules.welfare_signals(facts, today)
    assert (signal.kind, signal.since) == ("no_meal", date(2026, 11, 17))
    visited = rules.MealFacts(**{**facts.__dict__, "last_visit": date(2026, 11, 18)})
    assert rules.welfare_signals(visited, today) == []


def test_text_a_spreadsheet_would_run_gets_an_apostrophe_and_nothing_else_changes():
    from zhucan.reports.rules import as_text

    for formula in ("=1+1", "+1", "-1+2", "@SUM(A1)", "\tx", "\rx"):
        assert as_text(formula) == "'" + formula
    for kept in ("幸福里老年食堂", "C1", "", -5, 12.5, None, "a=b"):
        assert as_text(kept) == kept
