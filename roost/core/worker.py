"""The loops of `roost worker` (task loop, heartbeat, scheduler, services), made to outlive
the database.

django-tasks-db's `Worker.run` claims each task in its own transaction (`BEGIN EXCLUSIVE`
on SQLite, `SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL). Only a "database is locked"
raised by the SELECT is handled there; the same error raised by the `BEGIN` (a write lock
held longer than the busy timeout), a lost connection or a PostgreSQL restart escapes
`run()`, and so does a failure to write a task's outcome. Any of them ended the worker.
`ResilientWorker` wraps that loop instead of copying it: when a database error escapes,
it logs once per streak, drops its connections, backs off (0.5 s doubling to 10 s, with
jitter), waits until the database takes a write again, records the outcome it could not
write, and runs the library's loop again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import close_old_connections, transaction
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from roost.core import health, jobs, reaper
from roost.core.resilience import DB_ERRORS, Outage, backoff_delay, drop_connections

logger = logging.getLogger("roost.worker")

OUTCOME_FIELDS = ["status", "return_value", "finished_at", "exception_class_path", "traceback"]


def database_takes_writes() -> bool:
    """True when the database answers and grants a write transaction (on SQLite the
    configured `BEGIN IMMEDIATE` waits for the write lock, up to the busy timeout)."""
    with transaction.atomic(), transaction.get_connection().cursor() as cursor:
        cursor.execute("SELECT 1")
    return True


class ResilientWorker(Worker):
    """django-tasks-db's worker, kept alive through database outages."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.outage = Outage(logger, "task worker")
        # A task that ran but whose outcome could not be written; written on recovery.
        self.unrecorded: DBTaskResult | None = None
        self.sleep: Callable[[float], None] = time.sleep

    def run(self) -> None:
        while True:
            try:
                super().run()
                return
            except DB_ERRORS as exc:
                if not self.running:
                    return  # asked to stop: no point waiting for the database
                self._wait_for_database(exc)

    def run_task(self, db_task_result: DBTaskResult) -> None:
        try:
            super().run_task(db_task_result)
        except DB_ERRORS:
            # The task ran; writing its outcome failed (the library retried it already).
            # Whatever outcome it holds in memory is written once the database answers. If
            # it was a success that could not be written, it is recorded as a failure with
            # the database error: the work was done, the record says why it looks failed.
            self.unrecorded = db_task_result
            raise

    def _wait_for_database(self, exc: BaseException) -> None:
        """Back off until the database takes a write again, then tidy what the outage left."""
        while self.running:
            self.sleep(self.outage.failed(exc))
            drop_connections()
            try:
                database_takes_writes()
                self._after_outage()
            except DB_ERRORS as again:
                exc = again
                drop_connections()
                continue
            self.outage.recovered()
            return

    def _after_outage(self) -> None:
        if self.unrecorded is not None:
            self.unrecorded.save(update_fields=OUTCOME_FIELDS)
            self.unrecorded = None
        # A claim whose COMMIT reached the database although the driver reported an error
        # left a task RUNNING under this worker, which is not running it: release it now
        # (this worker is alive, so no reaper would).
        reaper.reap_worker(self.worker_id)


class Heartbeat:
    """Writes this worker's heartbeat every `ROOST_WORKER_HEARTBEAT_SECONDS`. Never stops
    for a database error. (The reaper that reads the heartbeats is a recurring job: see
    `Scheduler`.)"""

    def __init__(self, worker_id: str, queues: str, started: datetime) -> None:
        self.worker_id = worker_id
        self.queues = queues
        self.started = started
        self.outage = Outage(logger, "heartbeat")

    def beat(self) -> None:
        health.beat(self.worker_id, self.queues, self.started)

    def first_beat(self, stop: threading.Event) -> bool:
        """Write the first beat, waiting out a database outage; False if asked to stop."""
        while not stop.is_set():
            try:
                self.beat()
            except DB_ERRORS as exc:
                drop_connections()
                stop.wait(self.outage.failed(exc))
                continue
            self.outage.recovered()
            return True
        return False

    def step(self) -> float:
        """One beat; returns the seconds until the next."""
        try:
            self.beat()
        except DB_ERRORS as exc:
            return min(self.outage.failed(exc), settings.ROOST_WORKER_HEARTBEAT_SECONDS)
        except Exception:  # a bug must not stop the beats
            logger.exception("heartbeat failed")
        else:
            self.outage.recovered()
        finally:
            drop_connections()
        return float(settings.ROOST_WORKER_HEARTBEAT_SECONDS)

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            stop.wait(self.step())


class Scheduler:
    """Starts the registered recurring jobs (roost/core/jobs.py) when it is this worker's
    turn. Ticks at least every second (more often when a job's period is shorter than two
    seconds); a tick reads the jobs' next times in one query and claims only the due ones.
    A failing job is logged by `jobs.run_due`; a database outage is waited out here."""

    MAX_TICK = 1.0
    MIN_TICK = 0.05

    def __init__(self) -> None:
        self.outage = Outage(logger, "scheduler")

    def tick_seconds(self) -> float:
        shortest = jobs.shortest_period()
        if shortest is None:
            return self.MAX_TICK
        return max(self.MIN_TICK, min(self.MAX_TICK, shortest.total_seconds() / 2))

    def step(self) -> float:
        """Start what is due; returns the seconds until the next tick."""
        try:
            jobs.run_due()
        except DB_ERRORS as exc:
            drop_connections()
            return self.outage.failed(exc)
        except Exception:  # a bug here must not stop the recurring jobs for good
            logger.exception("scheduler tick failed")
            close_old_connections()
        else:
            self.outage.recovered()
            close_old_connections()
        return self.tick_seconds()

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            stop.wait(self.step())


def run_service(
    name: str, factory: jobs.ServiceFactory, worker_id: str, stop: threading.Event
) -> None:
    """Run one registered service until `stop`; a service that crashes is logged and
    started afresh (0.5 s doubling to 10 s between starts), never left dead."""
    failures = 0
    while not stop.is_set():
        try:
            factory(worker_id).run(stop)
        except Exception:
            failures += 1
            logger.exception("service %s stopped with an error; starting it again", name)
            stop.wait(backoff_delay(failures))
        else:
            return
