"""Background tasks for analytics (django.tasks): call a service, return."""

from __future__ import annotations

from django.tasks import task

from roost.analytics.services.collection import audience_collect, metrics_collect
from roost.core.tasks import recoverable


@recoverable  # readings are appended and roll-ups follow by difference: a rerun reads again
@task()
def collect_metrics(channel_ids: list[int] | None = None) -> int:
    """Read the counts of published posts whose next reading is due."""
    return metrics_collect(channel_ids=channel_ids).readings


@recoverable  # the last audience reading of a day wins
@task()
def collect_audience(channel_ids: list[int] | None = None) -> int:
    """Read every active channel's followers, following and posts for today."""
    return audience_collect(channel_ids=channel_ids)
