"""Background tasks for approvals (django.tasks): load by id, call a service, return."""

from __future__ import annotations

from django.tasks import task

from roost.approvals.services import escalate_due
from roost.core.tasks import recoverable


@recoverable  # each overdue step is claimed with a conditional update, its notice is keyed
@task()
def escalate_overdue() -> int:
    """Hand reviews past their deadline to their escalation targets (a recurring job)."""
    return escalate_due()
