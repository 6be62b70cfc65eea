from datetime import date, time

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


def test_diet_clash_names_the_dish_and_the_reason():
    assert rules.diet_clash("白粥", ["soft"], [], ["soft", "low_salt"], []) is None
    assert rules.diet_clash("红烧肉", ["soft", "low_salt"], [], ["soft"], []) == "红烧肉（不符合低盐要求）"
    assert rules.diet_clash("虾仁", [], ["海鲜"], [], ["海鲜", "蛋"]) == "虾仁（含过敏原海鲜）"


def test_menu_changes_keep_what_was_sold():
    assert rules.removal_problem("A", 0) is None
    assert "已售出 2 份" in rules.removal_problem("A", 2)
    assert rules.quota_problem("A", None, 5) is None
    assert "不能小于 5" in rules.quota_problem("A", 4, 5)
