"""Background work for the brief (django.tasks): build and send the briefs that are due."""

from __future__ import annotations

from django.tasks import task

from roost.briefing.services import briefs_send_due
from roost.core.tasks import recoverable


# Safe to run twice: each day's brief is claimed by a conditional update before it is sent.
@recoverable
@task()
def send_due_briefs() -> int:
    """Build and send every workspace's brief whose morning time has come."""
    return briefs_send_due()
