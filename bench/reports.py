"""Reports at volume: a million orders and ten thousand inspections, bulk-loaded with raw SQL
(executemany on SQLite, COPY on PostgreSQL), then the report endpoints timed over HTTP against
`zhucan serve`.

    python -m bench.reports --database-url sqlite:////tmp/zhucan-bench/reports.db
    python -m bench.reports --database-url postgresql://postgres@127.0.0.1:5432/zhucan_bench_reports

The database is made afresh (a PostgreSQL database's name must contain "bench"). Canteens and
one template elder go through the service layer; the other elders are copies of the template
with their own card numbers and id digests. Orders spread over one year (each elder at most one
order per day and slot, 5% cancelled); inspections over five years, scores 55–100. After the load
the planner statistics are refreshed (ANALYZE), as a running database's would be.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import time
import urllib.request
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bench.lunch_rush.run import SECRET, free_port, fresh_database, start_server

YEAR = 2025
ORDER_COLUMNS = [
    "canteen",
    "elder",
    "meal_date",
    "slot",
    "channel",
    "fulfilment",
    "status",
    "total_fen",
    "subsidy_fen",
    "subsidy_tier",
    "points_used",
    "points_fen",
    "card_fen",
    "cash_fen",
    "placed_by",
    "delivery_address",
    "note",
    "diet_clash_confirmed",
    "created_at",
    "updated_at",
]
INSPECTION_COLUMNS = [
    "canteen",
    "date",
    "kind",
    "inspectors",
    "results",
    "score_tenths",
    "key_failures",
    "dynamic_grade",
    "incident",
    "notes",
    "filed_by",
    "created_at",
]


def order_rows(n: int, canteens: list[int], elders: list[int], seed: int = 1):
    """Order i: elder i mod E, the (i div E)-th of that elder's meals: unique per elder, day, slot."""
    rng = random.Random(seed)
    start = date(YEAR, 1, 1)
    stamp = datetime(YEAR, 1, 1, tzinfo=UTC)
    e = len(elders)
    for i in range(n):
        elder = elders[i % e]
        k = i // e
        day = start + timedelta(days=(k // 2) * 14 + (i % e) % 14)
        total = rng.choice((900, 1200, 1500, 1800, 2100))
        subsidy = rng.choice((0, 300, 500, 600, 800))
        points = min(rng.choice((0, 0, 200, 300)), (total - subsidy) // 2)
        card = (total - subsidy - points) * rng.choice((0, 1, 1, 1)) // 1
        cash = total - subsidy - points - card
        yield (
            rng.choice(canteens),
            elder,
            day,
            "lunch" if k % 2 == 0 else "dinner",
            rng.choice(("qr", "qr", "qr", "proxy", "hotline", "counter")),
            rng.choice(("dine_in", "dine_in", "takeaway", "delivery")),
            "cancelled" if rng.random() < 0.05 else "served",
            total,
            subsidy,
            "bench" if subsidy else None,
            points,
            points,
            card,
            cash,
            None,
            "",
            "",
            False,
            stamp,
            stamp,
        )


def inspection_rows(n: int, canteens: list[int], seed: int = 2):
    rng = random.Random(seed)
    stamp = datetime(YEAR, 1, 1, tzinfo=UTC)
    for _ in range(n):
        score = rng.randint(550, 1000)
        failures = rng.choice((0, 0, 0, 0, 1, 2))
        grade = (
            "ungraded"
            if failures >= 2 or score < 600
            else "excellent"
            if score >= 900
            else "good"
            if score >= 750
            else "fair"
        )
        yield (
            rng.choice(canteens),
            date(YEAR - 4, 1, 1) + timedelta(days=rng.randint(0, 5 * 365)),
            "routine",
            "bench-insp-a,bench-insp-b",
            "[]",
            score,
            failures,
            grade,
            False,
            "",
            "bench-insp-a",
            stamp,
        )


async def build(args) -> dict:
    from bench.lunch_rush.district import build as build_district
    from zhucan.canteens.tables import Canteen
    from zhucan.clock import today
    from zhucan.db.engine import (
        bind,
        close_engine,
        current_engine,
        is_sqlite,
        make_engine,
        open_engine,
    )
    from zhucan.db.migrate import upgrade
    from zhucan.people.tables import Elder
    from zhucan.settings import Settings

    settings = Settings.from_env()
    engine = make_engine(settings.database_url)
    bind(engine)
    await open_engine(engine)
    timings = {}
    t = time.perf_counter()
    await upgrade()
    day = today(settings.tz)
    district = await build_district(settings, args.canteens, 1, day + timedelta(days=1), day)
    template = dict(await Elder.select().where(Elder.id == district.elders[0][0]).first())
    canteens = [c["id"] for c in await Canteen.select(Canteen.id)]
    timings["service_setup_s"] = round(time.perf_counter() - t, 1)

    t = time.perf_counter()
    columns = [c for c in template if c != "id"]
    elder_rows = []
    for n in range(1, args.elders):
        row = dict(template)
        row["id_digest"] = f"bench{n:059d}"
        row["card_no"] = f"9{n:011d}"
        elder_rows.append([row[c] for c in columns])
    sqlite = is_sqlite(current_engine())
    if sqlite:
        import sqlite3

        conn = sqlite3.connect(settings.sqlite_path, isolation_level=None)
        conn.execute("PRAGMA synchronous = FULL")

        def insert(table: str, cols: list[str], rows) -> None:
            sql = (
                f"INSERT INTO {table} ({', '.join(chr(34) + c + chr(34) for c in cols)}) "
                f"VALUES ({', '.join('?' * len(cols))})"
            )
            conn.execute("BEGIN")
            batch = []
            for row in rows:
                batch.append(
                    tuple(v.isoformat() if isinstance(v, date | datetime) else v for v in row)
                )
                if len(batch) == 50_000:
                    conn.executemany(sql, batch)
                    batch.clear()
            if batch:
                conn.executemany(sql, batch)
            conn.execute("COMMIT")

        insert("elder", columns, elder_rows)
        elders = [r[0] for r in conn.execute("SELECT id FROM elder")]
        timings["elders_s"] = round(time.perf_counter() - t, 1)
        t = time.perf_counter()
        insert("meal_order", ORDER_COLUMNS, order_rows(args.orders, canteens, elders))
        timings["orders_s"] = round(time.perf_counter() - t, 1)
        t = time.perf_counter()
        insert("inspection", INSPECTION_COLUMNS, inspection_rows(args.inspections, canteens))
        conn.execute("ANALYZE")
        conn.close()
    else:
        import asyncpg

        conn = await asyncpg.connect(settings.database_url)
        await conn.copy_records_to_table("elder", records=elder_rows, columns=columns)
        elders = [r["id"] for r in await conn.fetch("SELECT id FROM elder")]
        timings["elders_s"] = round(time.perf_counter() - t, 1)
        t = time.perf_counter()
        await conn.copy_records_to_table(
            "meal_order",
            columns=ORDER_COLUMNS,
            records=list(order_rows(args.orders, canteens, elders)),
        )
        timings["orders_s"] = round(time.perf_counter() - t, 1)
        t = time.perf_counter()
        await conn.copy_records_to_table(
            "inspection",
            columns=INSPECTION_COLUMNS,
            records=list(inspection_rows(args.inspections, canteens)),
        )
        await conn.execute("ANALYZE")
        await conn.close()
    timings["inspections_and_analyze_s"] = round(time.perf_counter() - t, 1)
    await close_engine(engine)
    return {"timings": timings, "admin_token": district.admin_token}


def timed_get(url: str, token: str, repeat: int) -> dict:
    times, size, status = [], 0, None
    for _ in range(repeat):
        request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
        t = time.perf_counter()
        with urllib.request.urlopen(request, timeout=300) as response:
            body = response.read()
            status = response.status
        times.append((time.perf_counter() - t) * 1000)
        size = len(body)
    return {
        "status": status,
        "bytes": size,
        "first_ms": round(times[0], 1),
        "median_ms": round(statistics.median(times), 1),
        "max_ms": round(max(times), 1),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m bench.reports",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--database-url", default="sqlite:////tmp/zhucan-bench/reports.db")
    p.add_argument("--orders", type=int, default=1_000_000)
    p.add_argument("--inspections", type=int, default=10_000)
    p.add_argument("--canteens", type=int, default=200)
    p.add_argument("--elders", type=int, default=20_000)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--out", type=Path)
    args = p.parse_args(argv)
    env = {"ZHUCAN_DATABASE_URL": args.database_url, "ZHUCAN_SECRET_KEY": SECRET}
    os.environ.update(env)
    print(
        f"[reports] loading {args.orders} orders and {args.inspections} inspections; load "
        f"average {os.getloadavg()[0]:.2f} …",
        flush=True,
    )
    fresh_database(args.database_url)
    built = asyncio.run(build(args))
    print(f"[reports] loaded: {built['timings']}", flush=True)
    port = free_port()
    log = Path(f"/tmp/zhucan-bench-reports-{port}.log")
    server = start_server(argparse.Namespace(workers=1), env, port, log)
    base = f"http://127.0.0.1:{port}/api/v1"
    endpoints = {
        "settlement (month)": f"/reports/settlement?month={YEAR}-06",
        "settlement.csv (month)": f"/reports/settlement.csv?month={YEAR}-06",
        "meal report (year)": f"/reports/meals?year={YEAR}",
        "compliance summary (year)": f"/compliance/summary?year={YEAR}&as_of={YEAR}-12-31",
    }
    results = {}
    try:
        for name, path in endpoints.items():
            try:
                results[name] = timed_get(base + path, built["admin_token"], args.repeat)
            except OSError as exc:
                results[name] = {"error": str(exc)}
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(
        f"\nreports at volume — {args.database_url.split(':')[0]}, {args.orders} orders, "
        f"{args.inspections} inspections, {args.canteens} canteens; load average "
        f"{os.getloadavg()[0]:.2f}"
    )
    ok = True
    for name, r in results.items():
        if "error" in r:
            ok = False
            print(f"  {name:<28} ERROR {r['error']}")
            continue
        ok &= r["status"] == 200 and r["max_ms"] < 1000
        print(
            f"  {name:<28} first {r['first_ms']:>7.1f} ms  median {r['median_ms']:>7.1f} ms  "
            f"max {r['max_ms']:>7.1f} ms  ({r['bytes']} bytes)"
        )
    if args.out:
        args.out.write_text(
            json.dumps(
                {"load": built["timings"], "endpoints": results}, ensure_ascii=False, indent=1
            )
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
