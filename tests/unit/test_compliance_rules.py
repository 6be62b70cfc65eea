"""The grading rules of docs/design.md, edge by edge."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhucan.compliance import rules
from zhucan.compliance.rules import InspectionFacts, ItemResult

D = date(2026, 6, 30)
OLD_LICENCE = date(2020, 1, 1)


def results(obtained: int, possible: int = 2000) -> list[ItemResult]:
    """Two items whose score is 100 × obtained / possible (partial points on the failed one)."""
    return [
        ItemResult(points=possible - 100, key=False, verdict="pass"),
        ItemResult(
            points=100, key=False, verdict="fail", partial=Decimal(obtained - (possible - 100))
        ),
    ]


def facts(day: date, score: str, key_failures: int = 0, incident: bool = False):
    return InspectionFacts(
        day=day, score_tenths=int(Decimal(score) * 10), key_failures=key_failures, incident=incident
    )


# ---------------------------------------------------------------- score


def test_all_pass_scores_100():
    assert (
        rules.inspection_score([ItemResult(5, True, "pass"), ItemResult(3, False, "pass")]) == 100
    )


def test_na_items_leave_both_sums():
    scored = [
        ItemResult(10, False, "pass"),
        ItemResult(10, False, "fail"),
        ItemResult(80, False, "na"),
    ]
    assert rules.inspection_score(scored) == Decimal("50.0")


def test_failed_item_earns_its_partial_points():
    scored = [ItemResult(6, False, "pass"), ItemResult(4, False, "fail", Decimal(2))]
    assert rules.inspection_score(scored) == Decimal("80.0")


def test_only_na_cannot_be_scored():
    with pytest.raises(rules.RuleViolation, match="results"):
        rules.inspection_score([ItemResult(5, False, "na")])


@pytest.mark.parametrize(
    ("obtained", "reported"),
    [
        (1797, "89.9"),  # 89.85: half-up (banker's rounding would give 89.8)
        (1799, "90.0"),  # 89.95
        (1333, "66.7"),  # 66.65
        (1199, "60.0"),  # 59.95
        (1198, "59.9"),
    ],
)
def test_score_rounds_half_up_to_one_decimal(obtained, reported):
    assert rules.inspection_score(results(obtained)) == Decimal(reported)


def test_bands_apply_to_the_reported_score():
    score = rules.inspection_score(results(1799))  # 89.95 reported as 90.0
    assert rules.dynamic_grade(score, 0) == "excellent"
    assert rules.dynamic_grade(rules.inspection_score(results(1199)), 0) == "fair"  # 59.95


def test_key_failures_count_only_failed_key_items():
    scored = [
        ItemResult(5, True, "fail"),
        ItemResult(5, True, "na"),
        ItemResult(5, True, "pass"),
        ItemResult(5, False, "fail"),
    ]
    assert rules.key_failures(scored) == 1


# ---------------------------------------------------------------- dynamic grade


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        ("100", "excellent"),
        ("90", "excellent"),
        ("89.9", "good"),
        ("75", "good"),
        ("74.9", "fair"),
        ("60", "fair"),
        ("59.9", "ungraded"),
        ("0", "ungraded"),
    ],
)
def test_dynamic_grade_band_edges(score, grade):
    assert rules.dynamic_grade(Decimal(score), 0) == grade


def test_one_key_failure_keeps_the_band():
    assert rules.dynamic_grade(Decimal("95"), 1) == "excellent"


@pytest.mark.parametrize("failed", [2, 3])
def test_two_or_more_key_failures_are_ungraded_whatever_the_score(failed):
    assert rules.dynamic_grade(Decimal("100"), failed) == "ungraded"


# ---------------------------------------------------------------- annual grade


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        ("100", "A"),
        ("90", "A"),
        ("89.9", "B"),
        ("75", "B"),
        ("74.9", "C"),
        ("60", "C"),
        ("59.9", "rectifying"),
        ("0", "rectifying"),
    ],
)
def test_annual_grade_band_edges(score, grade):
    assert rules.annual_grade(D, [facts(D, score)], OLD_LICENCE) == grade


def test_annual_grade_is_the_half_up_mean_of_the_window():
    # (89.9 + 90.0) / 2 = 89.95 → 90.0 → A
    assert (
        rules.annual_grade(
            D, [facts(D, "89.9"), facts(D - timedelta(days=10), "90.0")], OLD_LICENCE
        )
        == "A"
    )
    # (89.9 + 89.9 + 90.0) / 3 = 89.933 → 89.9 → B
    assert (
        rules.annual_grade(D, [facts(D, "89.9"), facts(D, "89.9"), facts(D, "90")], OLD_LICENCE)
        == "B"
    )


def test_window_is_the_365_days_ending_on_the_day():
    inside = facts(D - timedelta(days=364), "95")
    outside = facts(D - timedelta(days=365), "40")
    assert rules.annual_grade(D, [inside, outside], OLD_LICENCE) == "A"
    assert rules.annual_grade(D, [outside], OLD_LICENCE) is None
    later = facts(D + timedelta(days=1), "40")
    assert rules.annual_grade(D, [inside, later], OLD_LICENCE) == "A"


def test_no_inspection_in_the_window_is_not_graded():
    assert rules.annual_grade(D, [], OLD_LICENCE) is None


def test_licence_under_90_days_old_is_not_graded():
    inspected = [facts(D, "95")]
    assert rules.annual_grade(D, inspected, D - timedelta(days=89)) is None
    assert rules.annual_grade(D, inspected, D - timedelta(days=90)) == "A"


def test_no_licence_date_is_graded_on_inspections_alone():
    assert rules.annual_grade(D, [facts(D, "80")], None) == "B"


def test_an_incident_caps_the_grade_at_c():
    assert rules.annual_grade(D, [facts(D, "98", incident=True)], OLD_LICENCE) == "C"
    assert (
        rules.annual_grade(
            D, [facts(D, "98"), facts(D - timedelta(days=100), "96", incident=True)], OLD_LICENCE
        )
        == "C"
    )


def test_two_key_failures_anywhere_in_the_window_cap_at_c():
    window = [facts(D, "97"), facts(D - timedelta(days=200), "92", key_failures=2)]
    assert rules.annual_grade(D, window, OLD_LICENCE) == "C"
    one = [facts(D, "97"), facts(D - timedelta(days=200), "92", key_failures=1)]
    assert rules.annual_grade(D, one, OLD_LICENCE) == "A"


def test_the_cap_never_lifts_a_rectifying_canteen():
    assert rules.annual_grade(D, [facts(D, "50", incident=True)], OLD_LICENCE) == "rectifying"


def test_a_cap_outside_the_window_no_longer_counts():
    window = [facts(D, "97"), facts(D - timedelta(days=365), "92", incident=True)]
    assert rules.annual_grade(D, window, OLD_LICENCE) == "A"


def test_re_inspections_count_like_any_inspection():
    first, recheck = facts(D - timedelta(days=20), "70"), facts(D, "90")
    assert rules.annual_grade(D, [first, recheck], OLD_LICENCE) == "B"  # mean 80


def test_window_grade_matches_annual_grade_on_aggregates():
    assert rules.window_grade(1799, 2, False, False) == "A"
    assert rules.window_grade(0, 0, False, False) is None
    assert rules.window_grade(950, 1, False, True) is None
    assert rules.window_grade(950, 1, True, False) == "C"


# ---------------------------------------------------------------- findings, due dates


def test_finding_deadlines_are_7_days_for_key_items_and_15_for_others():
    assert rules.finding_deadline(D, True) == D + timedelta(days=7)
    assert rules.finding_deadline(D, False) == D + timedelta(days=15)


def test_finding_status():
    deadline = D + timedelta(days=7)
    assert rules.finding_status(deadline, None, deadline) == "open"
    assert rules.finding_status(deadline, None, deadline + timedelta(days=1)) == "overdue"
    assert (
        rules.finding_status(deadline, D + timedelta(days=3), deadline + timedelta(days=9))
        == "resolved"
    )
    # resolved later than the day asked about: it was still open (or overdue) then
    assert (
        rules.finding_status(deadline, D + timedelta(days=30), D + timedelta(days=8)) == "overdue"
    )


@pytest.mark.parametrize(
    ("grade", "days"), [("A", 365), ("B", 182), ("C", 121), ("rectifying", 91), (None, 91)]
)
def test_next_inspection_due_by_grade(grade, days):
    assert rules.next_due(D, grade, OLD_LICENCE) == D + timedelta(days=days)


def test_never_inspected_is_due_120_days_after_the_licence():
    assert rules.next_due(None, None, D) == D + timedelta(days=120)
    assert rules.next_due(None, None, None) is None


# ---------------------------------------------------------------- targets, ratios


def test_targets_carry_forward_to_later_years():
    targets = {
        2024: rules.YearTargets(ab_ratio=0.7),
        2027: rules.YearTargets(max_c_or_rectifying=0),
    }
    assert rules.targets_for(2023, targets) == (None, rules.YearTargets())
    assert rules.targets_for(2026, targets)[0] == 2024
    assert rules.targets_for(2030, targets)[0] == 2027


def test_targets_met():
    targets = rules.YearTargets(ab_ratio=0.8, max_c_or_rectifying=0)
    assert rules.targets_met(targets, {"ab_ratio": 0.8, "max_c_or_rectifying": 0}) == {
        "ab_ratio": True,
        "max_c_or_rectifying": True,
    }
    assert rules.targets_met(targets, {"ab_ratio": 0.7999, "max_c_or_rectifying": 1}) == {
        "ab_ratio": False,
        "max_c_or_rectifying": False,
    }
    assert (
        rules.targets_met(targets, {"ab_ratio": None, "max_c_or_rectifying": 0})["ab_ratio"]
        is False
    )


def test_ratio():
    assert rules.ratio(2, 3) == 0.6667
    assert rules.ratio(0, 0) is None


# ---------------------------------------------------------------- 双随机 draw


CANTEENS = [f"K{i:02d}" for i in range(10)]
INSPECTORS = ["ann", "bob", "cai", "dai", "eve"]


def test_draw_is_reproducible_from_the_seed():
    a = rules.draw_plan(CANTEENS, INSPECTORS, {}, 4, seed=42)
    assert a == rules.draw_plan(list(reversed(CANTEENS)), INSPECTORS, {}, 4, seed=42)
    assert len({c for c, _ in a}) == 4
    assert all(p[0] != p[1] for _, p in a)
    assert any(rules.draw_plan(CANTEENS, INSPECTORS, {}, 4, seed=s) != a for s in range(5))


@given(st.integers(min_value=0, max_value=2**32))
def test_nobody_inspects_a_canteen_they_inspected_last_time(seed):
    last = {c: {"ann", "bob", "cai"} for c in CANTEENS}
    for _, pair in rules.draw_plan(CANTEENS, INSPECTORS, last, 10, seed):
        assert set(pair) == {"dai", "eve"}


def test_draw_refuses_when_too_few_inspectors_are_eligible():
    with pytest.raises(rules.RuleViolation, match="不足两人"):
        rules.draw_plan(["K1"], INSPECTORS, {"K1": {"ann", "bob", "cai", "dai"}}, 1, 1)
    with pytest.raises(rules.RuleViolation, match="count"):
        rules.draw_plan(["K1"], INSPECTORS, {}, 2, 1)


# ---------------------------------------------------------------- checklist


def test_checklist_problems_name_the_field():
    items = [(f"A{i:02d}", 4, i < 6) for i in range(25)]
    assert rules.checklist_problems(items) == []
    bad = [*items[:-1], ("A00", 3, False)]
    problems = rules.checklist_problems(bad)
    assert "item.code：检查项编号重复：A00" in problems
    assert "item.points：各项分值合计须为 100，实际为 99" in problems
    assert rules.checklist_problems([(c, p, False) for c, p, _ in items]) == [
        "item.key：关键项至少 6 项，实际 0 项"
    ]


# ---------------------------------------------------------------- properties

scores = st.decimals(min_value=0, max_value=100, places=1)


@given(scores, st.integers(min_value=0, max_value=1))
def test_dynamic_bands_property(score, failed_keys):
    grade = rules.dynamic_grade(score, failed_keys)
    expected = (
        "excellent"
        if score >= 90
        else "good"
        if score >= 75
        else "fair"
        if score >= 60
        else "ungraded"
    )
    assert grade == expected


@given(scores, st.integers(min_value=2, max_value=10))
def test_two_key_failures_always_ungraded_property(score, failed_keys):
    assert rules.dynamic_grade(score, failed_keys) == "ungraded"


@given(scores, scores)
def test_dynamic_grade_is_monotone_in_the_score(a, b):
    order = ["ungraded", "fair", "good", "excellent"]
    low, high = sorted([a, b])
    assert order.index(rules.dynamic_grade(low, 0)) <= order.index(rules.dynamic_grade(high, 0))


@given(st.lists(scores, min_size=1, max_size=8), st.booleans())
def test_annual_bands_property(window_scores, incident):
    window = [
        facts(D - timedelta(days=i * 30), str(s), incident=incident and i == 0)
        for i, s in enumerate(window_scores)
    ]
    mean = (sum(window_scores) / len(window_scores)).quantize(
        Decimal("0.1"), rounding="ROUND_HALF_UP"
    )
    expected = "A" if mean >= 90 else "B" if mean >= 75 else "C" if mean >= 60 else "rectifying"
    if incident and expected in ("A", "B"):
        expected = "C"
    assert rules.annual_grade(D, window, OLD_LICENCE) == expected


@given(
    st.lists(
        st.tuples(st.integers(1, 10), st.sampled_from(["pass", "fail", "na"])),
        min_size=1,
        max_size=30,
    )
)
def test_score_stays_within_0_and_100(items):
    scored = [ItemResult(points, False, verdict) for points, verdict in items]
    if all(v == "na" for _, v in items):
        return
    score = rules.inspection_score(scored)
    assert 0 <= score <= 100
    assert score == score.quantize(Decimal("0.1"))


def test_grading_numbers_must_rise_band_by_band():
    with pytest.raises(ValueError, match="分数线须从低到高"):
        rules.GradingRules(good_from=Decimal(95))


def test_repeated_values_are_named_once_each_in_order():
    assert rules.repeated(["B", "A", "B", "C", "A", "B"]) == ["A", "B"]
    assert rules.repeated(["A", "B"]) == []


# ---------------------------------------------------------------- the year's figures


def standing(grade, size="small", sunshine="none", licence=None, insurance=None):
    return rules.CanteenStanding(
        annual_grade=grade,
        size=size,
        sunshine_level=sunshine,
        license_expires=licence,
        insurance_expires=insurance,
    )


def test_summary_period_defaults_to_today_or_the_end_of_a_past_year():
    today = date(2026, 11, 23)
    assert rules.summary_period(None, None, today) == (2026, today)
    assert rules.summary_period(2026, None, today) == (2026, today)
    assert rules.summary_period(2027, None, today) == (2027, today)
    assert rules.summary_period(2025, None, today) == (2025, date(2025, 12, 31))
    assert rules.summary_period(None, date(2024, 3, 1), today) == (2024, date(2024, 3, 1))
    assert rules.summary_period(2025, date(2024, 3, 1), today) == (2025, date(2024, 3, 1))


def test_grade_counts_name_every_grade_and_the_ungraded():
    assert rules.grade_counts(["A", "A", None, "rectifying"]) == {
        "A": 2,
        "B": 0,
        "C": 0,
        "rectifying": 1,
        "ungraded": 1,
    }


def test_year_progress_figures():
    later = D + timedelta(days=1)
    canteens = [
        standing("A", "large", "smart", licence=later, insurance=D),
        standing("B", "medium", "video", licence=D, insurance=D - timedelta(days=1)),
        standing("C", "small", "transparent", licence=D - timedelta(days=1)),
        standing(None, "large", "none", licence=None, insurance=later),
    ]
    progress = rules.year_progress(canteens, D, rules.YearTargets())
    assert progress.grades == {"A": 1, "B": 1, "C": 1, "rectifying": 0, "ungraded": 1}
    assert progress.figures == {
        "ab_ratio": 0.6667,  # 2 of the 3 graded; the ungraded one is left out
        "sunshine_ratio": 0.5,  # video and smart, of all 4
        "smart_sunshine_large_medium_ratio": 0.3333,  # 1 of the 3 large or medium
        "licence_valid_ratio": 0.5,  # valid through the day counted
        "insurance_valid_ratio": 0.5,
        "max_c_or_rectifying": 1,
    }
    assert progress.targets_met == {}
    assert progress.on_track  # no target that year: nothing missed


def test_year_progress_against_the_targets():
    canteens = [standing("A", sunshine="video"), standing("B"), standing("rectifying")]
    targets = rules.YearTargets(ab_ratio=0.6, sunshine_ratio=0.5, max_c_or_rectifying=0)
    progress = rules.year_progress(canteens, D, targets)
    assert progress.figures["ab_ratio"] == 0.6667
    assert progress.figures["sunshine_ratio"] == 0.3333
    assert progress.figures["max_c_or_rectifying"] == 1
    assert progress.targets_met == {
        "ab_ratio": True,
        "sunshine_ratio": False,
        "max_c_or_rectifying": False,
    }
    assert not progress.on_track
    cleared = rules.year_progress(
        [standing("A", sunshine="smart"), standing("B", sunshine="video")], D, targets
    )
    assert cleared.figures["ab_ratio"] == 1.0
    assert cleared.targets_met == {
        "ab_ratio": True,
        "sunshine_ratio": True,
        "max_c_or_rectifying": True,
    }
    assert cleared.on_track


def test_year_progress_of_no_canteen_measures_nothing_and_misses_its_ratio_targets():
    progress = rules.year_progress([], D, rules.YearTargets(ab_ratio=0.8, max_c_or_rectifying=0))
    assert progress.figures["ab_ratio"] is None
    assert progress.figures["sunshine_ratio"] is None
    assert progress.targets_met == {"ab_ratio": False, "max_c_or_rectifying": True}
    assert not progress.on_track


@given(st.lists(st.sampled_from([*rules.GRADE_COUNTS[:-1], None]), max_size=30))
def test_grade_counts_add_up_and_ab_ratio_stays_within_0_and_1(grades):
    progress = rules.year_progress([standing(g) for g in grades], D, rules.YearTargets())
    assert sum(progress.grades.values()) == len(grades)
    ab = progress.figures["ab_ratio"]
    assert ab is None or 0 <= ab <= 1
    assert (ab is None) == all(g is None for g in grades)
