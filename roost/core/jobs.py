"""Recurring jobs and worker services, registered by the apps that own them.

`core` knows no app. Each app tells it, from its AppConfig.ready(), what has to happen
every so often (`register`: the inbox poll, the metrics refresh, approval escalations…)
and which long-running loops a worker runs beside its task loop (`register_service`: the
publisher). `roost worker` starts every registered service in a thread of its own, and
one scheduler thread (roost/core/worker.py `Scheduler`) that asks `core.periodic` whose
turn each job is: exactly one worker per period, across all workers, starts it.

A job's work is normally a django.tasks `Task`: the scheduler only enqueues it, and any
worker's task loop runs it (with the crash policy it declares, see roost/core/tasks.py).
A plain function runs in the scheduler thread itself; keep that for short work that
must not wait behind the queue (the task reaper). A job that fails is logged and tried
again at its next turn; it never stops the others, or the loop.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from django.tasks import Task

from roost.core import clock
from roost.core.periodic import claim_turn, not_due
from roost.core.resilience import DB_ERRORS

log = logging.getLogger("roost.jobs")

Period = timedelta | Callable[[], timedelta]


@dataclass(frozen=True)
class Job:
    """Something to start every `every` (a timedelta, or a function returning one so that
    it follows settings), on one worker."""

    name: str
    every: Period
    run: Task[Any, Any] | Callable[[], object]

    def period(self) -> timedelta:
        return self.every() if callable(self.every) else self.every

    def start(self) -> None:
        """Enqueue the task, or run the function here."""
        if isinstance(self.run, Task):
            self.run.enqueue()
        else:
            self.run()


class Service(Protocol):
    """A loop a worker runs in its own thread until `stop` is set (the publisher)."""

    def run(self, stop: threading.Event) -> None: ...


# Builds a fresh service for a worker, given the worker's id.
ServiceFactory = Callable[[str], Service]

_JOBS: dict[str, Job] = {}
_SERVICES: dict[str, ServiceFactory] = {}


def register(name: str, every: Period, run: Task[Any, Any] | Callable[[], object]) -> None:
    """Start `run` every `every` on one worker. `name` ("<app>.<what>") identifies the job
    across workers and restarts; registering a name again replaces it."""
    _JOBS[name] = Job(name, every, run)


def registered() -> list[Job]:
    """Every registered job, by name."""
    return [_JOBS[name] for name in sorted(_JOBS)]


def register_service(name: str, factory: ServiceFactory) -> None:
    """Run `factory(worker_id).run(stop)` in its own thread in every `roost worker`."""
    _SERVICES[name] = factory


def services() -> list[tuple[str, ServiceFactory]]:
    """Every registered service, by name."""
    return sorted(_SERVICES.items())


def run_due(jobs: Iterable[Job] | None = None) -> list[str]:
    """Start each job whose turn it is, here (see core.periodic.claim_turn); returns the
    names started. A job that raises is logged and left for its next turn. Database
    errors while claiming propagate: the caller backs off (the database is away)."""
    jobs = list(registered() if jobs is None else jobs)
    waiting = not_due([job.name for job in jobs], clock.now())  # one read, most ticks
    started = []
    for job in jobs:
        if job.name in waiting:
            continue
        try:
            due = claim_turn(job.name, job.period())
        except DB_ERRORS:
            raise
        except Exception:
            log.exception("recurring job %s: could not tell when it is due", job.name)
            continue
        if not due:
            continue
        try:
            job.start()
        except DB_ERRORS as exc:
            log.warning(
                "recurring job %s failed: the database did not answer (%s); it runs again "
                "at its next turn",
                job.name,
                exc,
            )
        except Exception:
            log.exception("recurring job %s failed; it runs again at its next turn", job.name)
        else:
            started.append(job.name)
    return started


def shortest_period() -> timedelta | None:
    """The shortest period of any registered job (None: no jobs)."""
    periods = []
    for job in registered():
        try:
            periods.append(job.period())
        except Exception:
            log.exception("recurring job %s: could not tell its period", job.name)
    return min(periods, default=None)
