"""How long a client waits after too many failed PINs or passwords."""

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from zhucan.attempts.rules import PASSWORD_PER_ACCOUNT, PIN_PER_CLIENT, refusal, retry_after

NOW = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)


def test_fewer_failures_than_the_limit_are_allowed():
    failures = [NOW - timedelta(seconds=i) for i in range(PIN_PER_CLIENT.max_failures - 1)]
    assert retry_after(failures, PIN_PER_CLIENT, NOW) is None


def test_a_burst_waits_until_its_oldest_failure_leaves_the_window():
    failures = [NOW - timedelta(seconds=i) for i in range(PIN_PER_CLIENT.max_failures)]
    wait = retry_after(failures, PIN_PER_CLIENT, NOW)
    assert wait == 600 - (PIN_PER_CLIENT.max_failures - 1)


@given(st.lists(st.integers(0, 899), min_size=10, max_size=40))
def test_after_waiting_fewer_than_the_limit_remain_in_the_window(ages):
    limit = PASSWORD_PER_ACCOUNT
    failures = sorted((NOW - timedelta(seconds=a) for a in ages), reverse=True)
    wait = retry_after(failures[: limit.max_failures], limit, NOW)
    assert wait is not None and wait >= 1
    later = NOW + timedelta(seconds=wait)
    assert sum(1 for f in failures if f > later - limit.window) < limit.max_failures
    just_before = NOW + timedelta(seconds=wait - 1)
    if wait > 1:
        assert sum(1 for f in failures if f > just_before - limit.window) >= limit.max_failures


def test_refusals_say_what_was_guessed_and_how_long_to_wait():
    assert refusal(PIN_PER_CLIENT, 61) == (
        "本终端 10 分钟内输错爱心卡密码已达 30 次，为防止猜测已暂停受理，请 2 分钟后再试"
    )
    assert refusal(PASSWORD_PER_ACCOUNT, 900).startswith(
        "该账号在本终端 15 分钟内输错登录密码已达 10 次"
    )
