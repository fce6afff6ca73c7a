"""Is the database answering, is a worker alive, is the queue draining."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from roost.core import clock
from roost.core.models import WorkerHeartbeat


@dataclass(frozen=True)
class Health:
    database_ok: bool
    workers_alive: int
    last_heartbeat: datetime | None
    tasks_waiting: int | None

    @property
    def ok(self) -> bool:
        return self.database_ok and self.workers_alive > 0


def check() -> Health:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return Health(False, 0, None, None)
    cutoff = clock.now() - timedelta(seconds=settings.ROOST_WORKER_STALE_SECONDS)
    alive = WorkerHeartbeat.objects.filter(last_seen__gte=cutoff).count()
    latest = WorkerHeartbeat.objects.order_by("-last_seen").values_list("last_seen", flat=True)
    waiting = None
    try:
        from django_tasks_db.models import DBTaskResult

        waiting = DBTaskResult.objects.ready().count()
    except DatabaseError:  # pragma: no cover - table missing before migrate
        waiting = None
    return Health(True, alive, latest.first(), waiting)


# Workers running in this process (a `roost worker` runs one; tests may run several).
_HERE: set[str] = set()


def beating_here() -> frozenset[str]:
    """The ids of the workers whose heartbeats this process writes."""
    return frozenset(_HERE)


def beat(worker_id: str, queues: str, started_at: datetime) -> None:
    _HERE.add(worker_id)
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": socket.gethostname(),
            "pid": os.getpid(),
            "queues": queues,
            "started_at": started_at,
            "last_seen": timezone.now(),
        },
    )


def forget(worker_id: str) -> None:
    _HERE.discard(worker_id)
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()
