"""居民身份证 numbers, ages and age tiers, 爱心卡 numbers, PIN digests and masking."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhucan.people import rules
from zhucan.people.rules import RuleViolation


def id_number(birth: date, serial: int = 123, area: str = "330212") -> str:
    body = f"{area}{birth:%Y%m%d}{serial:03d}"
    return body + rules.id_check_char(body)


# A real-looking published example (GB 11643 appendix style): check digit X.
def test_check_digit_x_is_accepted_in_either_case():
    body = "11010519491231002"
    assert rules.id_check_char(body) == "X"
    assert rules.parse_id_number(body + "X") == date(1949, 12, 31)
    assert rules.parse_id_number(body + "x") == date(1949, 12, 31)


def test_the_standards_example_checks_but_is_born_before_anyone_enrolled():
    assert rules.id_check_char("44052418800101001") == "4"  # GB 11643's own example
    with pytest.raises(rules.RuleViolation, match="1880 早于 1900 年"):
        rules.parse_id_number("440524188001010014")
    assert rules.parse_id_number("11010519000101001X") == date(1900, 1, 1)


@pytest.mark.parametrize(
    "value, rule",
    [
        ("11010519491231002", "18 位"),  # 17 characters
        ("1101051949123100211", "18 位"),  # 19 characters
        ("11010519491231002Y", "18 位"),  # bad last character
        ("1101051949123X002X", "18 位"),  # X inside the number
        ("", "18 位"),
        ("110105194912310021", "校验位"),  # X expected, 1 given
        ("110105194902300020", "出生日期"),  # 30 February (check digit fixed below)
    ],
)
def test_malformed_numbers_say_which_rule(value, rule):
    if rule == "出生日期":
        value = value[:17] + rules.id_check_char(value[:17])
    with pytest.raises(RuleViolation, match=rule):
        rules.parse_id_number(value)


@pytest.mark.parametrize("bad_date", ["19491301", "19490001", "19490132", "20230229", "00000101"])
def test_impossible_birth_dates_are_refused(bad_date):
    body = f"110105{bad_date}002"
    with pytest.raises(RuleViolation, match="出生日期"):
        rules.parse_id_number(body + rules.id_check_char(body))


def test_leap_day_birth_date_is_valid():
    assert rules.parse_id_number(id_number(date(1948, 2, 29))) == date(1948, 2, 29)


births = st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 12, 31))


@given(births, st.integers(0, 999), st.sampled_from(["110105", "330212", "440524", "510107"]))
def test_every_generated_number_validates_and_yields_its_birth_date(birth, serial, area):
    assert rules.parse_id_number(id_number(birth, serial, area)) == birth


@given(births, st.integers(0, 999), st.integers(0, 16), st.integers(1, 9))
def test_changing_any_one_digit_breaks_the_number(birth, serial, position, delta):
    good = id_number(birth, serial)
    digit = str((int(good[position]) + delta) % 10)
    bad = good[:position] + digit + good[position + 1 :]
    with pytest.raises(RuleViolation):
        rules.parse_id_number(bad)


@given(births, st.integers(0, 999))
def test_changing_the_check_character_breaks_the_number(birth, serial):
    good = id_number(birth, serial)
    for other in set("0123456789X") - {good[17]}:
        with pytest.raises(RuleViolation, match="校验位"):
            rules.parse_id_number(good[:17] + other)


# ---------------------------------------------------------------- age and age tiers


@pytest.mark.parametrize(
    "birth, day, age",
    [
        (date(1966, 5, 10), date(2026, 5, 9), 59),  # the day before the 60th birthday
        (date(1966, 5, 10), date(2026, 5, 10), 60),  # on it
        (date(1946, 5, 10), date(2026, 5, 9), 79),
        (date(1946, 5, 10), date(2026, 5, 10), 80),
        (date(1936, 5, 10), date(2026, 5, 9), 89),
        (date(1936, 5, 10), date(2026, 5, 10), 90),
        (date(1948, 2, 29), date(2028, 2, 28), 79),  # leap-day birthday: 80 only on 1 March
        (date(1948, 2, 29), date(2028, 2, 29), 80),
    ],
)
def test_age_counts_whole_years_turning_on_the_birthday(birth, day, age):
    assert rules.age_on(birth, day) == age


@pytest.mark.parametrize(
    "age, tier",
    [
        (0, None),
        (59, None),
        (60, "age60"),
        (79, "age60"),
        (80, "age80"),
        (89, "age80"),
        (90, "age90"),
        (110, "age90"),
    ],
)
def test_age_tier_boundaries(age, tier):
    assert rules.age_tier(age) == tier


def birthday(birth: date, age: int) -> date:
    """The day someone born on `birth` turns `age`: 1 March for a 29 February birth in a common year."""
    try:
        return birth.replace(year=birth.year + age)
    except ValueError:
        return date(birth.year + age, 3, 1)


@given(births, st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_age_is_the_number_of_birthdays_passed(birth, day):
    age = rules.age_on(birth, day)
    if day >= birth:
        assert birthday(birth, age) <= day < birthday(birth, age + 1)


# ---------------------------------------------------------------- 爱心卡 numbers (Luhn)


def test_known_luhn_numbers():
    # 7992739871 → 3 is the textbook Luhn example; padded to 11 digits with a leading 0.
    assert rules.card_no_from("07992739871") == "079927398713"
    assert rules.is_valid_card_no("079927398713")
    assert not rules.is_valid_card_no("079927398714")


@pytest.mark.parametrize(
    "value",
    [
        "",
        "79927398713",
        "0799273987130",
        "07992739871a",
        " 79927398713",
        "０７９９２７３９８７１３",
    ],
)
def test_card_numbers_must_be_twelve_ascii_digits(value):
    assert not rules.is_valid_card_no(value)


@given(st.text(alphabet="0123456789", min_size=11, max_size=11))
def test_card_no_from_always_passes_the_check(payload):
    card = rules.card_no_from(payload)
    assert len(card) == 12 and card.startswith(payload)
    assert rules.is_valid_card_no(card)


@given(
    st.text(alphabet="0123456789", min_size=11, max_size=11), st.integers(0, 11), st.integers(1, 9)
)
def test_one_wrong_digit_fails_the_luhn_check(payload, position, delta):
    card = rules.card_no_from(payload)
    wrong = card[:position] + str((int(card[position]) + delta) % 10) + card[position + 1 :]
    assert not rules.is_valid_card_no(wrong)


# ---------------------------------------------------------------- PINs


def test_pin_digest_is_keyed_by_the_server_secret_and_bound_to_the_card():
    a = rules.pin_digest("secret-a", "800000000018", "123456")
    assert a == rules.pin_digest("secret-a", "800000000018", "123456")
    assert a != rules.pin_digest("secret-b", "800000000018", "123456")
    assert a != rules.pin_digest("secret-a", "800000000026", "123456")
    assert a != rules.pin_digest("secret-a", "800000000018", "123457")
    assert "123456" not in a and len(a) == 64


@pytest.mark.parametrize("pin", ["12345", "1234567", "12345a", "", "１２３４５６"])
def test_pin_must_be_six_ascii_digits(pin):
    with pytest.raises(RuleViolation, match="6 位数字"):
        rules.validate_pin(pin)


def test_id_digest_ignores_case_of_x_but_not_the_secret():
    assert rules.id_number_digest("k", "11010519491231002x") == rules.id_number_digest(
        "k", "11010519491231002X"
    )
    assert rules.id_number_digest("k", "11010519491231002X") != rules.id_number_digest(
        "other", "11010519491231002X"
    )


# ---------------------------------------------------------------- masking


@pytest.mark.parametrize(
    "name, masked",
    [
        ("张明", "张*"),
        ("张三明", "张*明"),
        ("欧阳小明", "欧**明"),
        ("司马相如凤", "司***凤"),
    ],
)
def test_names_keep_only_first_and_last_character(name, masked):
    assert rules.mask_name(name) == masked


@pytest.mark.parametrize(
    "phone, masked",
    [
        ("13812341234", "138****1234"),
        ("057487654321", "057*****4321"),
        ("0574876543", "******6543"),
        ("87654321", "****4321"),
        ("1234567", "*******"),
        ("123", "***"),
    ],
)
def test_phones_hide_at_least_four_digits(phone, masked):
    assert rules.mask_phone(phone) == masked


@given(st.text(alphabet="0123456789", min_size=1, max_size=20))
def test_a_masked_phone_never_reveals_the_whole_number(phone):
    masked = rules.mask_phone(phone)
    assert len(masked) == len(phone)
    assert masked.count("*") >= min(4, len(phone))


def test_id_number_shows_only_the_last_four():
    assert rules.mask_id_last4("002X") == "**************002X"
