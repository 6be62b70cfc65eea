"""Full id numbers and phone numbers never survive redaction, in text or in log records."""

import logging
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from zhucan.people.rules import card_no_from, id_check_char
from zhucan.privacy import install_log_redaction, redact, redact_value

id_numbers = st.builds(
    lambda region, birth, serial: (
        (body := f"{region:06d}{birth:%Y%m%d}{serial:03d}") + id_check_char(body)
    ),
    st.integers(110000, 659999),
    st.dates(date(1900, 1, 1), date(1966, 12, 31)),
    st.integers(0, 999),
)
mobiles = st.builds(
    lambda second, rest: f"1{second}{rest:09d}",
    st.sampled_from("3456789"),
    st.integers(0, 10**9 - 1),
)
around = st.text(alphabet="老人电话身份证号：,; =abc-", max_size=8)


@given(id_numbers, mobiles, around, around)
def test_no_full_number_survives(id_number, phone, before, after):
    text = redact(f"{before}{id_number}{after} {before}{phone}{after}")
    assert id_number not in text and phone not in text
    assert id_number[-4:] in text and phone[-4:] in text  # still recognisable by staff


def test_written_forms_and_full_width_digits_are_masked():
    assert redact("电话 138-1234-5678，138 1234 5678") == "电话 138****5678，138****5678"
    assert redact("１３８１２３４５６７８") == "１３８****５６７８"
    assert redact("11010519490101123x") == "**************123x"
    assert redact("座机 0571-88881234") == "座机 *********1234"


def test_card_numbers_dates_and_timestamps_are_left_alone():
    card = card_no_from("81234567890")
    text = f"card {card} at 2026-11-25T10:02:32.909120+08:00 epoch 1732550000 order 42"
    assert redact(text) == text


def test_nested_details_are_masked():
    assert redact_value({"note": "找 13812345678", "list": ["110105194901011234", 3]}) == {
        "note": "找 138****5678",
        "list": ["**************1234", 3],
    }


def test_log_records_are_masked_at_creation(caplog):
    install_log_redaction()
    log = logging.getLogger("zhucan.test")
    with caplog.at_level(logging.DEBUG):
        log.debug("elder %s phone %s", "110105194901011234", 13812345678)
        # uvicorn's access formatter unpacks record.args: its shape must survive.
        log.info(
            '%s - "%s %s HTTP/%s" %d',
            "10.0.0.1:5000",
            "GET",
            "/api/v1/elders?q=13812345678",
            "1.1",
            200,
        )
        try:
            raise ValueError("身份证号 110105194901011234 重复")
        except ValueError:
            log.exception("failed for %s", "13812345678")
    assert "110105194901011234" not in caplog.text and "13812345678" not in caplog.text
    assert "**************1234" in caplog.text and "138****5678" in caplog.text
    access = caplog.records[1]
    assert access.args == ("10.0.0.1:5000", "GET", "/api/v1/elders?q=138****5678", "1.1", 200)
