"""The publisher loop: claim due deliveries in batches, make the network calls
concurrently within per-channel and per-network limits, record each outcome.

It runs as a thread inside every `roost worker` (a service registered by PublishingConfig,
see roost/core/jobs.py); any number of workers may run, on any machine. It does publishing
only: other recurring work belongs to the app that owns it, as a registered job.

Django's task queue is not used per delivery: at one queue task per delivery the queue
tops out near 500 tasks/s on this class of machine before any network I/O, and a burst of
10,000 posts due at one instant would be minutes late (see docs/performance.md).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import Counter, deque
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import close_old_connections
from django.db.models import F

from roost.channels.services import OpenConnector, connector_open
from roost.core import clock
from roost.core.resilience import DB_ERRORS, Outage, drop_connections
from roost.networks.base import Connector, Outcome, PublishRequest, Result
from roost.networks.sandbox.aclient import close_sessions
from roost.publishing.content import build_request
from roost.publishing.models import Delivery, DeliveryStatus
from roost.publishing.services.delivery import claim_due, record_many, recover_stale
from roost.publishing.services.scheduling import post_refresh_status

log = logging.getLogger("roost.publisher")
# Connectors whose SDK client is not safe to share between threads get one call at a time.
PER_CHANNEL_OVERRIDE = {"bluesky": 1, "mastodon": 1}


@dataclass
class Job:
    delivery: Delivery
    opened: OpenConnector
    variants: dict[int, str]
    assets: list

    @property
    def connector(self) -> Connector:
        return self.opened.connector


def _request(job: Job) -> PublishRequest:
    d = job.delivery
    return build_request(
        d.post,
        d.channel,
        key=d.idempotency_key,
        first_attempt_at=d.earlier_try_at,
        variants=job.variants,
        assets=job.assets,
    )


def attempt(job: Job) -> tuple[Result, datetime]:
    """The network side of one try. Runs in a pool thread: no ORM here."""
    d = job.delivery
    called_at = clock.now()
    try:
        request = _request(job)
        if d.in_doubt:
            found = job.connector.find_existing(request)
            if found.outcome is not Outcome.OK or found.published is not None:
                return found, called_at
        return job.connector.publish(request), called_at
    except Exception as exc:  # a connector bug must not kill the loop
        log.exception("delivery %s: unexpected error", d.pk)
        return Result(Outcome.RETRYABLE, reason=f"Unexpected error: {exc}"), called_at


async def attempt_async(job: Job, pool: ThreadPoolExecutor) -> tuple[Result, datetime]:
    """The same try on the event loop, for connectors that offer async calls; others (and
    requests with media to read from storage) use the thread pool."""
    connector: Any = job.connector
    if not hasattr(connector, "publish_async"):
        return await asyncio.get_running_loop().run_in_executor(pool, attempt, job)
    d = job.delivery
    called_at = clock.now()
    try:
        if job.assets:
            request = await asyncio.get_running_loop().run_in_executor(pool, _request, job)
        else:
            request = _request(job)
        if d.in_doubt:
            found = await connector.find_existing_async(request)
            if found.outcome is not Outcome.OK or found.published is not None:
                return found, called_at
        return await connector.publish_async(request), called_at
    except Exception as exc:  # a connector bug must not kill the loop
        log.exception("delivery %s: unexpected error", d.pk)
        return Result(Outcome.RETRYABLE, reason=f"Unexpected error: {exc}"), called_at


class Publisher:
    def __init__(self, worker_id: str) -> None:
        self.worker_id = worker_id
        self.concurrency = settings.ROOST_PUBLISH_CONCURRENCY
        self.pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix="publish")
        self.inflight: dict[Future[tuple[Result, datetime]], Job] = {}
        self.waiting: deque[Delivery] = deque()
        self.by_channel: Counter[int] = Counter()
        self.by_network: Counter[str] = Counter()
        # One connector per channel, rebuilt when the stored channel changes.
        self.connectors: dict[int, tuple[tuple[object, ...], OpenConnector]] = {}
        # Network calls run on one event loop (async connectors) or the pool (sync ones).
        self.loop = asyncio.new_event_loop()
        self.loop_thread = threading.Thread(
            target=self.loop.run_forever, name="publish-loop", daemon=True
        )
        self.loop_thread.start()

    # --- limits ---------------------------------------------------------------------
    def _channel_limit(self, network: str) -> int:
        return PER_CHANNEL_OVERRIDE.get(network, settings.ROOST_PUBLISH_PER_CHANNEL)

    def _fits(self, d: Delivery) -> bool:
        network = d.channel.network
        return self.by_channel[d.channel_id] < self._channel_limit(network) and self.by_network[
            network
        ] < settings.ROOST_PUBLISH_PER_NETWORK.get(network, self.concurrency)

    def _connector(self, d: Delivery) -> OpenConnector:
        channel = d.channel
        version = (channel.updated_at, channel.credentials_encrypted)
        cached = self.connectors.get(channel.pk)
        if cached is None or cached[0] != version:
            cached = (version, connector_open(channel))
            self.connectors[channel.pk] = cached
        return cached[1]

    # --- the loop -------------------------------------------------------------------
    def _start_waiting(self) -> None:
        held: deque[Delivery] = deque()
        while self.waiting:
            d = self.waiting.popleft()
            if not self._fits(d):
                held.append(d)
                continue
            post = d.post
            job = Job(
                delivery=d,
                opened=self._connector(d),
                variants={v.channel_id: v.text for v in post.variants.all()},
                assets=[pm.asset for pm in post.postmedia_set.all()],
            )
            self.by_channel[d.channel_id] += 1
            self.by_network[d.channel.network] += 1
            future = asyncio.run_coroutine_threadsafe(attempt_async(job, self.pool), self.loop)
            self.inflight[future] = job
        self.waiting = held

    def _finish(self, futures: set[Future[tuple[Result, datetime]]]) -> None:
        """Record finished tries in one batch (set-based writes, one commit)."""
        items: list[tuple[Delivery, Result, datetime | None]] = []
        for future in futures:
            job = self.inflight.pop(future)
            d = job.delivery
            self.by_channel[d.channel_id] -= 1
            self.by_network[d.channel.network] -= 1
            result, called_at = future.result()
            items.append((d, result, called_at))
            self._keep_credentials(job)
        record_many(items)
        post_refresh_status(d.post_id for d, _r, _c in items)

    def _keep_credentials(self, job: Job) -> None:
        """Store credentials the connector refreshed (a new session), once per change; the
        cached connector then matches the channel as stored, so it is kept."""
        if not job.opened.keep_refreshed():
            return
        channel = job.delivery.channel
        cached = self.connectors.get(channel.pk)
        if cached is not None and cached[1] is job.opened:
            self.connectors[channel.pk] = ((channel.updated_at, job.opened.read), job.opened)

    def step(self) -> bool:
        """One round: record what finished, claim what fits, start it. True: did work."""
        room = self.concurrency - len(self.inflight) - len(self.waiting)
        claimed = []
        if room > 0:
            claimed = claim_due(worker_id=self.worker_id, limit=min(room, 500))
            self.waiting.extend(claimed)
        self._start_waiting()
        if not self.inflight:
            return bool(claimed)
        done, _pending = wait(
            list(self.inflight),
            timeout=settings.ROOST_PUBLISH_POLL_SECONDS,
            return_when=FIRST_COMPLETED,
        )
        if done:
            self._finish(set(done))
        return True

    def run(self, stop: threading.Event) -> None:
        log.info("publisher %s started", self.worker_id)
        last_sweep = 0.0
        outage = Outage(log, "publisher")
        try:
            while not stop.is_set():
                try:
                    busy = self.step()
                    if time.monotonic() - last_sweep > 2.0:
                        recover_stale()  # publishing's own lease recovery
                        last_sweep = time.monotonic()
                except DB_ERRORS as exc:
                    # Locked, disconnected or restarting: one warning per outage, back off.
                    drop_connections()
                    stop.wait(outage.failed(exc))
                    continue
                except Exception:
                    log.exception("publisher round failed; retrying")
                    close_old_connections()
                    busy = False
                else:
                    outage.recovered()
                if not busy:
                    stop.wait(settings.ROOST_PUBLISH_POLL_SECONDS)
        finally:
            self.drain()

    def drain(self, timeout: float = 30.0) -> None:
        """On shutdown: finish the calls in flight and record them; release the rest.
        Without a database the deliveries stay claimed: recovery asks the network about
        them once their lease runs out (see recover_stale)."""
        try:
            if self.inflight:
                done, _pending = wait(list(self.inflight), timeout=timeout)
                self._finish(set(done))
            if self.waiting:
                ids = [d.pk for d in self.waiting]
                Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.SENDING).update(
                    status=DeliveryStatus.SCHEDULED,
                    claim_token="",
                    claimed_by="",
                    claimed_at=None,
                    attempts=F("attempts") - 1,
                )
                self.waiting.clear()
        except DB_ERRORS as exc:
            log.warning("publisher stopping without a database (%s); recovery will finish", exc)
        self.pool.shutdown(wait=False, cancel_futures=True)
        if self.loop.is_running():
            asyncio.run_coroutine_threadsafe(close_sessions(), self.loop).result(timeout=10)
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.loop_thread.join(timeout=10)
