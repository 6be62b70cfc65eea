from datetime import date, time

from hypothesis import given
from hypothesis import strategies as st

from zhucan.menus import rules


def test_weekly_template_covers_today_through_next_sunday():
    wednesday = date(2026, 11, 25)
    days = rules.template_dates(wednesday)
    assert days[0] == wednesday and days[-1] == date(2026, 12, 6)
    assert days[-1].weekday() == 6 and len(days) == 12
    sunday = date(2026, 11, 29)
    assert rules.template_dates(sunday)[-1] == date(2026, 12, 6)


def test_open_slots_follow_the_clock_today_only():
    today = date(2026, 11, 25)
    assert rules.open_slots(today, today, time(8, 0)) == ["breakfast", "lunch", "dinner"]
    assert rules.open_slots(today, today, time(12, 0)) == ["lunch", "dinner"]
    assert rules.open_slots(today, today, time(21, 0)) == []
    assert rules.open_slots(date(2026, 11, 26), today, time(21, 0)) == list(rules.SLOTS)


def test_a_slot_served_today_closes_when_its_serving_ends():
    today = date(2026, 11, 25)
    assert rules.closed_slot_problem(today, "lunch", today, time(13, 59)) is None
    assert rules.closed_slot_problem(today, "lunch", today, time(14, 0)) == (
        "slot：今天的午餐已于 14:00 结束供应，不能再点；请点之后的餐次或改日"
    )
    assert rules.closed_slot_problem(today, "breakfast", today, time(18, 30)).startswith(
        "slot：今天的早餐已于 09:30 结束供应"
    )
    assert rules.closed_slot_problem(date(2026, 11, 26), "breakfast", today, time(23, 59)) is None


@given(st.sampled_from(rules.SLOTS), st.times(), st.integers(min_value=0, max_value=30))
def test_a_slot_can_be_ordered_exactly_while_it_is_open(slot, now, days_ahead):
    today = date(2026, 11, 25)
    day = date.fromordinal(today.toordinal() + days_ahead)
    problem = rules.closed_slot_problem(day, slot, today, now)
    assert (problem is None) == (days_ahead > 0 or now < rules.SLOT_ENDS[slot])
    assert (problem is None) == (slot in rules.open_slots(day, today, now))


def test_diet_clash_names_the_dish_and_the_reason():
    assert rules.diet_clash("白粥", ["soft"], [], ["soft", "low_salt"], []) is None
    assert (
        rules.diet_clash("红烧肉", ["soft", "low_salt"], [], ["soft"], [])
        == "红烧肉（不符合低盐要求）"
    )
    assert rules.diet_clash("虾仁", [], ["海鲜"], [], ["海鲜", "蛋"]) == "虾仁（含过敏原海鲜）"


def test_menu_changes_keep_what_was_sold():
    assert rules.removal_problem("A", 0, ordered=False) is None
    assert "已售出 2 份" in rules.removal_problem("A", 2, ordered=True)
    assert "已取消的也算" in rules.removal_problem("A", 0, ordered=True)
    assert rules.quota_problem("A", None, 5) is None
    assert "不能小于 5" in rules.quota_problem("A", 4, 5)
