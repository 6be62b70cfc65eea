"""The load generator: a separate process, aiohttp on uvloop, driving the noon mix.

    python -m bench.lunch_rush.load PLAN.json RESULT.json

Open loop (`rate` > 0): orders arrive on a Poisson schedule at `rate` per second whether or not
earlier ones have finished, and each latency is measured from the moment the request was due, so
a server that falls behind shows it in the tail (no coordinated omission). Closed loop
(`concurrency` > 0, `rate` 0): that many clients each send their next request when the previous
one answers: the maximum throughput. In both, every canteen's kitchen screen polls on its own
schedule, 5% of placed orders are cancelled and 3% are retried with the same Idempotency-Key,
which must replay the identical body. Everything stops at `warmup + duration` seconds; requests
still running then get `drain` seconds more. Traffic goes only to `base_url` (127.0.0.1).
"""

from __future__ import annotations

import asyncio
import json
import math
import random
import resource
import sys
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path

import aiohttp

ORDER_KINDS = ("qr_order", "proxy_order")


def percentile(sorted_ms: list[float], p: float) -> float | None:
    if not sorted_ms:
        return None
    return sorted_ms[max(0, math.ceil(p / 100 * len(sorted_ms)) - 1)]


class Load:
    def __init__(self, plan: dict):
        self.plan = plan
        self.d = plan["district"]
        self.rng = random.Random(plan.get("seed", 7))
        self.base = plan["base_url"].rstrip("/") + "/api/v1"
        self.latency: dict[str, list[float]] = defaultdict(list)
        # Order latencies by the second they were due, warm-up included: shows a queue forming.
        self.by_second: dict[int, list[float]] = defaultdict(list)
        self.status: dict[str, Counter] = defaultdict(Counter)
        self.replay_mismatches = 0
        self.transport_errors: Counter = Counter()
        self.placed_in_window = 0
        self.placed_all = 0  # warm-up and drain included: the denominator of CPU per order
        self.inflight = 0
        self.not_sent = 0
        self.start = 0.0
        self.measure_from = 0.0
        self.stop_at = 0.0
        self.tasks: set[asyncio.Task] = set()

    # ------------------------------------------------------------ one request

    async def call(
        self, kind: str, method: str, path: str, due: float, *, json_body=None, headers=None
    ) -> tuple[int, dict | None, dict]:
        """Send one request; record its latency from `due` when it was due inside the window."""
        try:
            async with self.http.request(
                method, self.base + path, json=json_body, headers=headers
            ) as response:
                body = await response.read()
                status = response.status
                resp_headers = {k.lower(): v for k, v in response.headers.items()}
        except (TimeoutError, aiohttp.ClientError) as exc:
            status, body, resp_headers = 0, b"", {}
            self.transport_errors[type(exc).__name__] += 1
        latency_ms = (time.monotonic() - due) * 1000
        if kind in ORDER_KINDS:
            self.by_second[int(due - self.start)].append(latency_ms)
        if self.measure_from <= due < self.stop_at:
            self.latency[kind].append(latency_ms)
            self.status[kind][status] += 1
        try:
            parsed = json.loads(body) if body else None
        except ValueError:
            parsed = None
        return status, parsed, resp_headers

    def order_body(self, elder: list, proxy: bool) -> tuple[dict, dict]:
        elder_id, card_no, home, volunteer = elder
        canteen = home if self.rng.random() < 0.9 else self.rng.choice(self.d["canteens"])
        dishes = self.rng.sample(self.d["dishes"], self.rng.choice((1, 2, 2, 3)))
        fulfilment = self.rng.choices(("dine_in", "takeaway", "delivery"), (70, 15, 15))[0]
        body = {
            "canteen": canteen,
            "items": [{"dish_id": x, "qty": 1} for x in dishes],
            "meal_date": self.d["meal_date"],
            "slot": self.d["slot"],
            "fulfilment": fulfilment,
            "use_points": self.rng.random() < 0.5,
        }
        headers = {"Idempotency-Key": str(uuid.uuid4())}
        if not proxy:
            body |= {"card_no": card_no, "pin": self.d["pin"]}
            return body, headers
        body["elder_id"] = elder_id
        who = self.rng.random()
        if volunteer >= 0 and who < 0.5:
            token = self.d["volunteer_tokens"][volunteer]
        elif who < 0.8:
            token = self.d["operator_token"]
        else:  # at the counter of the canteen the elder is standing in
            token = self.d["staff_tokens"][canteen]
        headers["Authorization"] = f"Bearer {token}"
        return body, headers

    async def order(self, due: float, proxy: bool) -> None:
        kind = "proxy_order" if proxy else "qr_order"
        body, headers = self.order_body(self.rng.choice(self.d["elders"]), proxy)
        status, reply, _ = await self.call(
            kind, "POST", "/orders", due, json_body=body, headers=headers
        )
        if status != 201:
            return
        self.placed_all += 1
        if self.measure_from <= due < self.stop_at:
            self.placed_in_window += 1
        roll = self.rng.random()
        now = time.monotonic()
        if roll < 0.03:
            status2, reply2, h2 = await self.call(
                "retry_same_key", "POST", "/orders", now, json_body=body, headers=headers
            )
            if status2 != 201 or reply2 != reply or h2.get("idempotent-replayed") != "true":
                self.replay_mismatches += 1
        elif roll < 0.08:
            token = self.d["staff_tokens"][reply["canteen"]]
            await self.call(
                "cancel",
                "POST",
                f"/orders/{reply['order_id']}/cancel",
                now,
                headers={"Idempotency-Key": str(uuid.uuid4()), "Authorization": f"Bearer {token}"},
            )

    async def menu_read(self, due: float) -> None:
        code = self.rng.choice(self.d["canteens"])
        await self.call(
            "menu_read",
            "GET",
            f"/canteens/{code}/menus/{self.d['meal_date']}/{self.d['slot']}",
            due,
        )

    async def one_of_the_mix(self, due: float) -> None:
        roll = self.rng.random()
        menu_share = self.plan["menu_reads_per_order"] / (1 + self.plan["menu_reads_per_order"])
        if roll < menu_share:
            await self.menu_read(due)
        else:
            await self.order(due, proxy=self.rng.random() < self.plan["proxy_share"])

    # ------------------------------------------------------------ schedules

    def spawn(self, coro) -> None:
        self.inflight += 1
        task = asyncio.create_task(coro)
        self.tasks.add(task)

        def done(t: asyncio.Task) -> None:
            self.inflight -= 1
            self.tasks.discard(t)

        task.add_done_callback(done)

    async def open_loop(self) -> None:
        rate = self.plan["rate"] * (1 + self.plan["menu_reads_per_order"])
        due = self.start
        while True:
            due += self.rng.expovariate(rate)
            if due >= self.stop_at:
                return
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            if self.inflight >= self.plan["max_inflight"]:
                self.not_sent += 1
                continue
            self.spawn(self.one_of_the_mix(due))

    async def closed_loop_client(self, delay: float) -> None:
        # Started one after another: clients that all connect at once are all accepted by the
        # one worker that wakes first (uvloop accepts the whole backlog), and `--workers 2`
        # would measure one worker.
        await asyncio.sleep(delay)
        while (now := time.monotonic()) < self.stop_at:
            await self.one_of_the_mix(now)

    async def kitchen_screens(self) -> None:
        period = self.plan["kitchen_poll_s"]
        codes = self.d["canteens"]

        async def screen(code: str, offset: float) -> None:
            due = self.start + offset
            while due < self.stop_at:
                delay = due - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                await self.call(
                    "kitchen_poll",
                    "GET",
                    f"/canteens/{code}/kitchen?date={self.d['meal_date']}&slot={self.d['slot']}",
                    due,
                    headers={"Authorization": f"Bearer {self.d['staff_tokens'][code]}"},
                )
                due += period

        await asyncio.gather(*[screen(c, period * i / len(codes)) for i, c in enumerate(codes)])

    async def run(self) -> dict:
        plan = self.plan
        timeout = aiohttp.ClientTimeout(total=plan["request_timeout_s"])
        connector = aiohttp.TCPConnector(limit=plan["connections"], limit_per_host=0)
        async with aiohttp.ClientSession(timeout=timeout, connector=connector) as self.http:
            self.start = time.monotonic()
            self.measure_from = self.start + plan["warmup"]
            self.stop_at = self.measure_from + plan["duration"]
            cpu0 = resource.getrusage(resource.RUSAGE_SELF)
            drivers = [asyncio.create_task(self.kitchen_screens())]
            if plan["rate"] > 0:
                drivers.append(asyncio.create_task(self.open_loop()))
            else:
                stagger = min(0.05, plan["warmup"] / 2 / plan["concurrency"])
                drivers += [
                    asyncio.create_task(self.closed_loop_client(i * stagger))
                    for i in range(plan["concurrency"])
                ]
            await asyncio.wait(drivers, timeout=plan["warmup"] + plan["duration"] + plan["drain_s"])
            pending = [t for t in [*drivers, *self.tasks] if not t.done()]
            if pending:
                await asyncio.wait(pending, timeout=plan["drain_s"])
            unfinished = sum(1 for t in [*drivers, *self.tasks] if not t.done())
            for t in [*drivers, *self.tasks]:
                t.cancel()
            cpu1 = resource.getrusage(resource.RUSAGE_SELF)
        return self.report(
            unfinished, (cpu1.ru_utime + cpu1.ru_stime) - (cpu0.ru_utime + cpu0.ru_stime)
        )

    def report(self, unfinished: int, cpu_s: float) -> dict:
        kinds = {}
        for kind, values in sorted(self.latency.items()):
            values.sort()
            kinds[kind] = {
                "requests": len(values),
                "status": {str(k): v for k, v in sorted(self.status[kind].items())},
                "p50_ms": percentile(values, 50),
                "p95_ms": percentile(values, 95),
                "p99_ms": percentile(values, 99),
                "max_ms": values[-1] if values else None,
            }
        orders = sorted(v for k in ORDER_KINDS for v in self.latency.get(k, []))
        statuses: Counter = Counter()
        for kind in self.status:
            statuses.update(self.status[kind])
        errors = {str(k): v for k, v in sorted(statuses.items()) if k >= 400 or k == 0}
        return {
            "mode": "open" if self.plan["rate"] > 0 else "closed",
            "rate": self.plan["rate"],
            "concurrency": self.plan["concurrency"],
            "duration_s": self.plan["duration"],
            "orders_placed": self.placed_in_window,
            "orders_placed_all": self.placed_all,
            "orders_per_s": self.placed_in_window / self.plan["duration"],
            "requests_per_s": sum(len(v) for v in self.latency.values()) / self.plan["duration"],
            "order_latency_ms": {
                "p50": percentile(orders, 50),
                "p95": percentile(orders, 95),
                "p99": percentile(orders, 99),
                "max": orders[-1] if orders else None,
            },
            "kinds": kinds,
            "errors_by_status": errors,
            "transport_errors": dict(self.transport_errors),
            "replay_mismatches": self.replay_mismatches,
            "not_sent_inflight_cap": self.not_sent,
            "unfinished_at_end": unfinished,
            "generator_cpu_s": round(cpu_s, 3),
            "order_p99_ms_by_second": [
                round(percentile(sorted(self.by_second[second]), 99) or 0)
                for second in range(max(self.by_second, default=-1) + 1)
            ],
        }


def main(argv: list[str]) -> int:
    plan = json.loads(Path(argv[0]).read_text())
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    result = asyncio.run(Load(plan).run())
    Path(argv[1]).write_text(json.dumps(result, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
