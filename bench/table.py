"""The results table of docs/benchmarks.md from lunch-rush JSON results.

python -m bench.table results/*.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def _ms(v) -> str:
    return "–" if v is None else f"{v:.0f}"


def row(r: dict) -> str:
    run = r["run"]
    lat = run["order_latency_ms"]
    mode = f"open {run['rate']:g}/s" if run["mode"] == "open" else f"closed ×{run['concurrency']}"
    workers = [p for p in r["server_processes"] if p["role"] == "worker"]
    rss = max((p["peak_rss_mb"] for p in workers), default=0)
    cpu = sum(p["cpu_s"] for p in workers)
    errors = ", ".join(f"{k}: {v}" for k, v in run["errors_by_status"].items()) or "none"
    ceiling = r.get("ceiling", {}).get("orders_per_s")
    ratio = f"{r['ratio'] * 100:.0f}%" if "ratio" in r else "–"
    budget = r.get("cpu_ms_per_order", {})
    spent = budget.get("run", {})
    per_order = " / ".join(
        f"{spent[k]:.2f}" if k in spent else "–" for k in ("worker", "database", "load generator")
    )
    in_ceiling = " + ".join(f"{v:.2f}" for v in budget.get("ceiling", {}).values()) or "–"
    return (
        f"| {r['engine']} | {r['workers']} | {mode} | {run['orders_per_s']:.0f} | "
        f"{_ms(lat['p50'])} | {_ms(lat['p95'])} | {_ms(lat['p99'])} | {_ms(lat['max'])} | "
        f"{errors} | {rss:.0f} | {cpu / run['duration_s']:.2f} | "
        f"{'–' if ceiling is None else f'{ceiling:.0f}'} | {ratio} | {per_order} | "
        f"{in_ceiling} | "
        f"{'yes' if r['ledger']['balanced'] else 'NO'} | "
        f"{r['load_before_run'][0]:.1f} / {r['load_during'][0]:.1f} |"
    )


HEADER = (
    "| engine | workers | load | orders/s | p50 ms | p95 ms | p99 ms | max ms | errors | "
    "peak RSS/worker MB | server CPU cores | ceiling orders/s | of ceiling | "
    "CPU ms/order: worker / database / load generator | CPU ms/order in the ceiling | "
    "ledger | load avg before / after |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
)


def main(paths: list[str]) -> None:
    print(HEADER)
    for path in paths:
        print(row(json.loads(Path(path).read_text())))


if __name__ == "__main__":
    main(sys.argv[1:])
