"""Background tasks for paid media (django.tasks): call a service, return."""

from __future__ import annotations

from django.tasks import task

from roost.core.tasks import recoverable
from roost.paid.services.alerts import pacing_alerts_check
from roost.paid.services.sync import ad_accounts_sync_all


@recoverable  # a rerun rewrites nothing that did not change (AdDay is unique per day)
@task()
def sync_ad_accounts(workspace_ids: list[int] | None = None) -> int:
    """Sync every Sandbox ad account's daily figures; returns the accounts that failed."""
    return sum(1 for done in ad_accounts_sync_all(workspace_ids=workspace_ids) if done.error)


@recoverable  # the claim is per campaign, day and state: a rerun sends nothing twice
@task()
def check_pacing() -> int:
    """Alert the budget managers of campaigns under or over pace."""
    return len(pacing_alerts_check())
