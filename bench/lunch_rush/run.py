"""Orchestrates one lunch-rush run; see docs/benchmarks.md.

    python -m bench.lunch_rush --database-url sqlite:////tmp/bench/rush.db --workers 1 \
        --duration 30 --rate 300
    python -m bench.lunch_rush --database-url postgresql://postgres@127.0.0.1:5432/zhucan_bench \
        --workers 2 --duration 30 --concurrency 64

1. A fresh database (the SQLite file is deleted; the PostgreSQL database, whose name must contain
   "bench", is dropped and created), migrated, with a district of --canteens canteens and
   --elders elders with funded cards, lunch menus, volunteers, operators and kitchen staff.
2. One QR order placed through an in-process app while every statement is recorded.
3. `zhucan serve --workers N` in its own process; the load generator in another
   (bench/lunch_rush/load.py): open loop at --rate orders/s, or closed loop with --concurrency
   clients; the server's processes are sampled for memory meanwhile.
4. GET /api/v1/ledger/verify (must be balanced), the server stopped.
5. The recorded order replayed straight on the database (the ceiling), and the ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import psutil

from bench.lunch_rush import ceiling

ROOT = Path(__file__).resolve().parents[2]
ZHUCAN = Path(sys.executable).with_name("zhucan")
SECRET = "lunch-rush-benchmark-secret-key-not-for-production-use-0123456789"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m bench.lunch_rush",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--database-url", default="sqlite:////tmp/zhucan-bench/rush.db")
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--duration", type=float, default=30, help="measured seconds")
    p.add_argument("--warmup", type=float, default=3, help="seconds before measuring")
    p.add_argument(
        "--rate",
        type=float,
        default=0,
        help="open loop: orders per second (menu reads and kitchen polls on top)",
    )
    p.add_argument(
        "--concurrency",
        type=int,
        default=0,
        help="closed loop: clients sending back to back (used when --rate is 0)",
    )
    p.add_argument("--canteens", type=int, default=100)
    p.add_argument("--elders", type=int, default=5000)
    p.add_argument("--menu-reads-per-order", type=float, default=0.3)
    p.add_argument("--proxy-share", type=float, default=0.3, help="share of orders by proxy")
    p.add_argument(
        "--kitchen-poll",
        type=float,
        default=5.0,
        help="seconds between two polls of one canteen's kitchen screen",
    )
    p.add_argument("--connections", type=int, default=128, help="load generator's pool")
    p.add_argument("--pool-size", type=int, default=20, help="ZHUCAN_DB_POOL_SIZE per worker")
    p.add_argument("--ceiling-seconds", type=int, default=15)
    p.add_argument("--ceiling-clients", type=int, default=8, help="pgbench clients")
    p.add_argument("--no-ceiling", action="store_true")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--out", type=Path, help="write the whole result as JSON here")
    p.add_argument("--server-log", type=Path, default=None)
    p.add_argument(
        "--profile",
        type=Path,
        default=None,
        help="py-spy the first worker during the measured seconds: collapsed stacks here",
    )
    args = p.parse_args(argv)
    if args.rate <= 0 and args.concurrency <= 0:
        args.concurrency = 32
    return args


# ---------------------------------------------------------------- the database


def fresh_database(url: str) -> None:
    if url.startswith("sqlite:"):
        path = Path(url.removeprefix("sqlite:///").removeprefix("sqlite://"))
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    if "bench" not in name:
        raise SystemExit(
            f"refusing to drop {name!r}: the benchmark database's name must contain 'bench'"
        )
    admin = urlunparse(parsed._replace(path="/postgres"))
    subprocess.run(
        [
            "psql",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            admin,
            "-c",
            f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
            "-c",
            f'CREATE DATABASE "{name}"',
        ],
        check=True,
        capture_output=True,
    )


async def prepare(args, env: dict) -> tuple[dict, list, ceiling.Pick, list[ceiling.Pick], dict]:
    """District, then one captured order through an in-process app; returns the load plan's
    district, the captured statements and the picks for the replay."""
    os.environ.update(env)
    import logging

    logging.getLogger("httpx").setLevel(logging.WARNING)
    import httpx

    from bench.lunch_rush import district as districts
    from zhucan.app import create_app
    from zhucan.clock import today
    from zhucan.db.engine import bind, close_engine, current_engine, open_engine
    from zhucan.db.migrate import upgrade
    from zhucan.menus.tables import MenuItem
    from zhucan.money.rules import CANTEEN_OWNED
    from zhucan.money.tables import Account
    from zhucan.settings import Settings

    settings = Settings.from_env()
    app = create_app(settings)
    timings = {}
    # The app is called in this event loop through httpx's ASGI transport (not Litestar's test
    # client, whose portal thread has a loop of its own), so one connection pool serves both
    # the set-up through the service layer and the captured request.
    engine = app.state.engine
    bind(engine)
    await open_engine(engine, settings.db_pool_size)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1"
    ) as client:
        t0 = time.perf_counter()
        await upgrade()
        day = today(settings.tz)
        meal_date = day + timedelta(days=1)  # tomorrow's lunch: no run depends on the hour
        district = await districts.build(settings, args.canteens, args.elders + 1, meal_date, day)
        timings["setup_s"] = round(time.perf_counter() - t0, 1)
        # The last elder is kept for the capture, so the captured order is a first, subsidised one.
        capture_elder = district.elders.pop()
        elder_id, card_no, code, _ = capture_elder
        body = {
            "canteen": code,
            "card_no": card_no,
            "pin": district.pin,
            "items": [{"dish_id": "A", "qty": 1}, {"dish_id": "D", "qty": 1}],
            "meal_date": district.meal_date,
            "slot": "lunch",
            "fulfilment": "dine_in",
            "use_points": True,
        }
        # One order first, unrecorded, so caches (the policy in force) are as in a warm server.
        # and every canteen has its receivable account, as it does after its first order.
        for canteen in district.canteens:
            warm = next(e for e in district.elders if e[2] == canteen)
            await client.post(
                "/api/v1/orders",
                json=body | {"card_no": warm[1], "canteen": canteen},
                headers={"Idempotency-Key": f"bench-warm-{canteen}"},
            )
        with ceiling.capture(current_engine()) as log:
            response = await client.post(
                "/api/v1/orders", json=body, headers={"Idempotency-Key": "bench-capture"}
            )
        if response.status_code != 201:
            raise SystemExit(f"the captured order failed: {response.status_code} {response.text}")
        accounts = {r["key"]: r["id"] for r in await Account.select(Account.key, Account.id)}
        items = {}
        for r in await MenuItem.select(
            MenuItem.id, MenuItem.dish_id, MenuItem.canteen.code.as_alias("code")
        ):
            items.setdefault(r["code"], {})[r["dish_id"]] = r["id"]
        canteen_ids = {c["code"]: c["id"] for c in await _canteen_ids()}

        def pick(e) -> ceiling.Pick:
            return ceiling.Pick(
                elder_id=e[0],
                card_no=e[1],
                canteen_id=canteen_ids[e[2]],
                canteen_code=e[2],
                accounts=accounts,
                items=items[e[2]],
            )

        captured = pick(capture_elder)
        # Every account the order touches that another elder at another canteen would not:
        # left literal, every replayed order would update the captured canteen's fund rows.
        mine = {f"elder_card:{elder_id}", f"elder_points:{elder_id}"} | {
            f"{kind}:{captured.canteen_id}" for kind in CANTEEN_OWNED
        }
        captured.accounts = {k: v for k, v in accounts.items() if k in mine}
        picks = [pick(e) for e in district.elders]
    await close_engine(engine)
    return district.to_json(), log, captured, picks, timings


async def _canteen_ids():
    from zhucan.canteens.tables import Canteen

    return await Canteen.select(Canteen.id, Canteen.code)


# ---------------------------------------------------------------- the server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(args, env: dict, port: int, log_path: Path) -> subprocess.Popen:
    log = log_path.open("w")
    process = subprocess.Popen(
        [
            str(ZHUCAN),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
        ],
        env=os.environ | env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=tempfile.mkdtemp(),
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"zhucan serve exited; see {log_path}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                if r.status == 200:
                    return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"zhucan serve did not answer within 60 s; see {log_path}")


class MemorySampler(threading.Thread):
    """Peak RSS of the server's process tree, every 0.2 s, per process."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.root = psutil.Process(pid)
        self.peak: dict[int, int] = {}
        self.names: dict[int, str] = {}
        self.cpu: dict[int, float] = {}
        self.cpu_at_start: dict[int, float] = {}
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                procs = [self.root, *self.root.children(recursive=True)]
            except psutil.Error:
                return
            for p in procs:
                try:
                    rss = p.memory_info().rss
                    times = p.cpu_times()
                    self.cpu[p.pid] = times.user + times.system
                    self.cpu_at_start.setdefault(p.pid, self.cpu[p.pid])
                    if p.pid not in self.names:
                        cmd = " ".join(p.cmdline())
                        self.names[p.pid] = (
                            "supervisor"
                            if p.pid == self.root.pid and len(procs) > 2
                            else "resource_tracker"
                            if "resource_tracker" in cmd
                            else "worker"
                        )
                except psutil.Error:
                    continue
                self.peak[p.pid] = max(self.peak.get(p.pid, 0), rss)
            self.stop.wait(0.2)

    def report(self) -> list[dict]:
        return [
            {
                "pid": pid,
                "role": self.names.get(pid, "?"),
                "peak_rss_mb": round(rss / 2**20, 1),
                "cpu_s": round(self.cpu.get(pid, 0) - self.cpu_at_start.get(pid, 0), 3),
            }
            for pid, rss in sorted(self.peak.items())
        ]


class CpuOfProcesses(threading.Thread):
    """CPU seconds used meanwhile by every process with one of `names` (PostgreSQL's server and
    its backends, pgbench), sampled every 0.2 s: a backend that exits keeps its last sample, one
    that starts counts from its first."""

    def __init__(self, *names: str):
        super().__init__(daemon=True)
        self.names = set(names)
        self.first: dict[tuple[int, str], float] = {}
        self.last: dict[tuple[int, str], float] = {}
        self.stop = threading.Event()

    def sample(self) -> None:
        for p in psutil.process_iter(["name"]):
            if p.info["name"] in self.names:
                try:
                    times = p.cpu_times()
                except psutil.Error:
                    continue
                key = (p.pid, p.info["name"])
                self.last[key] = times.user + times.system
                self.first.setdefault(key, self.last[key])

    def run(self) -> None:
        while not self.stop.is_set():
            self.sample()
            self.stop.wait(0.2)

    def finish(self) -> dict[str, float | None]:
        """Stop; CPU seconds by process name, None for a name never seen (a database on
        another machine)."""
        self.stop.set()
        self.join()
        self.sample()
        used: dict[str, float | None] = {name: None for name in self.names}
        for key, cpu in self.last.items():
            name = key[1]
            used[name] = (used[name] or 0.0) + cpu - self.first[key]
        return {name: None if cpu is None else round(cpu, 2) for name, cpu in used.items()}


def cpu_ms_per_order(result: dict) -> dict:
    """What one order placed cost each process in the run (mix, warm-up and drain included),
    and the database in the ceiling's replay: the budget the service shares two cores in."""
    run = result["run"]
    orders = run["orders_placed_all"] or 1
    workers = sum(p["cpu_s"] for p in result["server_processes"] if p["role"] == "worker")
    per_order = {"worker": workers, "load generator": run["generator_cpu_s"]}
    if result.get("database_cpu_s") is not None:
        per_order["database"] = result["database_cpu_s"]
    budget = {"run": {k: round(v / orders * 1000, 2) for k, v in per_order.items()}}
    ceiling = result.get("ceiling", {})
    if ceiling.get("cpu_s"):
        budget["ceiling"] = {
            k: round(v / ceiling["orders"] * 1000, 2)
            for k, v in ceiling["cpu_s"].items()
            if v is not None
        }
    return budget


def http_json(url: str, token: str) -> dict:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=120) as r:
        return json.loads(r.read())


# ---------------------------------------------------------------- the run


def machine() -> dict:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "date": datetime.now().isoformat(timespec="seconds"),
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    engine_name = "sqlite" if args.database_url.startswith("sqlite:") else "postgresql"
    env = {
        "ZHUCAN_DATABASE_URL": args.database_url,
        "ZHUCAN_SECRET_KEY": SECRET,
        "ZHUCAN_DB_POOL_SIZE": str(args.pool_size),
    }
    result: dict = {
        "engine": engine_name,
        "workers": args.workers,
        "machine": machine(),
        "load_before": os.getloadavg(),
        "args": {k: str(v) for k, v in vars(args).items()},
    }
    print(
        f"[lunch-rush] {engine_name}, {args.workers} worker(s); load average "
        f"{os.getloadavg()[0]:.2f}; preparing the district …",
        flush=True,
    )
    fresh_database(args.database_url)
    district, log, captured, picks, timings = asyncio.run(prepare(args, env))
    result |= timings
    statements = [e for e in log if not isinstance(e, str)]
    result["statements_per_order"] = len(statements)
    result["transactions_per_order"] = sum(1 for e in log if e in ("COMMIT", "ROLLBACK"))
    print(
        f"[lunch-rush] district ready in {timings['setup_s']} s: {len(district['canteens'])} "
        f"canteens, {len(district['elders'])} elders; one order = {len(statements)} statements "
        f"in {result['transactions_per_order']} transactions",
        flush=True,
    )

    port = args.port or free_port()
    workdir = Path(tempfile.mkdtemp(prefix="lunch-rush-"))
    server_log = args.server_log or workdir / "server.log"
    server = start_server(args, env, port, server_log)
    sampler = MemorySampler(server.pid)
    sampler.start()
    database_cpu = CpuOfProcesses("postgres") if engine_name == "postgresql" else None
    if database_cpu:
        database_cpu.start()
    try:
        plan = {
            "base_url": f"http://127.0.0.1:{port}",
            "district": district,
            "rate": args.rate,
            "concurrency": args.concurrency,
            "duration": args.duration,
            "warmup": args.warmup,
            "menu_reads_per_order": args.menu_reads_per_order,
            "proxy_share": args.proxy_share,
            "kitchen_poll_s": args.kitchen_poll,
            "connections": args.connections,
            "max_inflight": 5000,
            "request_timeout_s": 30,
            "drain_s": 15,
            "seed": 20261125,
        }
        (workdir / "plan.json").write_text(json.dumps(plan, ensure_ascii=False))
        mode = (
            f"open loop at {args.rate:g} orders/s"
            if args.rate > 0
            else f"closed loop with {args.concurrency} clients"
        )
        print(
            f"[lunch-rush] server on :{port}; load: {mode} for {args.warmup:g}+"
            f"{args.duration:g} s …",
            flush=True,
        )
        load_before = os.getloadavg()
        spy = None
        if args.profile:
            workers = [
                p.pid
                for p in psutil.Process(server.pid).children(recursive=True)
                if "resource_tracker" not in " ".join(p.cmdline())
            ] or [server.pid]
            # --gil: samples only while the worker holds the GIL, i.e. its CPU; without it the
            # idle event loop's waits fill the profile.
            spy = subprocess.Popen(
                [
                    str(ZHUCAN.with_name("py-spy")),
                    "record",
                    "--nonblocking",
                    "--gil",
                    "--format",
                    "raw",
                    "--rate",
                    "200",
                    "--pid",
                    str(workers[0]),
                    "--duration",
                    str(int(args.warmup + args.duration)),
                    "--output",
                    str(args.profile),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.lunch_rush.load",
                str(workdir / "plan.json"),
                str(workdir / "load.json"),
            ],
            cwd=ROOT,
            check=True,
            timeout=args.warmup + args.duration + 120,
        )
        if spy:
            spy.wait(timeout=60)
        result["load_during"] = os.getloadavg()
        result["load_before_run"] = load_before
        result["run"] = json.loads((workdir / "load.json").read_text())
        sampler.stop.set()
        sampler.join()
        result["server_processes"] = sampler.report()
        if database_cpu:
            result["database_cpu_s"] = database_cpu.finish()["postgres"]
        verify = http_json(f"http://127.0.0.1:{port}/api/v1/ledger/verify", district["admin_token"])
        result["ledger"] = {k: verify[k] for k in ("balanced", "accounts", "entries")} | {
            "problems": verify["problems"][:5]
        }
    finally:
        sampler.stop.set()
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()

    if not args.no_ceiling:
        print(
            f"[lunch-rush] replaying the order's SQL straight on the database for "
            f"{args.ceiling_seconds} s …",
            flush=True,
        )
        result["ceiling"] = run_ceiling(args, engine_name, log, captured, picks)
        result["ratio"] = result["run"]["orders_per_s"] / result["ceiling"]["orders_per_s"]
    result["cpu_ms_per_order"] = cpu_ms_per_order(result)
    result["load_after"] = os.getloadavg()
    print_report(result)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str))
    ok = result["ledger"]["balanced"] and result["run"]["replay_mismatches"] == 0
    return 0 if ok else 1


def run_ceiling(args, engine_name: str, log: list, captured, picks) -> dict:
    style = "sqlite" if engine_name == "sqlite" else "pg"
    tmpl = ceiling.template(log, captured, style)
    if engine_name == "sqlite":
        path = args.database_url.removeprefix("sqlite:///").removeprefix("sqlite://")
        cpu = time.process_time()
        replayed = ceiling.sqlite_replay(path, tmpl, picks, captured, args.ceiling_seconds)
        return replayed | {"cpu_s": {"database (sqlite3 in Python)": time.process_time() - cpu}}
    import asyncpg

    script, names = ceiling.pgbench_script(tmpl, captured)

    async def load_picks():
        conn = await asyncpg.connect(args.database_url)
        try:
            await ceiling.pg_prepare_picks(conn, picks, names)
        finally:
            await conn.close()

    asyncio.run(load_picks())
    cpu = CpuOfProcesses("postgres", "pgbench")
    cpu.start()
    replayed = ceiling.pg_replay(
        args.database_url, script, len(picks), args.ceiling_seconds, args.ceiling_clients
    )
    used = cpu.finish()
    return replayed | {"cpu_s": {"database": used["postgres"], "pgbench": used["pgbench"]}}


def _ms(v) -> str:
    return "-" if v is None else f"{v:.1f}"


def print_report(r: dict) -> None:
    run = r["run"]
    lat = run["order_latency_ms"]
    print()
    print(
        f"lunch rush — {r['engine']}, {r['workers']} worker(s), {run['mode']} loop"
        + (
            f" at {run['rate']:g} orders/s"
            if run["mode"] == "open"
            else f", {run['concurrency']} clients"
        )
        + f", {run['duration_s']:g} s measured"
    )
    print(
        f"  machine: {r['machine']['nproc']} cores, {r['machine']['cpu']}, "
        f"{r['machine']['memory_gib']} GiB; load average before/after run "
        f"{r['load_before_run'][0]:.2f}/{r['load_during'][0]:.2f}"
    )
    print(
        f"  orders placed: {run['orders_placed']}  →  {run['orders_per_s']:.1f} orders/s "
        f"({run['requests_per_s']:.1f} requests/s in all)"
    )
    print(
        f"  order latency ms: p50 {_ms(lat['p50'])}  p95 {_ms(lat['p95'])}  "
        f"p99 {_ms(lat['p99'])}  max {_ms(lat['max'])}"
    )
    print(
        "  order p99 ms by second (warm-up first): "
        + " ".join(str(ms) for ms in run["order_p99_ms_by_second"])
    )
    for kind, k in run["kinds"].items():
        print(
            f"    {kind:<15} n={k['requests']:<6} p50 {_ms(k['p50_ms']):>7}  p99 "
            f"{_ms(k['p99_ms']):>7}  max {_ms(k['max_ms']):>7}  status {k['status']}"
        )
    print(
        f"  errors by status: {run['errors_by_status'] or 'none'}; transport errors: "
        f"{run['transport_errors'] or 'none'}; idempotent replays that differed: "
        f"{run['replay_mismatches']}; not sent (in-flight cap): {run['not_sent_inflight_cap']}"
    )
    print(
        "  server memory (peak RSS): "
        + ", ".join(
            f"{p['role']} {p['pid']} {p['peak_rss_mb']} MB (cpu during the run {p['cpu_s']} s)"
            for p in r["server_processes"]
        )
    )
    print(f"  load generator cpu: {run['generator_cpu_s']} s")
    print(
        f"  ledger: balanced={r['ledger']['balanced']} accounts={r['ledger']['accounts']} "
        f"entries={r['ledger']['entries']} {r['ledger']['problems'] or ''}"
    )
    print(
        f"  one order: {r['statements_per_order']} SQL statements, "
        f"{r['transactions_per_order']} transactions"
    )
    budget = r["cpu_ms_per_order"]
    print(
        "  CPU ms per order placed: "
        + ", ".join(f"{k} {v}" for k, v in budget["run"].items())
        + (
            "; in the ceiling: " + ", ".join(f"{k} {v}" for k, v in budget["ceiling"].items())
            if "ceiling" in budget
            else ""
        )
    )
    if "ceiling" in r:
        c = r["ceiling"]
        print(
            f"  ceiling (same SQL replayed, {c['tool']}): {c['orders_per_s']:.1f} orders/s"
            f"  →  service at {r['ratio'] * 100:.0f}% of it"
        )
