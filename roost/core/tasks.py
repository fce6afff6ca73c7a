"""Tasks that belong to no one area, and what may happen to any task after a crash.

django-tasks-db has no lease: a task whose worker dies mid-run stays RUNNING. The reaper
(roost/core/reaper.py) marks such a task failed and then does what its task declared here:
- `@recoverable`: run it again from the start (same arguments, a new task result);
- `@one_shot(lost=other_task)`: never run it again; enqueue `other_task` with the same
  arguments instead, so a person learns the work may be half done;
- neither: it stays failed, with the reason in the log and in the task result.
Every `@task` in the tree declares one of the first two, with a one-line reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.management import call_command
from django.tasks import Task, task
from django.utils.module_loading import import_string

from roost.core import clock


class WorkerLost(Exception):
    """The worker running a task stopped (killed, crashed, lost its machine) before the
    task's outcome was recorded."""


@dataclass(frozen=True)
class CrashPolicy:
    rerun: bool = False
    lost: Task[Any, Any] | None = None


_POLICIES: dict[str, CrashPolicy] = {}


def recoverable[T: Task[Any, Any]](t: T) -> T:
    """Declare `t` safe to run again from the start after its worker died mid-run."""
    _POLICIES[t.module_path] = CrashPolicy(rerun=True)
    return t


def one_shot[T: Task[Any, Any]](*, lost: Task[Any, Any]) -> Callable[[T], T]:
    """Declare `t` must not run twice: after its worker died mid-run, `lost` (a recoverable
    task taking the same arguments) is enqueued to surface it instead."""

    def declare(t: T) -> T:
        _POLICIES[t.module_path] = CrashPolicy(lost=lost)
        return t

    return declare


def crash_policy(task_path: str) -> CrashPolicy:
    """What the reaper may do with a task of this path (importing it declares its policy)."""
    try:
        import_string(task_path)
    except ImportError:
        return CrashPolicy()  # the task is gone from the code: nothing to run again
    return _POLICIES.get(task_path, CrashPolicy())


@recoverable  # no side effects: it only reads the clock
@task()
def ping() -> str:
    """A trivial task: proves a worker is taking work from the queue."""
    return clock.now().isoformat()


@recoverable  # deletes finished results older than a week: a second run finds nothing more
@task()
def prune_task_results() -> None:
    """Forget finished background task records older than a week (a recurring job)."""
    call_command("prune_db_task_results", min_age_days=7, verbosity=0)
