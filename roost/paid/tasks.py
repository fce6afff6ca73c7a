"""Background tasks for paid media (django.tasks): call a service, return."""

from __future__ import annotations

from django.tasks import task

from roost.core.tasks import recoverable
from roost.paid.services.alerts import pacing_alerts_check


@recoverable  # the claim is per campaign, day and state: a rerun sends nothing twice
@task()
def check_pacing() -> int:
    """Alert the budget managers of campaigns under or over pace."""
    return len(pacing_alerts_check())
