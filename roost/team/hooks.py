"""What the team app plugs into below it: jobs, invite acceptance, member removal. Each
part of the app adds its own registrations here (one function per part)."""

from __future__ import annotations


def register() -> None:
    """Called once from TeamConfig.ready()."""
    _builder()
    _onboarding()
    _workload()
    _hiring()


def _builder() -> None:
    return None


def _onboarding() -> None:
    from datetime import timedelta

    from roost.core import jobs, references
    from roost.team.services.onboarding import on_invite_accepted, on_member_removed
    from roost.team.tasks_onboarding import refresh_onboarding_plans
    from roost.workspaces.hooks import on_invite_accepted as when_invite_accepted

    # Automatic steps tick themselves from real activity (roost/team/onboarding_checks.py).
    jobs.register("team.onboarding", timedelta(minutes=5), refresh_onboarding_plans)
    # A plan attached to an invite starts when it is accepted.
    when_invite_accepted(on_invite_accepted)
    # A mentor who leaves: their mentees' plans lose the mentor, and managers are told.
    references.on_removed("member", on_member_removed)


def _workload() -> None:
    from datetime import timedelta

    from roost.core import jobs
    from roost.team.tasks import workload_signals

    # Roll up each workspace's days not yet done (up to yesterday, its dates) and hand back
    # the open items of members whose away period has started (roost/team/workload.py).
    jobs.register("team.signals", timedelta(hours=1), workload_signals)


def _hiring() -> None:
    return None
