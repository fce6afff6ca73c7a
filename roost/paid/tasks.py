"""Background tasks for paid media (django.tasks): call a service, return."""

from __future__ import annotations

from django.tasks import task

from roost.core import clock
from roost.core.tasks import recoverable
from roost.paid.services import experiment_data
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


@recoverable  # claimed: a rerun after a crash waits for the lease, then asks the network
@task()
def create_boost(boost_id: int) -> str:
    """One try at creating the boost on the ad network (claimed, so safe to run twice)."""
    from roost.paid.services.boost_delivery import boost_run

    return boost_run(boost_id)


@recoverable  # it only enqueues tries; each is claimed
@task()
def sweep_boosts() -> int:
    """Enqueue a try for every boost that is due or whose worker died mid-call."""
    from roost.paid.services.boost_delivery import due_ids

    found = due_ids(clock.now())
    for boost_id in found:
        create_boost.enqueue(boost_id)
    return len(found)


@recoverable  # the split's key is the same on every try: the network makes one per key
@task()
def launch_split_test(experiment_id: int, countries: list[str] | None = None) -> bool:
    """Create a paid A/B test's split on the ad network."""
    return experiment_data.launch_split_test(experiment_id, countries or [])


@recoverable  # a decision is recorded by a conditional update: a rerun records none
@task()
def check_experiments() -> int:
    """Refresh running A/B tests' counts and record the decisions the rule reaches."""
    return experiment_data.experiments_check()
