"""Background tasks for listening (django.tasks): call a service, return."""

from __future__ import annotations

from django.tasks import task

from roost.core.tasks import recoverable
from roost.listening.services.alerts import alerts_check


@recoverable  # an alert is unique per spike and its notifications per alert: a rerun adds none
@task()
def check_alerts() -> int:
    """Look for volume and negative-sentiment spikes and alert once per spike."""
    return len(alerts_check())
