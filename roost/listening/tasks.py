"""Background tasks for listening (django.tasks): call a service, return."""

from __future__ import annotations

from django.tasks import task

from roost.core.tasks import recoverable
from roost.listening.services.alerts import alerts_check
from roost.listening.services.collect import listening_collect


@recoverable  # searches resume from stored cursors; ingestion skips posts it already has
@task()
def collect_listening(workspace_ids: list[int] | None = None) -> int:
    """Search the networks for every workspace's active topics; returns mentions stored."""
    return listening_collect(workspace_ids=workspace_ids).new


@recoverable  # an alert is unique per spike and its notifications per alert: a rerun adds none
@task()
def check_alerts() -> int:
    """Look for volume and negative-sentiment spikes and alert once per spike."""
    return len(alerts_check())
