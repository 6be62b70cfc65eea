"""`zhucan subsidies issue` and `zhucan subsidies expire` on both engines."""

from datetime import timedelta

from tests.factories import id_number_for_age
from zhucan.clock import today
from zhucan.settings import Settings
from zhucan.subsidies.rules import month_key


async def test_monthly_issue_from_the_command_line_credits_once(cli):
    assert (
        cli.run("users", "add", "boss", "--role", "admin", password="long-enough-1").returncode == 0
    )
    async with cli.client() as client:
        headers = (await cli.login(client, "boss", "long-enough-1"))["headers"]
        for code, parent in [("D", None), ("D-S", "D"), ("D-S-C1", "D-S")]:
            assert (
                await client.post(
                    "/api/v1/regions",
                    headers=headers,
                    json={"code": code, "name": code, "parent": parent},
                )
            ).status_code == 201
        elder = await client.post(
            "/api/v1/elders",
            headers=headers,
            json={
                "name": "王秀英",
                "id_number": id_number_for_age(91),
                "region": "D-S-C1",
                "categories": ["dibao"],
                "pin": "135790",
            },
        )
        assert elder.status_code == 201, elder.text
    day = today(Settings().tz)
    first = cli.run("subsidies", "issue", "--month", month_key(day))
    assert first.returncode == 0, first.stderr
    assert "1 elders, card 20000 fen, 300 points" in first.stdout
    again = cli.run("subsidies", "issue", "--month", month_key(day))
    assert again.stdout == first.stdout
    async with cli.client() as client:
        headers = (await cli.login(client, "boss", "long-enough-1"))["headers"]
        balance = await client.get(
            f"/api/v1/elders/{elder.json()['elder_id']}/balance", headers=headers
        )
        assert balance.json() == {"card_fen": 20000, "points": 300}
        verify = await client.get("/api/v1/ledger/verify", headers=headers)
        assert verify.json()["balanced"], verify.json()
    bad = cli.run("subsidies", "issue", "--month", "2026-13")
    assert bad.returncode != 0 and "YYYY-MM" in bad.stderr
    expire = cli.run("subsidies", "expire", "--as-of", str(day))
    assert expire.returncode == 0 and "0 points expired" in expire.stdout, expire.stderr
    future = cli.run("subsidies", "expire", "--as-of", str(day + timedelta(days=1)))
    assert future.returncode != 0 and "还没到" in future.stderr
