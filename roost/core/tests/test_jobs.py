"""Recurring jobs and worker services (roost/core/jobs.py): each app registers its own, one
worker per period runs each job, a failing job stops nothing else, and `roost worker`
starts what was registered — all in-process."""

from __future__ import annotations

import ast
import logging
import signal
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import OperationalError
from django.tasks import Task, TaskResultStatus
from django_tasks_db.models import DBTaskResult

import roost
from roost.core import clock, jobs
from roost.core import worker as worker_module
from roost.core.models import PeriodicJob, WorkerHeartbeat
from roost.core.tests import tasks_for_tests
from roost.core.worker import Scheduler, run_service
from roost.publishing import publisher as publisher_module
from roost.publishing.publisher import Publisher

EXPECTED_JOBS = {
    "analytics.reports": "roost.analytics.report_tasks.send_due_reports",
    "approvals.escalate": "roost.approvals.tasks.escalate_overdue",
    "core.prune_task_results": "roost.core.tasks.prune_task_results",
    "core.reap_tasks": "roost.core.reaper.reap_round",
    "inbox.poll": "roost.inbox.tasks.poll_inboxes",
    "inbox.presence_sweep": "roost.inbox.tasks.sweep_presence",
    "inbox.webhooks": "roost.inbox.tasks.send_webhooks",
    "analytics.collect": "roost.analytics.tasks.collect_metrics",
    "analytics.audience": "roost.analytics.tasks.collect_audience",
    "listening.collect": "roost.listening.tasks.collect_listening",
    "listening.alerts": "roost.listening.tasks.check_alerts",
    "briefing.due": "roost.briefing.tasks.send_due_briefs",
    "paid.pacing": "roost.paid.tasks.check_pacing",
    "paid.sync": "roost.paid.tasks.sync_ad_accounts",
    "paid.boosts": "roost.paid.tasks.sweep_boosts",
    "paid.experiments": "roost.paid.tasks.check_experiments",
    "team.onboarding": "roost.team.tasks_onboarding.refresh_onboarding_plans",
    "team.signals": "roost.team.tasks.workload_signals",
}


def path_of(run: Any) -> str:
    if isinstance(run, Task):
        return run.module_path
    return f"{run.__module__}.{run.__qualname__}"


def imports_of(path: Path) -> set[str]:
    """Every module a file imports (function-local imports included)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


@pytest.fixture
def only_test_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    """An empty registry for the test (the apps' own jobs and services are set aside)."""
    monkeypatch.setattr(jobs, "_JOBS", {})
    monkeypatch.setattr(jobs, "_SERVICES", {})


@pytest.fixture
def moving_clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[timedelta], None]:
    """clock.now() stands still until the test moves it."""
    state = {"at": clock.now()}
    monkeypatch.setattr(clock, "now", lambda: state["at"])

    def move(by: timedelta) -> None:
        state["at"] += by

    return move


@pytest.fixture
def quiet_connections(monkeypatch: pytest.MonkeyPatch) -> None:
    """The scheduler closes its connection after each tick; the test's must stay open."""
    monkeypatch.setattr(worker_module, "close_old_connections", lambda: None)
    monkeypatch.setattr(worker_module, "drop_connections", lambda: None)


def test_each_app_registers_its_own_jobs_and_the_publisher_as_a_service(settings: Any) -> None:
    assert {job.name: path_of(job.run) for job in jobs.registered()} == EXPECTED_JOBS
    settings.ROOST_INBOX_POLL_SECONDS = 7
    settings.ROOST_ANALYTICS_COLLECT_MINUTES = 3
    settings.ROOST_ANALYTICS_AUDIENCE_HOURS = 4
    settings.ROOST_LISTENING_COLLECT_MINUTES = 6
    settings.ROOST_TASK_LEASE_SECONDS = 40
    assert {job.name: job.period() for job in jobs.registered()} == {
        "analytics.reports": timedelta(minutes=5),
        "approvals.escalate": timedelta(minutes=1),
        "core.prune_task_results": timedelta(hours=24),
        "core.reap_tasks": timedelta(seconds=20),  # half a lease
        "inbox.poll": timedelta(seconds=7),
        "inbox.presence_sweep": timedelta(hours=1),
        "inbox.webhooks": timedelta(seconds=7),
        "analytics.collect": timedelta(minutes=3),
        "analytics.audience": timedelta(hours=4),
        "listening.collect": timedelta(minutes=6),
        "listening.alerts": timedelta(minutes=5),
        "briefing.due": timedelta(minutes=5),
        "paid.pacing": timedelta(hours=1),
        "paid.sync": timedelta(minutes=60),
        "paid.boosts": timedelta(minutes=1),
        "paid.experiments": timedelta(minutes=15),
        "team.onboarding": timedelta(minutes=5),
        "team.signals": timedelta(hours=1),
    }
    [(name, factory)] = jobs.services()
    assert name == "publishing.publisher"
    service = factory("w-registry")
    try:
        assert isinstance(service, Publisher) and service.worker_id == "w-registry"
    finally:
        service.drain()


def test_the_publisher_does_publishing_only_and_core_imports_no_app() -> None:
    """No app knows another app's schedule: the publisher runs no inbox, approvals or
    pruning work, and `core` (the worker command included) imports no app."""
    assert not hasattr(Publisher, "_periodic")
    imported = imports_of(Path(publisher_module.__file__))
    assert sorted(m for m in imported if m.startswith(("roost.inbox", "roost.approvals"))) == []
    assert "roost.core.periodic" not in imported
    core = Path(roost.__file__).parent / "core"
    leaks = {
        f"{path.relative_to(core)}: {module}"
        for path in core.rglob("*.py")
        if "tests" not in path.parts
        for module in imports_of(path)
        if module.startswith("roost.") and not module.startswith(("roost.core", "roost.settings"))
    }
    assert leaks == set()


def test_a_job_runs_once_per_period_across_workers(
    db: Any, only_test_jobs: None, moving_clock: Callable[[timedelta], None]
) -> None:
    """Two workers ask at each moment: one runs the job, the other does not; next period
    again exactly one does."""
    ran: list[str] = []
    jobs.register("test.often", timedelta(minutes=5), lambda: ran.append("often"))
    jobs.register("test.rarely", lambda: timedelta(hours=1), lambda: ran.append("rarely"))

    assert jobs.run_due() == ["test.often", "test.rarely"]  # worker 1
    assert jobs.run_due() == []  # worker 2, same period
    moving_clock(timedelta(minutes=4, seconds=59))
    assert jobs.run_due() == []
    moving_clock(timedelta(seconds=1))
    assert jobs.run_due() == ["test.often"]  # worker 2 this time
    assert jobs.run_due() == []  # worker 1
    assert ran == ["often", "rarely", "often"]
    assert PeriodicJob.objects.get(name="test.rarely").next_run_at == clock.now() + timedelta(
        minutes=55
    )


def test_a_job_s_task_is_enqueued_not_run_by_the_scheduler(
    db: Any, settings: Any, only_test_jobs: None
) -> None:
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    tasks_for_tests.RUNS.clear()
    jobs.register("test.task", timedelta(minutes=5), tasks_for_tests.noted)

    assert jobs.run_due() == ["test.task"]

    assert tasks_for_tests.RUNS == []  # waiting for a worker's task loop
    [row] = DBTaskResult.objects.all()
    assert (row.task_path, row.status) == (
        "roost.core.tests.tasks_for_tests.noted",
        TaskResultStatus.READY,
    )


def test_a_failing_job_is_logged_and_the_others_still_run(
    db: Any, only_test_jobs: None, caplog: pytest.LogCaptureFixture
) -> None:
    ran: list[str] = []

    def broken() -> None:
        raise RuntimeError("a bug in a job")

    def locked() -> None:
        raise OperationalError("database is locked")

    def no_period() -> timedelta:
        raise ValueError("a bad setting")

    jobs.register("test.a_broken", timedelta(minutes=5), broken)
    jobs.register("test.b_locked", timedelta(minutes=5), locked)
    jobs.register("test.c_no_period", no_period, lambda: ran.append("never"))
    jobs.register("test.d_fine", timedelta(minutes=5), lambda: ran.append("fine"))

    with caplog.at_level(logging.WARNING, logger="roost.jobs"):
        assert jobs.run_due() == ["test.d_fine"]

    assert ran == ["fine"]
    assert [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "roost.jobs"] == [
        ("ERROR", "recurring job test.a_broken failed; it runs again at its next turn"),
        (
            "WARNING",
            "recurring job test.b_locked failed: the database did not answer (database is "
            "locked); it runs again at its next turn",
        ),
        ("ERROR", "recurring job test.c_no_period: could not tell when it is due"),
    ]
    # A failed job has had its turn: it is not retried in a tight loop.
    assert jobs.run_due() == []
    assert ran == ["fine"]


def test_the_scheduler_waits_out_a_database_outage_and_carries_on(
    db: Any,
    only_test_jobs: None,
    quiet_connections: None,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    ran: list[str] = []
    jobs.register("test.job", timedelta(minutes=5), lambda: ran.append("job"))
    real_not_due = jobs.not_due
    answers = iter([OperationalError("database is locked"), None])

    def not_due(names: Any, now: Any) -> set[str]:
        failure = next(answers)
        if failure is not None:
            raise failure
        return real_not_due(names, now)

    monkeypatch.setattr(jobs, "not_due", not_due)
    scheduler = Scheduler()
    with caplog.at_level(logging.INFO, logger="roost.worker"):
        first = scheduler.step()
        assert ran == [] and 0.25 <= first <= 0.5  # backing off
        second = scheduler.step()
    assert ran == ["job"] and second == 1.0
    messages = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "roost.worker"]
    assert [level for level, _m in messages] == ["WARNING", "INFO"]
    assert messages[0][1].startswith("scheduler: the database did not answer")


def test_the_scheduler_ticks_often_enough_for_its_shortest_job(only_test_jobs: None) -> None:
    scheduler = Scheduler()
    assert scheduler.tick_seconds() == 1.0  # nothing registered
    jobs.register("test.slow", timedelta(hours=1), lambda: None)
    assert scheduler.tick_seconds() == 1.0
    jobs.register("test.fast", timedelta(seconds=0.75), lambda: None)
    assert scheduler.tick_seconds() == 0.375
    jobs.register("test.faster", timedelta(seconds=0.01), lambda: None)
    assert scheduler.tick_seconds() == 0.05


def test_a_crashing_service_is_started_afresh(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    started: list[str] = []
    waits: list[float] = []

    class Flaky:
        def __init__(self, worker_id: str) -> None:
            started.append(worker_id)

        def run(self, stop: threading.Event) -> None:
            if len(started) == 1:
                raise RuntimeError("a bug in a loop")
            stop.set()  # the second one runs until asked to stop (here it asks itself)

    class Stop(threading.Event):
        def wait(self, timeout: float | None = None) -> bool:
            waits.append(timeout or 0.0)
            return self.is_set()

    monkeypatch.setattr(worker_module, "backoff_delay", lambda failures: 0.5 * failures)
    with caplog.at_level(logging.ERROR, logger="roost.worker"):
        run_service("test.flaky", Flaky, "w-1", Stop())
    assert started == ["w-1", "w-1"]
    assert waits == [0.5]
    assert [r.getMessage() for r in caplog.records] == [
        "service test.flaky stopped with an error; starting it again"
    ]


class Recorder:
    """A registered service: notes its worker, runs until the worker stops."""

    runs: list[str] = []

    def __init__(self, worker_id: str) -> None:
        self.worker_id = worker_id

    def run(self, stop: threading.Event) -> None:
        self.runs.append(f"started {self.worker_id}")
        stop.wait()
        self.runs.append("stopped")


@pytest.fixture
def restored_signals() -> Iterator[None]:
    """The worker command installs its own signal handlers; the test process's return."""
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    yield
    for s, handler in saved.items():
        signal.signal(s, handler)


@pytest.mark.django_db(transaction=True)
def test_the_worker_starts_the_registered_services_and_runs_the_registered_jobs(
    settings: Any, only_test_jobs: None, restored_signals: None
) -> None:
    """`roost worker`, in this process: the scheduler enqueues the registered job's task,
    the task loop runs it (and, told to stop after one task, the worker stops); the
    registered service ran beside it for the worker's id and stopped with it."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    settings.ROOST_WORKER_HEARTBEAT_SECONDS = 60
    tasks_for_tests.RUNS.clear()
    Recorder.runs = []
    jobs.register("test.noted", timedelta(hours=1), tasks_for_tests.noted)
    jobs.register_service("test.recorder", Recorder)

    call_command("worker", "--max-tasks", "1", "--interval", "0.02")

    assert tasks_for_tests.RUNS == ["noted"]
    [row] = DBTaskResult.objects.all()
    assert (row.task_path, row.status) == (
        "roost.core.tests.tasks_for_tests.noted",
        TaskResultStatus.SUCCESSFUL,
    )
    worker_id = row.worker_ids[-1]
    assert Recorder.runs == [f"started {worker_id}", "stopped"]
    assert PeriodicJob.objects.filter(name="test.noted").exists()
    assert not WorkerHeartbeat.objects.filter(worker_id=worker_id).exists()  # forgotten
