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
import contextlib
import functools
import json
import logging
import threading
import time
from collections import Counter, deque
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from queue import Empty, SimpleQueue
from typing import Any

from django.conf import settings
from django.db import close_old_connections, transaction
from django.db.models import F

from roost.channels.services import OpenConnector, connector_open
from roost.core import clock
from roost.core.resilience import DB_ERRORS, Outage, drop_connections
from roost.networks.base import Connector, Outcome, PublishRequest, Result
from roost.networks.sandbox.aclient import close_sessions
from roost.publishing.content import build_request
from roost.publishing.models import Delivery, DeliveryStatus
from roost.publishing.services.delivery import (
    PublishInputs,
    any_due,
    claim_due,
    publish_inputs,
    record_many,
    recover_stale,
)

log = logging.getLogger("roost.publisher")
# Connectors whose SDK client is not safe to share between threads get one call at a time.
PER_CHANNEL_OVERRIDE = {"bluesky": 1, "mastodon": 1}


@dataclass
class Job:
    delivery: Delivery
    opened: OpenConnector
    variants: dict[int, str]
    assets: list
    threads: dict[int, list[str]] = field(default_factory=dict)
    started: float = 0.0  # when its try was launched (perf_counter)
    took: float = 0.0  # seconds from launch to outcome

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
        threads=job.threads,
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


async def _thread_cpu() -> float:
    """CPU seconds used so far by the thread running the event loop."""
    return time.thread_time()


class Stages:
    """Where one publisher's time goes: seconds spent in each stage of its loop, the
    deliveries it finished, how long their network calls took, and the CPU used by its
    two threads. Logged when the publisher stops (`publisher <id> stats {json}`), which is
    how bench/publish.py explains a slow run."""

    NAMES = ("claim", "prepare", "wait", "record", "sweep")

    def __init__(self) -> None:
        self.seconds = dict.fromkeys(self.NAMES, 0.0)
        self.cpu = dict.fromkeys(self.NAMES, 0.0)  # of those seconds, on this thread's CPU
        self.deliveries = 0
        self.batches = 0
        self.network: deque[float] = deque(maxlen=100_000)

    @contextmanager
    def timed(self, name: str) -> Iterator[None]:
        started, cpu = time.perf_counter(), time.thread_time()
        try:
            yield
        finally:
            self.seconds[name] += time.perf_counter() - started
            self.cpu[name] += time.thread_time() - cpu

    def summary(self, *, loop_cpu: float | None, thread_cpu: float) -> dict[str, Any]:
        calls = sorted(self.network)

        def at(q: float) -> float | None:
            if not calls:
                return None
            return round(calls[min(len(calls) - 1, round(q * (len(calls) - 1)))], 4)

        return {
            "deliveries": self.deliveries,
            "batches": self.batches,
            "seconds": {k: round(v, 3) for k, v in self.seconds.items()},
            "cpu_seconds": {k: round(v, 3) for k, v in self.cpu.items()},
            "network_s": {"p50": at(0.5), "p99": at(0.99), "max": at(1.0)},
            "cpu_s": {
                "loop_thread": round(thread_cpu, 3),
                "network_thread": None if loop_cpu is None else round(loop_cpu, 3),
            },
        }


class Publisher:
    def __init__(self, worker_id: str) -> None:
        self.worker_id = worker_id
        self.concurrency = settings.ROOST_PUBLISH_CONCURRENCY
        self.pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix="publish")
        self.inflight: dict[int, Job] = {}  # by delivery id
        self.waiting: deque[Delivery] = deque()
        self.inputs: dict[int, PublishInputs] = {}  # of waiting deliveries, by id
        # Finished tries, handed over by the event loop: (job, result, called_at).
        self.finished: SimpleQueue[tuple[Job, Result, datetime]] = SimpleQueue()
        # Taken from `finished` but not yet written (the write failed): tried again first.
        self.unrecorded: list[tuple[Job, Result, datetime]] = []
        self.by_channel: Counter[int] = Counter()
        self.by_network: Counter[str] = Counter()
        self.stages = Stages()
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

    # --- the event loop's side ------------------------------------------------------
    def _launch(self, jobs: list[Job]) -> None:
        """On the event loop: start a batch of tries (one hand-over per batch)."""
        for job in jobs:
            job.started = time.perf_counter()
            task = self.loop.create_task(attempt_async(job, self.pool))
            task.add_done_callback(functools.partial(self._landed, job))

    def _landed(self, job: Job, task: asyncio.Task[tuple[Result, datetime]]) -> None:
        """On the event loop: hand a finished try to the publisher's thread."""
        if task.cancelled():
            return
        job.took = time.perf_counter() - job.started
        result, called_at = task.result()  # attempt_async never raises
        self.finished.put((job, result, called_at))

    # --- the loop -------------------------------------------------------------------
    def _start_waiting(self) -> None:
        held: deque[Delivery] = deque()
        jobs: list[Job] = []
        while self.waiting:
            d = self.waiting.popleft()
            if not self._fits(d):
                held.append(d)
                continue
            inputs = self.inputs.pop(d.pk)
            job = Job(
                delivery=d,
                opened=self._connector(d),
                variants=inputs.variants,
                threads=inputs.threads,
                assets=inputs.assets,
            )
            self.by_channel[d.channel_id] += 1
            self.by_network[d.channel.network] += 1
            self.inflight[d.pk] = job
            jobs.append(job)
        self.waiting = held
        if jobs:
            self.loop.call_soon_threadsafe(self._launch, jobs)

    def _claim(self, limit: int) -> list[Delivery]:
        """Claim due deliveries and read what their requests are built from; they wait."""
        claimed = claim_due(worker_id=self.worker_id, limit=limit)
        self.inputs.update(publish_inputs(claimed))
        self.waiting.extend(claimed)
        return claimed

    def _collect(self, timeout: float) -> list[tuple[Job, Result, datetime]]:
        """The tries finished so far: waits up to `timeout` for the first one."""
        try:
            done = [self.finished.get(timeout=timeout)]
        except Empty:
            return []
        while True:
            try:
                done.append(self.finished.get_nowait())
            except Empty:
                return done

    def _write(self, done: list[tuple[Job, Result, datetime]], claim: int) -> list[Delivery]:
        """One write transaction: record the finished tries (set-based, with their posts'
        status) and claim up to `claim` more. On SQLite every write transaction queues for
        the one writer, so one a round instead of two halves the waiting; if it fails,
        nothing was written and the outcomes are kept for the next round."""
        self.unrecorded = done
        claimed: list[Delivery] = []
        with transaction.atomic():
            if done:
                with self.stages.timed("record"):
                    record_many([(job.delivery, result, at) for job, result, at in done])
            if claim:
                with self.stages.timed("claim"):
                    claimed = self._claim(claim)
        self.unrecorded = []
        for job, _result, _at in done:
            d = job.delivery
            self.inflight.pop(d.pk, None)
            self.by_channel[d.channel_id] -= 1
            self.by_network[d.channel.network] -= 1
            self.stages.network.append(job.took)
            self._keep_credentials(job)
        if done:
            self.stages.deliveries += len(done)
            self.stages.batches += 1
        return claimed

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
        """One round: take the tries that finished, record them and claim what fits in the
        same transaction, start what was claimed. True: there is work."""
        done = list(self.unrecorded)
        if len(self.inflight) > len(done):
            with self.stages.timed("wait"):
                done += self._collect(settings.ROOST_PUBLISH_POLL_SECONDS)
        room = self.concurrency - (len(self.inflight) - len(done)) - len(self.waiting)
        want = 0
        if room > 0:
            with self.stages.timed("claim"):  # a read: nothing due takes no write lock
                want = min(room, 500) if any_due() else 0
        claimed = self._write(done, want) if done or want else []
        with self.stages.timed("prepare"):
            self._start_waiting()
        return bool(done or claimed or self.inflight)

    def run(self, stop: threading.Event) -> None:
        log.info("publisher %s started", self.worker_id)
        last_sweep = 0.0
        outage = Outage(log, "publisher")
        try:
            while not stop.is_set():
                try:
                    busy = self.step()
                    if time.monotonic() - last_sweep > 2.0:
                        with self.stages.timed("sweep"):
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

    def _log_stats(self) -> None:
        loop_cpu = None
        if self.loop.is_running():
            with contextlib.suppress(Exception):
                loop_cpu = asyncio.run_coroutine_threadsafe(_thread_cpu(), self.loop).result(5)
        summary = self.stages.summary(loop_cpu=loop_cpu, thread_cpu=time.thread_time())
        log.info("publisher %s stats %s", self.worker_id, json.dumps(summary))

    def drain(self, timeout: float = 30.0) -> None:
        """On shutdown: finish the calls in flight and record them; release the rest.
        Without a database the deliveries stay claimed: recovery asks the network about
        them once their lease runs out (see recover_stale)."""
        try:
            deadline = time.monotonic() + timeout
            while self.inflight and time.monotonic() < deadline:
                done = list(self.unrecorded)
                done += self._collect(min(1.0, max(0.0, deadline - time.monotonic())))
                if done:
                    self._write(done, claim=0)
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
                self.inputs.clear()
        except DB_ERRORS as exc:
            log.warning("publisher stopping without a database (%s); recovery will finish", exc)
        self.pool.shutdown(wait=False, cancel_futures=True)
        self._log_stats()
        if self.loop.is_running():
            asyncio.run_coroutine_threadsafe(close_sessions(), self.loop).result(timeout=10)
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.loop_thread.join(timeout=10)
