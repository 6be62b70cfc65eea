"""The floor under every request: what uvicorn and Litestar alone cost on this machine.

A one-handler Litestar app (a pydantic body in, a pydantic reply out, no database) is served by
`uvicorn` with one worker, as `zhucan serve` runs, and driven by the lunch rush's load generator
style of client (aiohttp, closed loop, 32 clients) for a fixed time. It prints the requests per
second and the server's CPU per request: no handler of the real service can be cheaper.

    python -m bench.framework_floor [seconds]
"""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import time

import aiohttp
import psutil
from litestar import Litestar, post
from pydantic import BaseModel

CLIENTS = 32
BODY = {
    "canteen": "BR000",
    "items": [{"dish_id": "A", "qty": 1}, {"dish_id": "D", "qty": 1}],
    "meal_date": "2026-11-27",
    "slot": "lunch",
    "fulfilment": "dine_in",
    "card_no": "1234567890",
    "pin": "246810",
}


class Item(BaseModel):
    dish_id: str
    qty: int


class OrderIn(BaseModel):
    canteen: str
    items: list[Item]
    meal_date: str
    slot: str
    fulfilment: str
    card_no: str
    pin: str


class OrderOut(OrderIn):
    order_id: int
    total_fen: int


@post("/orders")
async def place(data: OrderIn) -> OrderOut:
    return OrderOut(**data.model_dump(), order_id=1, total_fen=1800)


def create_app() -> Litestar:
    return Litestar([place])


async def drive(base: str, seconds: float) -> int:
    done = 0
    stop = time.monotonic() + seconds

    async def client(http: aiohttp.ClientSession) -> None:
        nonlocal done
        while time.monotonic() < stop:
            async with http.post(base + "/orders", json=BODY) as response:
                await response.read()
                assert response.status == 201, response.status
            done += 1

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=CLIENTS)) as http:
        await asyncio.gather(*[client(http) for _ in range(CLIENTS)])
    return done


def main(seconds: float = 10) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "bench.framework_floor:create_app",
            "--factory",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ]
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                asyncio.run(drive(base, 0.2))
                break
            except aiohttp.ClientError:
                time.sleep(0.1)
        process = psutil.Process(server.pid)
        cpu0 = sum(process.cpu_times()[:2])
        done = asyncio.run(drive(base, seconds))
        cpu = sum(process.cpu_times()[:2]) - cpu0
    finally:
        server.terminate()
        server.wait(timeout=20)
    print(
        json.dumps(
            {
                "requests_per_s": round(done / seconds),
                "server_cpu_ms_per_request": round(cpu / done * 1000, 3),
                "clients": CLIENTS,
                "seconds": seconds,
            }
        )
    )


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 10)
