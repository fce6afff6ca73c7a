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
    return None


def _workload() -> None:
    from datetime import timedelta

    from roost.core import jobs
    from roost.team.tasks import workload_signals

    # Roll up each workspace's days not yet done (up to yesterday, its dates) and hand back
    # the open items of members whose away period has started (roost/team/workload.py).
    jobs.register("team.signals", timedelta(hours=1), workload_signals)


def _hiring() -> None:
    return None
