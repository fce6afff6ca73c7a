"""How busy the Sandbox is, so a benchmark can show that the Sandbox is not what it
measures: requests per route, its own time to answer (a handler's time less the latency
injected on purpose), how late its event loop runs, and the CPU its process used.
Shown by `GET /api/stats` under "server"; a control reset starts it again."""

from __future__ import annotations

import asyncio
import os
import time
from collections import Counter, deque
from contextvars import ContextVar
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler

# Seconds of injected latency slept while answering the current request.
_slept: ContextVar[float] = ContextVar("sandbox_slept", default=0.0)
KEEP = 200_000  # the latest answers kept for percentiles
LAG_EVERY = 0.05  # seconds between event-loop lag probes


def slept(seconds: float) -> None:
    """Count injected latency, so it is left out of the Sandbox's own time."""
    _slept.set(_slept.get() + seconds)


def _percentiles(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"p50": None, "p99": None, "max": None}
    ordered = sorted(values)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000, 2)

    return {"p50": at(0.50), "p99": at(0.99), "max": round(ordered[-1] * 1000, 2)}


def _cpu() -> float:
    t = os.times()
    return t.user + t.system


class Meter:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.requests: Counter[str] = Counter()
        self.own: deque[float] = deque(maxlen=KEEP)
        self.lag: deque[float] = deque(maxlen=KEEP)
        self.cpu_at_reset = _cpu()
        self.reset_at = time.monotonic()

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        token = _slept.set(0.0)
        started = time.perf_counter()
        try:
            return await handler(request)
        finally:
            self.own.append(max(0.0, time.perf_counter() - started - _slept.get()))
            _slept.reset(token)
            resource = request.match_info.route.resource
            route = resource.canonical if resource is not None else "unmatched"
            self.requests[f"{request.method} {route}"] += 1

    async def probe_lag(self) -> None:
        """Sleep briefly, again and again, and keep how much later than asked it woke."""
        loop = asyncio.get_running_loop()
        while True:
            asked = loop.time()
            await asyncio.sleep(LAG_EVERY)
            self.lag.append(max(0.0, loop.time() - asked - LAG_EVERY))

    def stats(self) -> dict[str, Any]:
        elapsed = time.monotonic() - self.reset_at
        cpu = _cpu() - self.cpu_at_reset
        return {
            "requests": dict(self.requests),
            "answer_ms": _percentiles(list(self.own)),
            "loop_lag_ms": _percentiles(list(self.lag)),
            "cpu_s": round(cpu, 2),
            "cpu_share": round(cpu / elapsed, 3) if elapsed > 0 else None,
        }
