"""Background tasks for listening (django.tasks): call a service, return."""

from __future__ import annotations

from django.tasks import task

from roost.core.tasks import recoverable
from roost.listening.services.collect import listening_collect


@recoverable  # searches resume from stored cursors; ingestion skips posts it already has
@task()
def collect_listening(workspace_ids: list[int] | None = None) -> int:
    """Search the networks for every workspace's active topics; returns mentions stored."""
    return listening_collect(workspace_ids=workspace_ids).new
