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
    return None


def _hiring() -> None:
    return None
