"""Admission control: a worker works on at most `Settings.max_active_requests` requests at a
time; the others wait, in arrival order, before anything is done for them.

Without it an overloaded worker takes on every request at once. Each statement of an open
transaction then waits behind the event loop's work for all the others, row locks are held
longer, and the worker completes fewer orders the more it is sent: at 300 orders/s offered,
open loop, PostgreSQL, a backlog formed in the first seconds and grew without end, the worker
completing about half as many orders as with 32 steady clients (docs/benchmarks.md). A waiting
request costs nothing, so the worker keeps its best rate and a backlog drains. A request stops
counting once its response starts: sending it out is the network's work, not the worker's.
"""

from __future__ import annotations

import asyncio
import weakref

from litestar.types import ASGIApp, Receive, Scope, Send

# Answered at once: the health check must say "alive" while the worker is busy.
UNLIMITED_PATHS = ("/healthz",)


def admission_control(limit: int):
    """A Litestar middleware factory: at most `limit` HTTP requests in the app at once."""
    slots: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def slot() -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        if (semaphore := slots.get(loop)) is None:
            semaphore = slots[loop] = asyncio.Semaphore(limit)
        return semaphore

    def middleware(app: ASGIApp) -> ASGIApp:
        async def admitted(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http" or scope["path"] in UNLIMITED_PATHS:
                await app(scope, receive, send)
                return
            semaphore = slot()
            await semaphore.acquire()
            held = True

            def free() -> None:
                nonlocal held
                if held:
                    held = False
                    semaphore.release()

            async def send_and_free(message) -> None:
                # The response is built before it starts (zhucan streams none), so what is left
                # is writing it out: a slow download on an old phone must not keep the next
                # request waiting.
                if message["type"] == "http.response.start":
                    free()
                await send(message)

            try:
                await app(scope, receive, send_and_free)
            finally:
                free()

        return admitted

    return middleware
