"""The database's own limit for the SQL of one order.

`capture()` records every statement one `POST /orders` executes (with its arguments, results and
transaction boundaries) by wrapping the engine while an in-process app places one real order.
`sqlite_replay()` and `pg_replay()` then run those statements straight on the same database,
as fast as it takes them: Python's sqlite3 on one connection for SQLite (one writer is all SQLite
has), pgbench with a generated script for PostgreSQL. Each replayed order is a different elder
at the elder's own canteen, with a fresh Idempotency-Key, a fresh meal date (so the one-subsidy-
per-slot index holds) and the ids its own INSERT … RETURNING gave back, so every replay is a real,
balanced order: the ledger still verifies afterwards.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import random
import re
import sqlite3
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass, field

from piccolo.engine.postgres import PostgresEngine, PostgresTransaction
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction

from zhucan.db import sql as fixed_sql


@dataclass
class Statement:
    sql: str  # as sent to the driver: $n placeholders (PostgreSQL) or ? (SQLite)
    args: list
    rows: list[dict] = field(default_factory=list)
    style: str | None = None  # "pg" for zhucan.db.sql's $n statements on either engine


@contextlib.contextmanager
def capture(engine):
    """Record what runs on `engine` inside the block: Statements and "BEGIN"/"COMMIT"/"ROLLBACK"."""
    log: list = []
    cls = type(engine)
    tx_cls = SQLiteTransaction if isinstance(engine, SQLiteEngine) else PostgresTransaction
    begin_sql = "BEGIN IMMEDIATE" if isinstance(engine, SQLiteEngine) else "BEGIN"
    saved = {name: cls.__dict__.get(name) for name in ("run_querystring",)}
    saved_tx = {name: tx_cls.__dict__[name] for name in ("begin", "commit", "rollback")}
    original_run = cls.run_querystring

    async def run_querystring(self, querystring, *args, **kwargs):
        sql, sql_args = querystring.compile_string(engine_type=self.engine_type)
        rows = await original_run(self, querystring, *args, **kwargs)
        log.append(Statement(sql, list(sql_args), [dict(r) for r in rows or []]))
        return rows

    def marker(name, original):
        async def wrapped(self, *a, **k):
            if self._parent is None:  # only the outermost transaction talks to the database
                log.append(begin_sql if name == "begin" else name.upper())
            return await original(self, *a, **k)

        return wrapped

    async def fetch(statement, *args):
        rows = await original_fetch(statement, *args)
        log.append(Statement(statement, list(args), [dict(r) for r in rows], style="pg"))
        return rows

    original_fetch = fixed_sql.fetch
    fixed_sql.fetch = fetch
    cls.run_querystring = run_querystring
    original_write = getattr(cls, "write", None)
    if original_write is not None:  # zhucan's SQLite engine: write transactions on its writer

        async def write(self, work):
            log.append(begin_sql)
            try:
                result = await original_write(self, work)
            except BaseException:
                log.append("ROLLBACK")
                raise
            log.append("COMMIT")
            return result

        cls.write = write
    for name, fn in saved_tx.items():
        setattr(tx_cls, name, marker(name, fn))
    try:
        yield log
    finally:
        fixed_sql.fetch = original_fetch
        for name, fn in saved.items():
            if fn is None:
                delattr(cls, name)
            else:
                setattr(cls, name, fn)
        for name, fn in saved_tx.items():
            setattr(tx_cls, name, fn)
        if original_write is not None:
            cls.write = original_write


# ---------------------------------------------------------------- what each argument is

_PLACEHOLDER = {"pg": re.compile(r"\$(\d+)"), "sqlite": re.compile(r"\?")}
_BEFORE = re.compile(
    r'(?:"?([\w$]+)"?\.)?"?(\w+)"?\s*(?:=|<>|>=|<=|>|<|\+|-|IN\s*\((?:\s*(?:\$\d+|\?)\s*,)*)\s*$',
    re.IGNORECASE,
)
_MAIN = re.compile(
    r'^\s*(?:UPDATE|INSERT\s+INTO|DELETE\s+FROM|SELECT\b.*?\bFROM)\s+"?(\w+)"?',
    re.IGNORECASE | re.DOTALL,
)
_ALIAS = re.compile(r'\b(?:FROM|JOIN)\s+"?(\w+)"?\s+(?:AS\s+)?(\w+)', re.IGNORECASE)
_NOT_ALIASES = {"WHERE", "JOIN", "ON", "INNER", "LEFT", "ORDER", "GROUP", "LIMIT", "SET"}
# db.sql.rows_table: `CAST($1 AS BIGINT) AS id` joined to the table a `WITH … UPDATE` updates.
_CAST = re.compile(r"\s*AS\s+\w+\)\s+AS\s+(\w+)", re.IGNORECASE)
_UPDATED = re.compile(r'\)\s*UPDATE\s+"?(\w+)"?', re.IGNORECASE)  # after the WITH, not FOR UPDATE
_INSERT = re.compile(r'INSERT\s+INTO\s+"?(\w+)"?\s*\(([^)]*)\)\s*VALUES', re.IGNORECASE)


def _placeholders(sql: str, style: str) -> list[tuple[int, int]]:
    """(position in sql, argument index) for each placeholder, quotes skipped."""
    out, in_quote, n = [], False, 0
    pattern = _PLACEHOLDER[style]
    i = 0
    while i < len(sql):
        ch = sql[i]
        if ch == "'":
            in_quote = not in_quote
        elif not in_quote and (m := pattern.match(sql, i)):
            out.append((i, int(m.group(1)) - 1 if style == "pg" else n))
            n += 1
            i = m.end()
            continue
        i += 1
    return out


def arg_columns(sql: str, style: str) -> dict[int, tuple[str, str]]:
    """Argument index → (table, column) it is compared with or stored in."""
    main = (_MAIN.match(sql) or [None, ""])[1]
    places = _placeholders(sql, style)
    if m := _INSERT.match(sql):
        # Each VALUES tuple lists literals (null ids) and placeholders in column order.
        columns = [c.strip().strip('"') for c in m.group(2).split(",")]
        out, position, depth = {}, 0, 0
        at = {pos: index for pos, index in places}
        for i in range(m.end(), len(sql)):
            ch = sql[i]
            if ch == "(":
                depth += 1
                position = 0
            elif ch == ")":
                depth -= 1
                if depth == 0 and sql[i + 1 :].lstrip().startswith(("ON", "RETURNING")):
                    break
            elif ch == "," and depth == 1:
                position += 1
            elif i in at and depth == 1:
                out[at[i]] = (m.group(1), columns[position])
        return out
    aliases = {
        m.group(2): m.group(1)
        for m in _ALIAS.finditer(sql)
        if m.group(2).upper() not in _NOT_ALIASES
    }
    out = {}
    if sql.lstrip().upper().startswith("WITH") and (updated := _UPDATED.search(sql)):
        main = updated.group(1)
    for pos, index in places:
        if sql[:pos].upper().endswith("CAST(") and (
            cast := _CAST.match(sql, _PLACEHOLDER[style].match(sql, pos).end())
        ):
            out[index] = (main, cast.group(1))
        elif b := _BEFORE.search(sql[:pos]):
            table = (b.group(1) or main).split("$")[-1]
            out[index] = (aliases.get(table, table), b.group(2))
    return out


# ---------------------------------------------------------------- the per-order variables

ID_COLUMNS = {
    ("meal_order", "id"): "order_id",
    ("order_line", "order"): "order_id",
    ("meal_order", "payment"): "transfer_id",
    ("ledger_transfer", "id"): "transfer_id",
    ("ledger_entry", "transfer"): "transfer_id",
    ("idempotency_record", "id"): "idem_id",
}
RETURNED = {
    "meal_order": "order_id",
    "ledger_transfer": "transfer_id",
    "idempotency_record": "idem_id",
}


@dataclass
class Pick:
    """One elder at their own canteen, with the ids the replay substitutes."""

    elder_id: int
    card_no: str
    canteen_id: int
    canteen_code: str
    accounts: dict[str, int]  # account key → id (the elder's two, the canteen's two)
    items: dict[str, int]  # dish id → menu_item id


def template(log: list, captured: Pick, style: str) -> list:
    """The captured statements with each per-order value replaced by a ('var', name) marker."""
    key_of_account = {v: k for k, v in captured.accounts.items()}
    dish_of_item = {v: k for k, v in captured.items.items()}
    returned: dict[tuple[str, int], str] = {}
    by_value = {captured.card_no: "card_no", captured.canteen_code: "canteen_code"}
    for key in captured.accounts:
        by_value[key] = f"acct_key:{key}"
    out = []
    for entry in log:
        if isinstance(entry, str):
            out.append(entry)
            continue
        columns = arg_columns(entry.sql, entry.style or style)
        args = []
        for index, value in enumerate(entry.args):
            table, column = columns.get(index, ("", ""))
            marker = None
            if isinstance(value, str) and value in by_value:
                marker = by_value[value]
            elif isinstance(value, str) and table == "idempotency_record" and column == "key":
                marker = "idem_key"
            elif isinstance(value, str) and value.startswith("order:"):
                marker = "transfer_key"
            elif (
                isinstance(value, dt.date)
                and not isinstance(value, dt.datetime)
                and table == "meal_order"
                and column == "meal_date"
            ):
                marker = "meal_date"
            elif isinstance(value, int) and not isinstance(value, bool):
                name = ID_COLUMNS.get((table, column))
                if name and (RETURNED_TABLE.get(name), value) in returned:
                    marker = name
                elif column == "elder" or (table == "elder" and column == "id"):
                    marker = "elder_id" if value == captured.elder_id else None
                elif column == "canteen" or (table == "canteen" and column == "id"):
                    marker = "canteen_id" if value == captured.canteen_id else None
                elif (table, column) in (
                    ("account", "id"),
                    ("ledger_entry", "account"),
                ) and value in key_of_account:
                    marker = f"acct:{key_of_account[value]}"
                elif (table, column) in (
                    ("menu_item", "id"),
                    ("order_line", "menu_item"),
                ) and value in dish_of_item:
                    marker = f"item:{dish_of_item[value]}"
            args.append(("var", marker) if marker else value)
        main = (_INSERT.match(entry.sql) or [None, ""])[1]
        gives = None
        if main in RETURNED and len(entry.rows) == 1 and "id" in entry.rows[0]:
            returned[(main, entry.rows[0]["id"])] = RETURNED[main]
            gives = RETURNED[main]
        sql = entry.sql
        if entry.style == "pg" and style == "sqlite":
            sql = re.sub(r"\$(\d+)", r"?\1", sql)  # what zhucan.db.sql sends to SQLite
        out.append({"sql": sql, "args": args, "gives": gives})
    return out


RETURNED_TABLE = {v: k for k, v in RETURNED.items()}


def _captured_key_suffix(pick: Pick, key: str) -> str:
    """The same account for another elder or canteen: 'elder_card:17' → that pick's key."""
    kind = key.split(":", 1)[0]
    owner = pick.elder_id if kind.startswith("elder_") else pick.canteen_id
    return f"{kind}:{owner}"


def values_for(pick: Pick, n: int, captured: Pick, base_date: dt.date) -> dict:
    v = {
        "elder_id": pick.elder_id,
        "card_no": pick.card_no,
        "canteen_id": pick.canteen_id,
        "canteen_code": pick.canteen_code,
        "idem_key": f"ceiling-{uuid.uuid4()}",
        "meal_date": base_date + dt.timedelta(days=n),
    }
    for key in captured.accounts:
        mine = _captured_key_suffix(pick, key)
        v[f"acct_key:{key}"] = mine
        v[f"acct:{key}"] = pick.accounts[mine]
    for dish in captured.items:
        v[f"item:{dish}"] = pick.items[dish]
    return v


# ---------------------------------------------------------------- SQLite: Python's sqlite3


def sqlite_replay(
    path: str, tmpl: list, picks: list[Pick], captured: Pick, seconds: float, seed: int = 1
) -> dict:
    """One connection with the service's settings (WAL, synchronous=FULL, foreign keys), the
    statements of one order after another for `seconds`."""
    conn = sqlite3.connect(
        path, isolation_level=None, timeout=10, detect_types=sqlite3.PARSE_DECLTYPES
    )
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    rng = random.Random(seed)
    base = dt.date(3000, 1, 1)
    done = 0
    latencies = []
    start = time.perf_counter()
    deadline = start + seconds
    while (t0 := time.perf_counter()) < deadline and done < 10_000_000:
        v = values_for(rng.choice(picks), done, captured, base)
        v["transfer_key"] = None
        for entry in tmpl:
            if isinstance(entry, str):
                conn.execute(entry)
                continue
            args = [v[a[1]] if isinstance(a, tuple) else a for a in entry["args"]]
            rows = conn.execute(entry["sql"], args).fetchall()
            if entry["gives"]:
                v[entry["gives"]] = rows[0][0]
                if entry["gives"] == "order_id":
                    v["transfer_key"] = f"order:{rows[0][0]}"
        done += 1
        latencies.append(time.perf_counter() - t0)
    elapsed = time.perf_counter() - start
    conn.close()
    latencies.sort()
    return {
        "tool": "python sqlite3, 1 connection",
        "orders": done,
        "seconds": round(elapsed, 2),
        "orders_per_s": done / elapsed,
        "p50_ms": latencies[len(latencies) // 2] * 1000 if latencies else None,
    }


# ---------------------------------------------------------------- PostgreSQL: pgbench


def _pg_literal(value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dt.datetime):
        return f"'{value.isoformat()}'::timestamptz"
    if isinstance(value, dt.date):
        return f"'{value.isoformat()}'::date"
    if isinstance(value, list | dict):
        value = json.dumps(value, ensure_ascii=False)
    return "'" + str(value).replace("'", "''") + "'"


def pgbench_script(tmpl: list, captured: Pick) -> tuple[str, list[str]]:
    """The script and the columns of the bench_pick table it reads its variables from."""
    names: list[str] = ["elder_id", "card_no", "canteen_id", "canteen_code"]
    names += [f"acct_key:{k}" for k in captured.accounts] + [f"acct:{k}" for k in captured.accounts]
    names += [f"item:{d}" for d in captured.items]
    var = {n: re.sub(r"\W", "_", n) for n in names}
    var |= {"order_id": "order_id", "transfer_id": "transfer_id", "idem_id": "idem_id"}
    lines = [
        "\\set n random(1, :picks)",
        "\\set day random(1, 2000000)",
        "\\set k random(1, 9000000000000000000)",
        f"SELECT {', '.join(var[n] for n in names)} FROM bench_pick WHERE n = :n \\gset",
    ]
    for entry in tmpl:
        if isinstance(entry, str):
            lines.append(entry + ";")
            continue
        args = []
        for a in entry["args"]:
            if not isinstance(a, tuple):
                args.append(_pg_literal(a))
            elif a[1] == "idem_key":
                args.append("('ceiling-' || (:client_id)::text || '-' || (:k)::text)")
            elif a[1] == "meal_date":
                args.append("('3000-01-01'::date + (:day)::int)")
            elif a[1] == "transfer_key":
                args.append("('order:' || (:order_id)::text)")
            else:
                args.append(f":{var[a[1]]}")
        sql = re.sub(r"\$(\d+)", lambda m, a=args: a[int(m.group(1)) - 1], entry["sql"])
        sql = " ".join(sql.split()).rstrip(";")
        # \gset order_ → the RETURNING "id" becomes :order_id, and so on
        lines.append(
            sql + (f" \\gset {entry['gives'].removesuffix('id')}" if entry["gives"] else ";")
        )
    return "\n".join(lines) + "\n", names


async def pg_prepare_picks(conn, picks: list[Pick], names: list[str]) -> None:
    """bench_pick(n, …): the variables of each pick, read by the script with one PK lookup."""
    cols = ", ".join(
        f"{re.sub(r'[^0-9A-Za-z_]', '_', n)} "
        f"{'text' if n in ('card_no', 'canteen_code') or n.startswith('acct_key') else 'bigint'}"
        for n in names
    )
    await conn.execute("DROP TABLE IF EXISTS bench_pick")
    await conn.execute(f"CREATE TABLE bench_pick (n int PRIMARY KEY, {cols})")
    rows = []
    for i, p in enumerate(picks, 1):
        values = {
            "elder_id": p.elder_id,
            "card_no": p.card_no,
            "canteen_id": p.canteen_id,
            "canteen_code": p.canteen_code,
        }
        for n in names:
            if n.startswith("acct_key:"):
                values[n] = _captured_key_suffix(p, n.removeprefix("acct_key:"))
            elif n.startswith("acct:"):
                values[n] = p.accounts[_captured_key_suffix(p, n.removeprefix("acct:"))]
            elif n.startswith("item:"):
                values[n] = p.items[n.removeprefix("item:")]
        rows.append((i, *[values[n] for n in names]))
    await conn.copy_records_to_table("bench_pick", records=rows)
    await conn.execute("ANALYZE bench_pick")


def pg_replay(
    database_url: str, script: str, picks: int, seconds: int, clients: int, threads: int = 2
) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as f:
        f.write(script)
    cmd = [
        "pgbench",
        "-n",
        "-M",
        "prepared",
        "-c",
        str(clients),
        "-j",
        str(threads),
        "-T",
        str(seconds),
        "-D",
        f"picks={picks}",
        "-f",
        f.name,
        database_url,
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 120)
    out = done.stdout + done.stderr
    tps = re.search(r"tps = ([\d.]+) \(without initial connection time\)", out)
    latency = re.search(r"latency average = ([\d.]+) ms", out)
    failed = re.search(r"number of failed transactions: (\d+)", out)
    processed = re.search(r"number of transactions actually processed: (\d+)", out)
    if done.returncode != 0 or tps is None:
        raise RuntimeError(f"pgbench failed ({done.returncode}):\n{out[-3000:]}\nscript: {f.name}")
    return {
        "tool": f"pgbench -M prepared -c {clients} -j {threads}",
        "orders_per_s": float(tps.group(1)),
        "orders": int(processed.group(1)) if processed else round(float(tps.group(1)) * seconds),
        "latency_avg_ms": float(latency.group(1)) if latency else None,
        "failed": int(failed.group(1)) if failed else 0,
        "script": f.name,
    }


__all__ = [
    "Pick",
    "Statement",
    "capture",
    "template",
    "sqlite_replay",
    "pgbench_script",
    "pg_prepare_picks",
    "pg_replay",
    "PostgresEngine",
]
