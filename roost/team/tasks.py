"""Background tasks for the team app (django.tasks): call a service, return."""

from __future__ import annotations

from django.tasks import task

from roost.core.tasks import recoverable
from roost.team.workload import rollup_all


@recoverable  # each day's rows are replaced whole and progress moves after: safe twice
@task()
def workload_signals(workspace_ids: list[int] | None = None) -> int:
    """Roll up workload days and hand back away members' items; returns the failures."""
    return len(rollup_all(workspace_ids))
