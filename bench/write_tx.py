"""Write transactions per second through `write_transaction` alone (no HTTP, no ORM): N tasks
each committing transactions of 20 small INSERTs on a fresh SQLite file.

    python -m bench.write_tx [/tmp/zhucan-bench/write_tx.db]
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

from zhucan.db.engine import bind, close_engine, make_engine, open_engine
from zhucan.db.tx import write_transaction


async def run(path: Path, tasks: int, total: int = 400) -> float:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{path}")
    bind(engine)
    await open_engine(engine)
    await engine.run_ddl("CREATE TABLE t (id INTEGER PRIMARY KEY, v INT)")

    async def one() -> None:
        for i in range(total // tasks):

            async def work(i=i) -> None:
                for _ in range(20):
                    await engine.run_ddl(f"INSERT INTO t (v) VALUES ({i})")

            await write_transaction(work)

    start = time.perf_counter()
    await asyncio.gather(*[one() for _ in range(tasks)])
    elapsed = time.perf_counter() - start
    await close_engine(engine)
    return total // tasks * tasks / elapsed


def main() -> None:
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/zhucan-bench/write_tx.db")
    path.parent.mkdir(parents=True, exist_ok=True)
    for tasks in (1, 8, 32):
        print(f"{tasks:>2} concurrent: {asyncio.run(run(path, tasks)):,.0f} transactions/s")


if __name__ == "__main__":
    main()
