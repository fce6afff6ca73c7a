"""Process-level state shared by every app."""

from __future__ import annotations

from django.db import models

from roost.core import clock


class WorkerHeartbeat(models.Model):
    """Written every few seconds by each running `roost worker`."""

    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    queues = models.CharField(max_length=255)
    started_at = models.DateTimeField(default=clock.now)
    last_seen = models.DateTimeField(default=clock.now, db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id} on {self.hostname} (pid {self.pid})"


class PeriodicJob(models.Model):
    """When a recurring job next runs. Workers race for it with a conditional update, so
    one of any number of workers wins each run."""

    name = models.CharField(max_length=64, unique=True)
    next_run_at = models.DateTimeField(default=clock.now)

    def __str__(self) -> str:
        return f"{self.name} at {self.next_run_at:%Y-%m-%d %H:%M}"
