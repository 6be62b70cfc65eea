"""Card top-ups, balances and /ledger/verify."""

from __future__ import annotations

from tests.meals import assert_ledger_balanced, balance, grant_points, new_key, topup
from zhucan.money.tables import Account


async def _topup(factory, elder_id, body, headers=None, key=None):
    return await factory.client.post(
        f"/api/v1/elders/{elder_id}/card/topups",
        json=body,
        headers=(headers or await factory.admin()) | (key if key is not None else new_key()),
    )


async def test_topups_from_each_source_add_up(factory):
    elder = await factory.elder()
    assert await balance(factory, elder["elder_id"]) == {"card_fen": 0, "points": 0}
    assert (await topup(factory, elder["elder_id"], 3000, "government")) == {"card_fen": 3000}
    assert (await topup(factory, elder["elder_id"], 500, "charity")) == {"card_fen": 3500}
    assert (await topup(factory, elder["elder_id"], 250, "family")) == {"card_fen": 3750}
    await grant_points(elder["elder_id"], 120, key="grant-1")
    assert not await grant_points(elder["elder_id"], 120, key="grant-1")
    assert await balance(factory, elder["elder_id"]) == {"card_fen": 3750, "points": 120}
    report = await assert_ledger_balanced(factory)
    assert report["transfers"] == 4 and report["entries"] == 8
    funds = {r["key"]: r["balance"] for r in await Account.select(Account.key, Account.balance)}
    assert funds["subsidy_fund"] == 3000 and funds["charity_fund"] == 500
    assert funds["family_topups"] == 250 and funds["points_fund"] == 120


async def test_topup_idempotency(factory):
    elder = await factory.elder()
    body = {"amount_fen": 1000, "source": "charity", "note": "重阳节"}
    assert (await _topup(factory, elder["elder_id"], body, key={})).status_code == 400
    key = new_key()
    first = await _topup(factory, elder["elder_id"], body, key=key)
    again = await _topup(factory, elder["elder_id"], body, key=key)
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    other = await _topup(factory, elder["elder_id"], body | {"amount_fen": 2000}, key=key)
    assert other.status_code == 422
    long_key = await _topup(factory, elder["elder_id"], body, key={"Idempotency-Key": "k" * 256})
    assert long_key.status_code == 400 and "255" in long_key.json()["detail"]
    assert (await balance(factory, elder["elder_id"]))["card_fen"] == 1000
    await assert_ledger_balanced(factory)


async def test_topup_refusals(factory):
    elder = await factory.elder()
    body = {"amount_fen": 1000, "source": "government"}
    operator = await factory.headers("operator")
    assert (await _topup(factory, elder["elder_id"], body, headers=operator)).status_code == 403
    zero = await _topup(factory, elder["elder_id"], body | {"amount_fen": 0})
    assert zero.status_code == 400 and "amount_fen" in zero.json()["detail"]
    source = await _topup(factory, elder["elder_id"], body | {"source": "lottery"})
    assert source.status_code == 400 and "source" in source.json()["detail"]
    assert (await _topup(factory, 999999, body)).status_code == 404
    await assert_ledger_balanced(factory)


async def test_balance_access_follows_elder_access(factory):
    elder = await factory.elder()
    url = f"/api/v1/elders/{elder['elder_id']}/balance"
    assert (await factory.client.get(url)).status_code == 401
    assert (
        await factory.client.get(url, headers=await factory.headers("operator"))
    ).status_code == 200
    assert (
        await factory.client.get(url, headers=await factory.headers("family"))
    ).status_code == 403
    volunteer = await factory.staff("volunteer")
    await factory.post(f"/elders/{elder['elder_id']}/links", {"username": volunteer.username})
    assert (await factory.client.get(url, headers=factory.headers_for(volunteer))).json() == {
        "card_fen": 0,
        "points": 0,
    }


async def test_verify_is_admin_only_and_finds_a_tampered_balance(factory):
    elder = await factory.elder()
    await topup(factory, elder["elder_id"], 800)
    assert (
        await factory.client.get(
            "/api/v1/ledger/verify", headers=await factory.headers("inspector")
        )
    ).status_code == 403
    await Account.update({Account.balance: 900}).where(
        Account.key == f"elder_card:{elder['elder_id']}"
    )
    report = (
        await factory.client.get("/api/v1/ledger/verify", headers=await factory.admin())
    ).json()
    assert report["balanced"] is False
    assert report["problems"] == [
        f"账户 elder_card:{elder['elder_id']} 的余额 900 与分录合计 800 不符"
    ]


async def test_the_database_refuses_a_negative_balance(factory):
    elder = await factory.elder()
    await topup(factory, elder["elder_id"], 100)
    failed = False
    try:
        await Account.update({Account.balance: -1}).where(
            Account.key == f"elder_card:{elder['elder_id']}"
        )
    except Exception as exc:  # sqlite3.IntegrityError or asyncpg.CheckViolationError
        failed = "CHECK" in str(exc).upper() or "check" in type(exc).__name__.lower()
    assert failed


async def test_a_fund_past_int4_keeps_every_fen(factory):
    """A city's subsidy fund passes 2^31 fen (21.47 million 元) within a few years."""
    from zhucan.db.tx import write_transaction
    from zhucan.money import rules, service

    elder = await factory.elder()
    big = 2**31 + 12_345  # fen

    async def work():
        return await service.post_transfer(
            "big-topup", "card_topup", rules.topup_legs(elder["elder_id"], "government", big)
        )

    await write_transaction(work)
    assert await balance(factory, elder["elder_id"]) == {"card_fen": big, "points": 0}
    funds = {r["key"]: r["balance"] for r in await Account.select(Account.key, Account.balance)}
    assert funds["subsidy_fund"] == big
    await assert_ledger_balanced(factory)
