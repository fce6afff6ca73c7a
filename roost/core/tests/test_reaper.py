"""The reaper (tasks of dead workers), the crash policies, the backoff, and the task loop
that outlives database errors, in-process."""

from __future__ import annotations

import importlib
import logging
import random
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import OperationalError
from django.tasks import Task, TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult, get_date_max

import roost
from roost.core import clock, health, reaper
from roost.core import worker as worker_module
from roost.core.models import WorkerHeartbeat
from roost.core.resilience import Outage, backoff_delay
from roost.core.tasks import CrashPolicy, crash_policy, ping
from roost.core.tests.tasks_for_tests import undeclared, wait_for_go
from roost.core.worker import ResilientWorker

DB_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
PING = "roost.core.tasks.ping"
LOST = "roost.core.tasks.WorkerLost"


@pytest.fixture
def db_tasks(settings: Any, db: Any) -> None:
    """Tasks go to the database queue (the test settings run them immediately)."""
    settings.TASKS = DB_BACKEND
    settings.ROOST_TASK_LEASE_SECONDS = 60


def running(
    task_path: str, worker_id: str, started: datetime, args: list[Any] | None = None
) -> DBTaskResult:
    """A task result as django-tasks-db leaves it once `worker_id` has claimed it."""
    return DBTaskResult.objects.create(
        status=TaskResultStatus.RUNNING,
        task_path=task_path,
        args_kwargs={"args": args or [], "kwargs": {}},
        worker_ids=[worker_id],
        started_at=started,
        run_after=get_date_max(),
        backend_name="default",
    )


def beat(worker_id: str, last_seen: datetime) -> None:
    WorkerHeartbeat.objects.create(
        worker_id=worker_id, hostname="h", pid=1, queues="*", last_seen=last_seen
    )


def product_tasks() -> dict[str, Task[Any, Any]]:
    """Every task defined in the product's code (tests aside), found by walking the tree."""
    root = Path(roost.__file__).parent
    found: dict[str, Task[Any, Any]] = {}
    for path in root.rglob("*.py"):
        if "tests" in path.parts or "@task(" not in path.read_text():
            continue
        name = ".".join(path.relative_to(root.parent).with_suffix("").parts)
        for value in vars(importlib.import_module(name)).values():
            if isinstance(value, Task) and value.module_path.startswith(f"{name}."):
                found[value.module_path] = value
    return found


def test_every_task_declares_what_happens_after_a_crash() -> None:
    """Every @task in the tree is re-run or handed to a `lost` handler (none is left to the
    default), and the one-shot reply is never re-run."""
    tasks = product_tasks()
    assert {
        PING,
        "roost.analytics.tasks.collect_metrics",
        "roost.analytics.tasks.collect_audience",
        "roost.inbox.tasks.poll_inboxes",
        "roost.inbox.tasks.send_webhooks",
        "roost.inbox.tasks.send_approved_reply",
        "roost.inbox.tasks.reply_send_lost",
        "roost.inbox.tasks.sweep_presence",
        "roost.approvals.tasks.escalate_overdue",
        "roost.core.tasks.prune_task_results",
        "roost.core.mail.send_email",
    } <= set(tasks)
    undeclared_tasks = [
        path for path in tasks if not crash_policy(path).rerun and crash_policy(path).lost is None
    ]
    assert undeclared_tasks == []
    reply = crash_policy("roost.inbox.tasks.send_approved_reply")
    assert reply.rerun is False
    assert reply.lost is tasks["roost.inbox.tasks.reply_send_lost"]
    assert crash_policy(reply.lost.module_path).rerun is True
    assert crash_policy(undeclared.module_path) == CrashPolicy()
    assert crash_policy("roost.nowhere.gone") == CrashPolicy()


@pytest.mark.parametrize("heartbeat", ["stale", "missing"])
def test_a_recoverable_task_of_a_dead_worker_fails_and_is_enqueued_again(
    db_tasks: None, heartbeat: str, caplog: pytest.LogCaptureFixture
) -> None:
    now = clock.now()
    if heartbeat == "stale":
        beat("w-dead", now - timedelta(minutes=5))
    lost = running(PING, "w-dead", now - timedelta(minutes=5))

    with caplog.at_level(logging.WARNING, logger="roost.reaper"):
        recovered = reaper.reap(now=now)

    lost.refresh_from_db()
    assert lost.status == TaskResultStatus.FAILED
    assert lost.finished_at == now
    assert lost.exception_class_path == LOST
    assert lost.traceback == f"{LOST}: worker w-dead stopped while running this task\n"
    again = DBTaskResult.objects.exclude(pk=lost.pk).get()
    assert (again.status, again.task_path, again.args_kwargs) == (
        TaskResultStatus.READY,
        PING,
        {"args": [], "kwargs": {}},
    )
    assert again.worker_ids == []
    assert recovered == [
        reaper.Recovery(str(lost.pk), PING, "w-dead", "re-enqueued", str(again.pk))
    ]
    assert [r.levelname for r in caplog.records] == ["WARNING"]
    assert str(lost.pk) in caplog.text and "worker w-dead stopped" in caplog.text
    assert str(again.pk) in caplog.text
    # The result reads as a failure with its reason through Django's own task API.
    result = ping.get_result(str(lost.pk))
    assert result.status == TaskResultStatus.FAILED
    assert result.errors[0].traceback.endswith("worker w-dead stopped while running this task\n")

    assert reaper.reap(now=now + timedelta(minutes=5)) == []  # once only
    assert DBTaskResult.objects.count() == 2


def test_arguments_of_the_task_are_enqueued_again(db_tasks: None) -> None:
    now = clock.now()
    lost = running(wait_for_go.module_path, "w-dead", now - timedelta(minutes=2), ["/tmp/x"])
    reaper.reap(now=now)
    again = DBTaskResult.objects.exclude(pk=lost.pk).get()
    assert again.task_path == wait_for_go.module_path
    assert again.args_kwargs == {"args": ["/tmp/x"], "kwargs": {}}


def test_a_task_of_a_live_worker_or_inside_the_lease_is_left_alone(db_tasks: None) -> None:
    now = clock.now()
    beat("w-alive", now - timedelta(seconds=5))
    long_running = running(PING, "w-alive", now - timedelta(hours=3))
    just_started = running(PING, "w-gone", now - timedelta(seconds=30))
    spared = running(PING, "w-me", now - timedelta(hours=1))  # the caller, stale or not

    assert reaper.reap(now=now, spare={"w-me"}) == []

    for result in (long_running, just_started, spared):
        result.refresh_from_db()
        assert result.status == TaskResultStatus.RUNNING
    assert DBTaskResult.objects.count() == 3
    # Once the lease has passed with no beat from w-gone, its task is recovered.
    later = now + timedelta(seconds=31)
    assert [r.worker_id for r in reaper.reap(now=later, spare={"w-me"})] == ["w-gone"]


def test_a_task_that_declares_nothing_stays_failed_and_is_not_run_again(db_tasks: None) -> None:
    now = clock.now()
    lost = running(undeclared.module_path, "w-dead", now - timedelta(minutes=5), [7])
    [recovery] = reaper.reap(now=now)
    lost.refresh_from_db()
    assert lost.status == TaskResultStatus.FAILED and lost.exception_class_path == LOST
    assert recovery.followup_id is None
    assert recovery.action == "left failed (not declared safe to run again)"
    assert DBTaskResult.objects.count() == 1


def test_a_worker_releases_tasks_it_claimed_but_never_ran(db_tasks: None) -> None:
    now = clock.now()
    beat("w-me", now)
    mine = running(PING, "w-me", now)
    theirs = running(PING, "w-other", now)
    [recovery] = reaper.reap_worker("w-me", now=now)
    assert recovery.result_id == str(mine.pk) and recovery.action == "re-enqueued"
    theirs.refresh_from_db()
    assert theirs.status == TaskResultStatus.RUNNING


def test_a_round_recovers_and_forgets_long_dead_workers(db_tasks: None) -> None:
    """(How often a round runs, and on which worker, is the scheduler's: see test_jobs.)"""
    now = clock.now()
    beat("w-hour-ago", now - timedelta(hours=1, seconds=1))
    beat("w-recent", now - timedelta(minutes=59))
    lost = running(PING, "w-hour-ago", now - timedelta(hours=2))

    [recovery] = reaper.reap_round(now=now)

    assert recovery.result_id == str(lost.pk)
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["w-recent"]


def test_a_round_spares_the_workers_of_this_process(db_tasks: None) -> None:
    """A worker in this process is alive, whatever its last heartbeat says (a database
    outage kept it from beating, say): its running task is not taken from it."""
    now = clock.now()
    health.beat("w-here", "*", now)
    WorkerHeartbeat.objects.filter(worker_id="w-here").update(last_seen=now - timedelta(hours=2))
    mine = running(PING, "w-here", now - timedelta(hours=2))
    try:
        assert reaper.reap_round(now=now) == []
        mine.refresh_from_db()
        assert mine.status == TaskResultStatus.RUNNING
    finally:
        health.forget("w-here")
    [recovery] = reaper.reap_round(now=now)  # gone from this process: recovered
    assert recovery.result_id == str(mine.pk)


def test_backoff_doubles_from_half_a_second_to_ten_with_jitter() -> None:
    rng = random.Random(1)
    ceilings = [0.5, 1, 2, 4, 8, 10, 10]
    for failures, ceiling in enumerate(ceilings, start=1):
        for _ in range(20):
            assert ceiling / 2 <= backoff_delay(failures, rng=rng) <= ceiling
    assert len({backoff_delay(3, rng=rng) for _ in range(5)}) == 5  # jittered
    # A long outage counts thousands of failures in a row: still at most the cap.
    assert 5 <= backoff_delay(5000, rng=rng) <= 10


def test_an_outage_is_logged_once_and_its_end_once(caplog: pytest.LogCaptureFixture) -> None:
    outage = Outage(logging.getLogger("roost.test"), "loop")
    with caplog.at_level(logging.DEBUG, logger="roost.test"):
        for _ in range(3):
            outage.failed(OperationalError("database is locked"))
        outage.recovered()
        outage.recovered()
    levels = [r.levelname for r in caplog.records]
    assert levels == ["WARNING", "DEBUG", "DEBUG", "INFO"]
    assert caplog.records[0].getMessage() == (
        "loop: the database did not answer (OperationalError: database is locked); "
        "backing off and retrying"
    )
    assert "after 3 failed tries" in caplog.records[-1].getMessage()


def make_worker(**kwargs: Any) -> ResilientWorker:
    options: dict[str, Any] = {
        "queue_names": ["*"],
        "interval": 0,
        "batch": True,
        "backend_name": "default",
        "startup_delay": False,
        "max_tasks": None,
        "worker_id": "w-test",
        "excluded_queue_names": [],
    }
    options.update(kwargs)
    return ResilientWorker(**options)


def test_the_task_loop_backs_off_through_database_errors_and_carries_on(
    db: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The library's loop raising (the SQLite `BEGIN EXCLUSIVE` timing out, a lost
    connection) does not end the worker: it backs off until the database takes a write."""
    loops: list[int] = []

    def library_loop(self: Worker) -> None:
        loops.append(1)
        if len(loops) <= 2:
            raise OperationalError("database is locked")

    probes = iter([OperationalError("database is locked"), None, None])

    def probe() -> bool:
        failure = next(probes)
        if failure is not None:
            raise failure
        return True

    dropped: list[int] = []
    monkeypatch.setattr(Worker, "run", library_loop)
    monkeypatch.setattr(worker_module, "database_takes_writes", probe)
    monkeypatch.setattr(worker_module, "drop_connections", lambda: dropped.append(1))
    worker = make_worker()
    slept: list[float] = []
    worker.sleep = slept.append

    with caplog.at_level(logging.INFO, logger="roost.worker"):
        worker.run()

    assert len(loops) == 3  # ran again after each outage, then ended normally (batch)
    # First outage: fail, wait, probe fails, wait longer, probe answers. Second: one wait.
    assert len(slept) == 3
    assert 0.25 <= slept[0] <= 0.5 and 0.5 <= slept[1] <= 1 and 0.25 <= slept[2] <= 0.5
    assert len(dropped) >= 3
    messages = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "roost.worker"]
    assert [level for level, _m in messages] == ["WARNING", "INFO", "WARNING", "INFO"]
    assert "after 2 failed tries" in messages[1][1] and "after 1 failed tries" in messages[3][1]


@pytest.mark.skipif(
    "postgresql" in settings.DATABASES["default"]["ENGINE"],
    reason="in-process, the test's own transaction cannot survive PostgreSQL closing the "
    "connection after the simulated error; test_worker_faults.py cuts real PostgreSQL "
    "connections of a worker process instead",
)
def test_an_outcome_that_could_not_be_written_is_written_when_the_database_answers(
    db_tasks: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The task ran; writing its outcome failed (and the library's own retries with it):
    the worker keeps it, writes it once the database answers, and goes on to the next."""
    first = ping.enqueue()
    second = ping.enqueue()
    real_save = DBTaskResult.save
    refused: list[str] = []

    def save(self: DBTaskResult, *args: Any, **kwargs: Any) -> None:
        fields = kwargs.get("update_fields") or []
        if "finished_at" in fields and str(self.pk) == first.id and len(refused) < 6:
            refused.append(self.status)
            raise OperationalError("database is locked")
        real_save(self, *args, **kwargs)

    monkeypatch.setattr(DBTaskResult, "save", save)
    monkeypatch.setattr(worker_module, "drop_connections", lambda: None)
    worker = make_worker()
    worker.sleep = lambda seconds: None

    worker.run()

    # Three tries to write the success, three to write the failure, then the worker's own.
    assert refused == ["SUCCESSFUL"] * 3 + ["FAILED"] * 3
    row = DBTaskResult.objects.get(pk=first.id)
    assert row.status == TaskResultStatus.FAILED
    assert row.exception_class_path == "django.db.utils.OperationalError"
    assert "set_successful" in row.traceback and "database is locked" in row.traceback
    assert DBTaskResult.objects.get(pk=second.id).status == TaskResultStatus.SUCCESSFUL
    assert worker.unrecorded is None
