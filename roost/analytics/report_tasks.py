"""Background work for reports (django.tasks): send the scheduled reports that are due."""

from __future__ import annotations

from django.tasks import task

from roost.analytics.services.reports import reports_send_due
from roost.core.tasks import recoverable


# Safe to run twice: each schedule is claimed by a conditional update before it is sent.
@recoverable
@task()
def send_due_reports() -> int:
    """E-mail every scheduled report whose time has come."""
    return reports_send_due()
