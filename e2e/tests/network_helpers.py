"""Helpers for the end-to-end tests: the network's addresses, polling, AppView reads,
test accounts and the in-process publisher."""

from __future__ import annotations

import os
import secrets
import string
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from atproto import Client

from roost.core import clock, health
from roost.publishing.models import Delivery, DeliveryStatus
from roost.publishing.publisher import Publisher

PDS_URL = os.environ.get("E2E_PDS_URL", "")
APPVIEW_URL = os.environ.get("E2E_APPVIEW_URL", "")
WAIT_SECONDS = float(os.environ.get("E2E_WAIT_SECONDS", "20"))


def wait_for[T](
    what: str, probe: Callable[[], T | None], timeout: float = WAIT_SECONDS, every: float = 0.1
) -> T:
    """Ask `probe` until it answers something truthy; the AppView indexes with a delay, so
    the tests poll instead of sleeping a fixed time. Exceptions count as "not yet"."""
    deadline = time.monotonic() + timeout
    last: BaseException | None = None
    while True:
        try:
            value = probe()
        except Exception as exc:
            value, last = None, exc
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}: {last!r}")
        time.sleep(every)


@dataclass
class Account:
    """A test account on the local PDS, with an SDK client logged in as it."""

    handle: str
    password: str
    did: str
    sdk: Client


def letters(n: int) -> str:
    return "".join(secrets.choice(string.ascii_lowercase) for _ in range(n))


class AppView:
    """Unauthenticated reads from the AppView, as plain JSON."""

    def __init__(self, url: str) -> None:
        self.http = httpx.Client(base_url=url, timeout=10)

    def get(self, method: str, **params: Any) -> dict[str, Any]:
        response = self.http.get(f"/xrpc/{method}", params=params)
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def post(self, uri: str) -> dict[str, Any] | None:
        posts = self.get("app.bsky.feed.getPosts", uris=[uri])["posts"]
        return posts[0] if posts else None

    def profile(self, actor: str) -> dict[str, Any] | None:
        response = self.http.get("/xrpc/app.bsky.actor.getProfile", params={"actor": actor})
        return response.json() if response.status_code == 200 else None


def drain(worker_id: str = "e2e-worker", rounds: int = 400) -> Publisher:
    """Run the publisher in this thread until nothing is due or in flight (as
    roost/publishing/tests/conftest.py does)."""
    health.beat(worker_id, "*", clock.now())
    publisher = Publisher(worker_id)
    try:
        for _ in range(rounds):
            busy = publisher.step()
            due = Delivery.objects.filter(
                status=DeliveryStatus.SCHEDULED, next_attempt_at__lte=clock.now()
            ).exists()
            if not busy and not due and not publisher.inflight:
                break
    finally:
        publisher.drain()
    return publisher
