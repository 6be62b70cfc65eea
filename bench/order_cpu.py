"""CPU per order in one process, no network: the app called through httpx's ASGI transport on a
database the lunch-rush benchmark left behind (its elders, PIN and tomorrow's lunch menus).

    python -m bench.order_cpu sqlite:////tmp/zhucan-bench/rush.db 300 [--profile tottime|cumulative]
"""

from __future__ import annotations

import asyncio
import cProfile
import logging
import os
import pstats
import sys
import time
import uuid
from datetime import timedelta

from bench.lunch_rush.district import PIN
from bench.lunch_rush.run import SECRET


async def main(url: str, n: int, sort: str | None) -> None:
    os.environ["ZHUCAN_DATABASE_URL"] = url
    os.environ["ZHUCAN_SECRET_KEY"] = SECRET
    logging.disable(logging.INFO)
    import httpx

    from zhucan.app import create_app
    from zhucan.canteens.tables import Canteen
    from zhucan.clock import today
    from zhucan.db.engine import bind, close_engine, open_engine
    from zhucan.people.tables import Elder

    app = create_app()
    engine = app.state.engine
    bind(engine)
    await open_engine(engine)
    settings = app.state.settings
    elders = await Elder.select(Elder.id, Elder.card_no).order_by(Elder.id).limit(n + 20)
    code = (await Canteen.select(Canteen.code).where(Canteen.code.like("BR%")).first())["code"]
    meal = (today(settings.tz) + timedelta(days=1)).isoformat()
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1"
    ) as client:

        async def order(elder) -> None:
            r = await client.post(
                "/api/v1/orders",
                json={
                    "canteen": code,
                    "card_no": elder["card_no"],
                    "pin": PIN,
                    "items": [{"dish_id": "A", "qty": 1}, {"dish_id": "D", "qty": 1}],
                    "meal_date": meal,
                    "slot": "lunch",
                },
                headers={"Idempotency-Key": str(uuid.uuid4())},
            )
            assert r.status_code == 201, r.text

        for elder in elders[:20]:
            await order(elder)
        # CPU time, not wall time: on PostgreSQL most of an order's wall time is the server's.
        profile = cProfile.Profile(time.process_time) if sort else None
        cpu, wall = time.process_time(), time.perf_counter()
        if profile:
            profile.enable()
        for elder in elders[20 : 20 + n]:
            await order(elder)
        if profile:
            profile.disable()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    await close_engine(engine)
    if profile:
        pstats.Stats(profile).sort_stats(sort).print_stats(45)
    print(
        f"{n} orders one after another: cpu {cpu / n * 1000:.2f} ms, wall {wall / n * 1000:.2f} ms "
        f"per order; load average {os.getloadavg()[0]:.2f}"
    )


if __name__ == "__main__":
    args = sys.argv[1:]
    sort = args[args.index("--profile") + 1] if "--profile" in args else None
    asyncio.run(main(args[0], int(args[1]), sort))
