"""Background task of the onboarding part (django.tasks): call a service, return."""

from __future__ import annotations

from django.tasks import task

from roost.core.tasks import recoverable


@recoverable  # each automatic tick is a conditional update: a rerun ticks nothing twice
@task()
def refresh_onboarding_plans() -> int:
    """Tick the automatic steps of every active onboarding plan that reached its target."""
    from roost.team.services.onboarding import plans_refresh_all

    return plans_refresh_all()
