"""Failed PINs and passwords are limited per client address in the shared database; successful
traffic from a busy counter terminal is never throttled."""

from datetime import timedelta

import pytest

from tests.problems import assert_problem
from zhucan.attempts import service as attempts
from zhucan.attempts.rules import (
    KEEP_FOR,
    PASSWORD_PER_ACCOUNT,
    PASSWORD_PER_CLIENT,
    PIN_PER_CLIENT,
)
from zhucan.attempts.tables import FailedAttempt
from zhucan.clock import now_utc
from zhucan.errors import NotAuthenticated
from zhucan.people.rules import card_no_from
from zhucan.people.service import authenticate, verify_card_pin

COUNTER = "10.1.2.3"
PIN = "246810"


def later(monkeypatch, delta: timedelta) -> None:
    """Move the limiter's clock forward (the app shares this process, so it sees it too)."""
    moved = now_utc() + delta
    monkeypatch.setattr(attempts, "now_utc", lambda: moved)


def unknown_card(i: int) -> str:
    return card_no_from(f"9{i:010d}")


async def fail_pins(settings, count: int, client: str = COUNTER) -> None:
    for i in range(count):
        with pytest.raises(NotAuthenticated):
            await verify_card_pin(unknown_card(i), "000000", settings, client=client)


async def test_a_busy_counter_is_never_throttled_by_its_successes(db, factory):
    elder = await factory.elder()
    settings = db.settings()
    for _ in range(3 * PIN_PER_CLIENT.max_failures):
        assert (
            await verify_card_pin(elder["card_no"], PIN, settings, client=COUNTER)
            == elder["elder_id"]
        )
    # Mistypes at the counter, well under the limit, do not stop the queue either.
    await fail_pins(settings, PIN_PER_CLIENT.max_failures - 1)
    assert await verify_card_pin(elder["card_no"], PIN, settings, client=COUNTER)
    assert await FailedAttempt.count() == PIN_PER_CLIENT.max_failures - 1


async def test_too_many_wrong_pins_from_one_address_get_429_until_the_window_passes(
    db, factory, monkeypatch
):
    elder = await factory.elder()
    settings = db.settings()
    await fail_pins(settings, PIN_PER_CLIENT.max_failures)
    with pytest.raises(attempts.TooManyFailures) as refused:
        # Even the right PIN: a guesser over the limit must not learn that a guess was right.
        await verify_card_pin(elder["card_no"], PIN, settings, client=COUNTER)
    assert refused.value.status_code == 429
    assert "爱心卡密码" in refused.value.detail and "分钟后再试" in refused.value.detail
    assert 590 <= int(refused.value.headers["Retry-After"]) <= 600
    # Other terminals, and callers without an address, are not affected.
    assert await verify_card_pin(elder["card_no"], PIN, settings, client="10.9.9.9")
    assert await verify_card_pin(elder["card_no"], PIN, settings)
    later(monkeypatch, PIN_PER_CLIENT.window)
    assert await verify_card_pin(elder["card_no"], PIN, settings, client=COUNTER)


async def test_blocked_attempts_do_not_extend_the_wait(db, factory, monkeypatch):
    settings = db.settings()
    await fail_pins(settings, PIN_PER_CLIENT.max_failures)
    for _ in range(5):
        with pytest.raises(attempts.TooManyFailures):
            await verify_card_pin(unknown_card(1), "000000", settings, client=COUNTER)
    assert await FailedAttempt.count() == PIN_PER_CLIENT.max_failures
    later(monkeypatch, PIN_PER_CLIENT.window)
    with pytest.raises(NotAuthenticated):
        await verify_card_pin(unknown_card(1), "000000", settings, client=COUNTER)


async def test_wrong_passwords_for_one_account_get_429_with_retry_after(
    client, factory, monkeypatch
):
    await factory.staff("volunteer", username="vol1")
    await factory.staff("volunteer", username="vol2")
    for _ in range(PASSWORD_PER_ACCOUNT.max_failures):
        response = await client.post(
            "/api/v1/auth/token", json={"username": "vol1", "password": "guess-guess"}
        )
        assert_problem(response, 401, "用户名或密码错误")
    right = {"username": "vol1", "password": "password-123"}
    refused = await client.post("/api/v1/auth/token", json=right)
    assert_problem(refused, 429, "该账号在本终端", "登录密码", "分钟后再试")
    assert 890 <= int(refused.headers["retry-after"]) <= 900
    # A colleague at the same desk still logs in.
    other = await client.post(
        "/api/v1/auth/token", json={"username": "vol2", "password": "password-123"}
    )
    assert other.status_code == 200, other.text
    later(monkeypatch, PASSWORD_PER_ACCOUNT.window)
    assert (await client.post("/api/v1/auth/token", json=right)).status_code == 200


async def test_spraying_many_usernames_from_one_address_is_stopped(db, factory):
    await factory.staff("operator", username="op1")
    for i in range(PASSWORD_PER_CLIENT.max_failures):
        with pytest.raises(NotAuthenticated):
            await authenticate(f"user{i}", "Winter2026!", client=COUNTER)
    with pytest.raises(attempts.TooManyFailures) as refused:
        await authenticate("op1", "password-123", client=COUNTER)
    assert refused.value.detail.startswith("本终端 15 分钟内输错登录密码已达 30 次")
    assert (await authenticate("op1", "password-123", client="10.0.0.8")).username == "op1"


async def test_successful_logins_leave_no_trace_and_old_failures_are_pruned(
    db, factory, monkeypatch
):
    await factory.staff("operator", username="op1")
    for _ in range(20):
        await authenticate("op1", "password-123", client=COUNTER)
    assert await FailedAttempt.count() == 0
    await fail_pins(db.settings(), 3)
    later(monkeypatch, KEEP_FOR + timedelta(seconds=1))
    await fail_pins(db.settings(), 1, client="10.0.0.9")
    rows = await FailedAttempt.select(FailedAttempt.client)
    assert rows == [{"client": "10.0.0.9"}]
