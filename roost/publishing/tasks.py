"""Background tasks for publishing (django.tasks): load by id, call a service, return."""

from __future__ import annotations

from django.tasks import task

from roost.core.tasks import recoverable
from roost.publishing.services.metrics import metrics_refresh


@recoverable  # reads counts from the networks and overwrites the stored ones
@task()
def refresh_metrics(channel_ids: list[int] | None = None) -> int:
    """Fetch engagement counts for recently published posts."""
    return metrics_refresh(channel_ids=channel_ids)
