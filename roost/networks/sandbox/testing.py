"""Run a real Sandbox in a background thread, for tests and benchmarks."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from aiohttp import web

from roost.networks.sandbox import client
from roost.networks.sandbox.server import BACKLOG, create_app


@dataclass(frozen=True)
class SandboxAccount:
    """An account created through the handle, with its token."""

    id: str
    handle: str
    token: str


class SandboxHandle:
    """A running Sandbox: its URL and helpers for its control API."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._http = httpx.Client(base_url=url, timeout=10.0, trust_env=False)

    def control(self, **knobs: Any) -> dict[str, Any]:
        """Set control knobs (latency_ms, fail_5xx_rate, revoke, reset…); returns them all."""
        response = self._http.post("/api/control", json=knobs)
        response.raise_for_status()
        result: dict[str, Any] = response.json()["knobs"]
        return result

    def stats(self) -> dict[str, Any]:
        """Publishes in total and per idempotency key, duplicates, faults."""
        response = self._http.get("/api/stats")
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def inbound(self, handle: str, count: int, seed: int | None = None) -> dict[str, Any]:
        """Have simulated people write `count` posts to an account at once."""
        body: dict[str, Any] = {"handle": handle, "count": count}
        if seed is not None:
            body["seed"] = seed
        response = self._http.post("/api/inbound", json=body, timeout=120.0)
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def plant(
        self, term: str, count: int = 20, sentiment: str = "negative", language: str = ""
    ) -> dict[str, Any]:
        """Plant a burst of public posts naming `term`, written now; returns the burst as
        /api/public/truth lists it."""
        plant = {"term": term, "count": count, "sentiment": sentiment, "language": language}
        self.control(plant=plant)
        bursts = self.truth()["bursts"]
        planted: dict[str, Any] = [b for b in bursts if b["kind"] == "planted"][-1]
        return planted

    def truth(self, since: str = "", until: str = "", labels: bool = False) -> dict[str, Any]:
        """The public conversation's bursts (and labels) between two ISO times (default:
        the last day)."""
        params = {"since": since, "until": until, "labels": "1" if labels else ""}
        response = self._http.get(
            "/api/public/truth", params={k: v for k, v in params.items() if v}, timeout=120.0
        )
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def ads_simulate(self, days: int) -> str:
        """Move the Sandbox Ads' clock `days` days on; returns its new date (ISO)."""
        response = self._http.post("/api/ads/simulate", json={"days": days})
        response.raise_for_status()
        today: str = response.json()["today"]
        return today

    def ads_control(self, **knobs: Any) -> dict[str, Any]:
        """Set the Sandbox Ads' knobs (currency per handle, true ctr/cvr per ad)."""
        response = self._http.post("/api/ads/control", json=knobs)
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def ads_stats(self) -> dict[str, Any]:
        """Boosts and split tests made and asked for per idempotency key; the ads clock."""
        response = self._http.get("/api/ads/stats")
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def create_account(self, name: str) -> SandboxAccount:
        """A new Sandbox account and its token."""
        response = self._http.post("/api/accounts", json={"name": name})
        response.raise_for_status()
        data = response.json()
        return SandboxAccount(id=data["id"], handle=data["handle"], token=data["token"])

    def close(self) -> None:
        """Close the helper's own HTTP connections."""
        self._http.close()


class _ServerThread(threading.Thread):
    """The server on its own event loop, so a synchronous caller can talk to it."""

    def __init__(self, app: web.Application, sock: socket.socket) -> None:
        super().__init__(name="sandbox-server", daemon=True)
        self.app = app
        self.sock = sock
        self.ready = threading.Event()
        self.error: BaseException | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None

    def run(self) -> None:
        """The thread's body: serve until stopped, keeping any startup error."""
        try:
            asyncio.run(self._serve())
        except BaseException as exc:  # handed to the caller of start()
            self.error = exc
        finally:
            self.ready.set()

    async def _serve(self) -> None:
        """Start the site on the pre-bound socket, wait for stop, then clean up."""
        self.loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=2.0)
        await runner.setup()
        try:
            await web.SockSite(runner, self.sock, backlog=BACKLOG).start()
            self.ready.set()
            await self._stop.wait()
        finally:
            await runner.cleanup()

    def stop(self) -> None:
        """Ask the loop to shut the server down, and wait for it."""
        if self.loop is not None and self._stop is not None and self.is_alive():
            self.loop.call_soon_threadsafe(self._stop.set)
        self.join(timeout=10)


@contextmanager
def running_sandbox(
    latency_ms: int = 0, db_path: str | Path | None = None, *, seed: int = 0
) -> Iterator[SandboxHandle]:
    """A Sandbox serving on a free 127.0.0.1 port for the duration of the block."""
    # Bind here, so the port is ours before the thread starts: no race for a "free" port.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    thread = _ServerThread(create_app(db_path, latency_ms=latency_ms, seed=seed), sock)
    thread.start()
    thread.ready.wait(timeout=10)
    if thread.error is not None or not thread.is_alive():
        sock.close()
        raise RuntimeError("the Sandbox did not start") from thread.error
    url = f"http://127.0.0.1:{port}"
    handle = SandboxHandle(url)
    try:
        yield handle
    finally:
        handle.close()
        client.forget(url)  # the shared connector client would otherwise keep dead sockets
        thread.stop()
        sock.close()
