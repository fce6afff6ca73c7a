"""No task stays RUNNING after its worker died.

django-tasks-db records which worker took a task (`DBTaskResult.worker_ids`, the last one
is the current claimer) but has no lease: a task whose worker was SIGKILLed stays RUNNING
for ever. Workers write heartbeats (roost/core/health.py); a RUNNING task whose worker has
not beaten within `ROOST_TASK_LEASE_SECONDS` is abandoned. The reaper marks it FAILED
(`WorkerLost`, "worker <id> stopped while running this task") and then does what the task
declared in roost/core/tasks.py: enqueue it again, enqueue its `lost` handler, or nothing.

A round is a recurring job (roost/core/jobs.py, registered by CoreConfig.ready()): one
worker per turn runs it, in its scheduler thread, not through the task queue it repairs.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from roost.core import clock, health
from roost.core.models import WorkerHeartbeat
from roost.core.tasks import WorkerLost, crash_policy

log = logging.getLogger("roost.reaper")

# A dead worker's heartbeat row is kept this long (the health page and the reaper need
# only the recent ones), then deleted.
HEARTBEAT_RETENTION = timedelta(hours=1)
WORKER_LOST = f"{WorkerLost.__module__}.{WorkerLost.__qualname__}"


@dataclass(frozen=True)
class Recovery:
    """One abandoned task the reaper took care of."""

    result_id: str
    task_path: str
    worker_id: str
    action: str  # "re-enqueued", "handed to its lost handler", "left failed"
    followup_id: str | None = None


def lease() -> timedelta:
    return timedelta(seconds=settings.ROOST_TASK_LEASE_SECONDS)


def round_every() -> timedelta:
    """How often some worker runs a round: twice per lease, so an abandoned task waits at
    most one and a half leases."""
    return lease() / 2


def reap_round(*, now: datetime | None = None) -> list[Recovery]:
    """One round: recover abandoned tasks (sparing the workers running in this process,
    which are alive whatever their last heartbeat says), then forget the heartbeats of
    long-dead workers."""
    recovered = reap(now=now, spare=health.beating_here())
    forget_dead_workers(now=now)
    return recovered


def reap(*, now: datetime | None = None, spare: Collection[str] = ()) -> list[Recovery]:
    """Recover every task RUNNING for longer than the lease whose worker has not written a
    heartbeat within it (`spare`: workers known to be alive, such as the caller)."""
    now = now or clock.now()
    cutoff = now - lease()
    # Running tasks first, heartbeats second: a worker writes its first beat before it
    # claims anything, so the claimer of every task read here has a beat the next read sees.
    running = list(DBTaskResult.objects.running().filter(started_at__lt=cutoff))
    if not running:
        return []
    alive = set(
        WorkerHeartbeat.objects.filter(last_seen__gte=cutoff).values_list("worker_id", flat=True)
    )
    alive.update(spare)
    return _recover_all((r for r in running if _owner(r) not in alive), now)


def reap_worker(worker_id: str, *, now: datetime | None = None) -> list[Recovery]:
    """Recover the RUNNING tasks claimed by `worker_id`, which is running none of them: the
    claim was committed although the database reported an error (a connection lost at
    COMMIT), so the worker never started the task."""
    running = DBTaskResult.objects.running()
    return _recover_all((r for r in running if _owner(r) == worker_id), now or clock.now())


def forget_dead_workers(*, now: datetime | None = None) -> int:
    """Delete heartbeat rows older than an hour; returns how many."""
    cutoff = (now or clock.now()) - HEARTBEAT_RETENTION
    deleted, _by_model = WorkerHeartbeat.objects.filter(last_seen__lt=cutoff).delete()
    return deleted


def _owner(result: DBTaskResult) -> str:
    return str(result.worker_ids[-1]) if result.worker_ids else ""


def _recover_all(results: Iterable[DBTaskResult], now: datetime) -> list[Recovery]:
    done = []
    for result in results:
        recovery = _recover(result, _owner(result), now)
        if recovery is not None:
            done.append(recovery)
    return done


def _recover(result: DBTaskResult, owner: str, now: datetime) -> Recovery | None:
    reason = f"worker {owner or '(unknown)'} stopped while running this task"
    policy = crash_policy(result.task_path)
    args, kwargs = result.args_kwargs["args"], result.args_kwargs["kwargs"]
    followup = None
    # The failure and its follow-up commit together (the follow-up is a row in the same
    # database), so a crash here neither loses the re-run nor runs it twice.
    with transaction.atomic():
        # Conditional: another worker's round, or the task's own late outcome, may be first.
        taken = DBTaskResult.objects.filter(pk=result.pk, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.FAILED,
            finished_at=now,
            return_value=None,
            exception_class_path=WORKER_LOST,
            traceback=f"{WORKER_LOST}: {reason}\n",
        )
        if not taken:
            return None
        action = "left failed (not declared safe to run again)"
        try:
            with transaction.atomic():
                if policy.rerun:
                    followup = result.task.enqueue(*args, **kwargs)
                    action = "re-enqueued"
                elif policy.lost is not None:
                    followup = policy.lost.enqueue(*args, **kwargs)
                    action = f"handed to {policy.lost.name}"
        except Exception:
            log.exception("task %s: could not enqueue its follow-up", result.pk)
            action = "left failed (its follow-up could not be enqueued)"
    followup_id = str(followup.id) if followup is not None else None
    log.warning(
        "task %s (%s): worker %s stopped while running it; %s%s",
        result.pk,
        result.task_path,
        owner or "(unknown)",
        action,
        f" as {followup_id}" if followup_id else "",
    )
    return Recovery(str(result.pk), result.task_path, owner, action, followup_id)
