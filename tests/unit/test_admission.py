"""zhucan.admission: a worker works on a bounded number of requests; the rest wait their turn."""

from __future__ import annotations

import asyncio

import pytest

from zhucan.admission import admission_control


class Recorder:
    """An ASGI app that takes a while and notes how many requests it holds at once."""

    def __init__(self):
        self.active = self.most_active = 0
        self.started: list[str] = []

    async def __call__(self, scope, receive, send) -> None:
        self.active += 1
        self.most_active = max(self.most_active, self.active)
        self.started.append(scope["path"])
        await asyncio.sleep(0.01)
        self.active -= 1


async def _request(app, path: str, kind: str = "http") -> None:
    await app({"type": kind, "path": path}, None, None)


async def test_no_more_than_the_limit_are_worked_on_and_the_rest_start_in_arrival_order():
    recorder = Recorder()
    app = admission_control(3)(recorder)
    paths = [f"/api/v1/orders/{i}" for i in range(12)]
    await asyncio.gather(*[_request(app, path) for path in paths])
    assert recorder.most_active == 3
    assert recorder.started == paths  # nobody is dropped or overtaken


async def test_the_health_check_is_answered_while_the_worker_is_full():
    recorder = Recorder()
    app = admission_control(1)(recorder)
    busy = [asyncio.create_task(_request(app, f"/api/v1/orders/{i}")) for i in range(8)]
    await asyncio.sleep(0)  # the first is admitted, seven wait (80 ms)
    await asyncio.wait_for(_request(app, "/healthz"), timeout=0.05)
    assert "/healthz" in recorder.started[:2]
    await asyncio.gather(*busy)


async def test_lifespan_messages_are_not_held_back():
    recorder = Recorder()
    app = admission_control(1)(recorder)
    await asyncio.gather(_request(app, "/api/v1/orders/1"), _request(app, "", kind="lifespan"))
    assert recorder.most_active == 2


async def test_a_slow_download_does_not_hold_up_the_next_request():
    """A response whose body a slow client reads for a long time (a settlement export on 3G)
    stops counting against the limit once its response has started."""
    body_sent, downloaded = asyncio.Event(), asyncio.Event()
    recorder = Recorder()

    async def export(scope, receive, send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"x" * 1000})

    async def slow_client(message) -> None:
        if message["type"] == "http.response.body":
            body_sent.set()
            await downloaded.wait()

    async def route(scope, receive, send) -> None:
        await (export if scope["path"] == "/export" else recorder)(scope, receive, send)

    app = admission_control(1)(route)
    download = asyncio.create_task(app({"type": "http", "path": "/export"}, None, slow_client))
    await body_sent.wait()
    await asyncio.wait_for(_request(app, "/api/v1/orders/1"), timeout=1)
    assert recorder.started == ["/api/v1/orders/1"]
    downloaded.set()
    await download


async def test_a_request_that_fails_before_answering_frees_its_place():
    async def failing(scope, receive, send) -> None:
        raise RuntimeError("boom")

    app = admission_control(1)(failing)
    for _ in range(3):  # would hang at the second if the place were kept
        with pytest.raises(RuntimeError, match="boom"):
            await asyncio.wait_for(_request(app, "/api/v1/orders/1"), timeout=1)
