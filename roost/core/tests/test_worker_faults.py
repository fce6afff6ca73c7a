"""Fault injection on real `roost worker` processes: SIGKILL one mid-task, hold SQLite's
write lock past its busy timeout, cut its PostgreSQL connections. Nothing is lost, nothing
runs twice, the worker lives on."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from roost.networks.sandbox.testing import SandboxHandle
from roost.publishing.testing import (
    child_env,
    fresh_postgres_database,
    in_django,
    migrate,
    sandbox_process,
    start_worker,
)
from roost.testing import wait_until

WAIT_FOR_GO = "roost.core.tests.tasks_for_tests.wait_for_go"
PING = "roost.core.tasks.ping"
BUSY_TIMEOUT = 1  # seconds: the SQLite busy timeout of the worker in the lock test


def task_rows(env: dict[str, str], *paths: str) -> list[dict[str, Any]]:
    """The task results of these task paths, oldest first (the publisher enqueues its own
    recurring tasks beside them)."""
    rows: list[dict[str, Any]] = in_django(
        env,
        "from django_tasks_db.models import DBTaskResult\n"
        f"qs = DBTaskResult.objects.filter(task_path__in={list(paths)!r})\n"
        "result = list(qs.order_by('enqueued_at').values(\n"
        "    'id', 'task_path', 'args_kwargs', 'status', 'worker_ids', 'return_value',\n"
        "    'exception_class_path', 'traceback'))",
    )
    return rows


def runs(folder: Path) -> list[str]:
    log = folder / "runs.log"
    return log.read_text().splitlines() if log.exists() else []


def enqueue_wait_for_go(env: dict[str, str], folder: Path) -> str:
    task_id: str = in_django(
        env,
        "from roost.core.tests.tasks_for_tests import wait_for_go\n"
        f"result = wait_for_go.enqueue({str(folder)!r}).id",
    )
    return task_id


@contextmanager
def worker_process(env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    proc = start_worker(env, log)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def started(folder: Path, count: int, proc: subprocess.Popen[bytes]) -> bool:
    if proc.poll() is not None:
        raise AssertionError(f"the worker exited with code {proc.returncode}")
    return runs(folder).count("start") >= count


def test_a_task_of_a_killed_worker_fails_and_runs_again_exactly_once(tmp_path: Path) -> None:
    env = child_env(
        f"sqlite:///{tmp_path / 'reap.sqlite3'}",
        ROOST_WORKER_HEARTBEAT_SECONDS="0.2",
        ROOST_TASK_LEASE_SECONDS="1.5",
    )
    migrate(env)
    folder = tmp_path / "work"
    folder.mkdir()
    first_id = enqueue_wait_for_go(env, folder)
    log = tmp_path / "worker.log"

    with worker_process(env, log) as first:
        wait_until(lambda: started(folder, 1, first), what="the first worker to start the task")
        first.send_signal(signal.SIGKILL)
        first.wait()
    [row] = task_rows(env, WAIT_FOR_GO)
    assert (row["id"], row["status"]) == (first_id, "RUNNING")  # stranded, as before the reaper
    killed = row["worker_ids"][-1]

    (folder / "go").touch()  # from now on any run of the task finishes
    state: list[dict[str, Any]] = []

    def settled() -> bool:
        state[:] = task_rows(env, WAIT_FOR_GO)
        return [r["status"] for r in state] == ["FAILED", "SUCCESSFUL"]

    with worker_process(env, log) as second:
        wait_until(lambda: started(folder, 2, second), what="the task to run again")
        wait_until(settled, every=0.5, what="the reaper's failure and the re-run's success")
        assert second.poll() is None

    lost, again = state
    assert lost["id"] == first_id
    assert lost["exception_class_path"] == "roost.core.tasks.WorkerLost"
    assert lost["traceback"] == (
        f"roost.core.tasks.WorkerLost: worker {killed} stopped while running this task\n"
    )
    assert (again["task_path"], again["args_kwargs"]) == (
        WAIT_FOR_GO,
        {"args": [str(folder)], "kwargs": {}},
    )
    assert killed not in again["worker_ids"]
    assert again["return_value"] == 1
    assert runs(folder) == ["start", "start", "done"]  # finished exactly once
    text = log.read_text()
    assert f"task {first_id} ({WAIT_FOR_GO}): worker {killed} stopped while running it" in text
    assert f"re-enqueued as {again['id']}" in text


def _sqlite_now() -> str:
    """Now, as Django stores a datetime in SQLite (UTC, no zone)."""
    return datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def test_the_worker_outlives_a_write_lock_longer_than_its_busy_timeout(tmp_path: Path) -> None:
    """SQLite write-locked for longer than the worker's busy timeout (1 s here): the worker
    backs off instead of exiting, and the task and the post that came due during the lock
    run once it is released; the post is published exactly once."""
    db = tmp_path / "lock.sqlite3"
    env = child_env(
        f"sqlite:///{db}",
        ROOST_SQLITE_TIMEOUT=str(BUSY_TIMEOUT),
        ROOST_WORKER_HEARTBEAT_SECONDS="0.25",
        ROOST_PUBLISH_POLL_SECONDS="0.05",
        ROOST_LOG_LEVEL="INFO",
    )
    migrate(env)
    log = tmp_path / "worker.log"
    with sandbox_process(env) as url:
        sandbox = SandboxHandle(url)
        # A post and a task for the far future: the lock below brings them due.
        seeded = in_django(
            env,
            "from datetime import datetime, UTC\n"
            "from roost.core.tasks import ping\n"
            "from roost.publishing.testing import seed\n"
            "far = datetime(2999, 1, 1, tzinfo=UTC)\n"
            f"result = seed(sandbox_url={url!r}, channels=1, posts=1, due_at=far)\n"
            "result['task'] = ping.using(run_after=far).enqueue().id",
        )
        with worker_process(env, log) as worker:
            with closing(sqlite3.connect(db, isolation_level=None)) as probe:
                wait_until(
                    lambda: (
                        probe.execute("SELECT count(*) FROM core_workerheartbeat").fetchone()[0]
                        or worker.poll() is not None
                    ),
                    what="the worker's first heartbeat",
                )
            assert worker.poll() is None
            with closing(sqlite3.connect(db, isolation_level=None)) as lock:
                lock.execute("BEGIN EXCLUSIVE")
                # Due from now on; the worker sees it once the lock is released.
                now = _sqlite_now()
                lock.execute(
                    "UPDATE publishing_delivery SET due_at = ?, next_attempt_at = ?", (now, now)
                )
                lock.execute("UPDATE publishing_post SET scheduled_at = ?", (now,))
                lock.execute("UPDATE django_tasks_database_dbtaskresult SET run_after = ?", (now,))
                locked_at = time.monotonic()
                # Held until the worker's writing loops have hit it (the task loop's claim and
                # the heartbeat, each after its 1 s busy timeout), and for three busy timeouts
                # at least: a lock that outlasts several tries of each. The publisher only
                # reads while nothing is due or stale (WAL readers are not blocked): it meets
                # the lock when it has something to write, after the release here.
                wait_until(
                    lambda: (
                        (
                            time.monotonic() - locked_at >= 3 * BUSY_TIMEOUT
                            and all(
                                f"{loop}: the database did not answer" in log.read_text()
                                for loop in ("task worker", "heartbeat")
                            )
                        )
                        or worker.poll() is not None
                    ),
                    what="the worker to meet the lock",
                )
                assert worker.poll() is None, log.read_text()[-3000:]
                lock.execute("COMMIT")

            state: dict[str, Any] = {}

            def caught_up() -> bool:
                state.update(
                    in_django(
                        env,
                        "from django_tasks_db.models import DBTaskResult\n"
                        "from roost.publishing.models import Delivery\n"
                        f"task = DBTaskResult.objects.get(pk={seeded['task']!r})\n"
                        "result = {'task': task.status, 'deliveries': list(\n"
                        "    Delivery.objects.values_list('status', flat=True))}",
                    )
                )
                return state["task"] == "SUCCESSFUL" and state["deliveries"] == ["published"]

            wait_until(caught_up, every=0.5, what="the task and the post after the lock")
            assert worker.poll() is None
        stats = sandbox.stats()
    assert stats["publishes"] == 1 and stats["duplicates"] == 0
    assert set(stats["by_key"].values()) == {1}
    text = log.read_text()
    assert "task worker: the database answers again" in text
    assert "Traceback" not in text


def _terminate_connections(name: str) -> int:
    import psycopg

    admin = "postgres://postgres@127.0.0.1:5432/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        ).fetchall()
    return len(rows)


@pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="runs when the suite runs on PostgreSQL",
)
def test_the_worker_outlives_losing_its_postgresql_connections(tmp_path: Path) -> None:
    """Every connection of the worker is cut while it runs a task: writing that task's
    outcome fails, the worker reconnects, records it, and runs the next task."""
    name = "roost_reaper"
    env = child_env(
        fresh_postgres_database(name), ROOST_WORKER_HEARTBEAT_SECONDS="0.25", ROOST_LOG_LEVEL="INFO"
    )
    migrate(env)
    folder = tmp_path / "work"
    folder.mkdir()
    first_id = enqueue_wait_for_go(env, folder)
    log = tmp_path / "worker.log"
    try:
        with worker_process(env, log) as worker:
            wait_until(lambda: started(folder, 1, worker), what="the worker to start the task")
            assert _terminate_connections(name) >= 1
            (folder / "go").touch()
            wait_until(
                lambda: (
                    "task worker: the database did not answer" in log.read_text()
                    or worker.poll() is not None
                ),
                what="the worker to lose its connection",
            )
            assert worker.poll() is None, log.read_text()[-3000:]
            next_id = in_django(
                env, "from roost.core.tasks import ping\nresult = ping.enqueue().id"
            )
            rows: dict[str, dict[str, Any]] = {}

            def done() -> bool:
                rows.update({r["id"]: r for r in task_rows(env, WAIT_FOR_GO, PING)})
                return rows.get(next_id, {}).get("status") == "SUCCESSFUL"

            wait_until(done, every=0.5, what="a task enqueued after the cut to run")
            assert worker.poll() is None
        # The task whose outcome could not be written has one now (the database error).
        assert rows[first_id]["status"] == "FAILED"
        assert rows[first_id]["exception_class_path"].startswith("django.db.utils.")
        assert runs(folder) == ["start", "done"]
        assert "task worker: the database answers again" in log.read_text()
    finally:
        import psycopg

        with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
            c.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
