"""Test data for the team app: sample objects per workspace for the route-walking suites
(roost/web/tests/test_isolation.py, the API isolation and fuzz suites: `samples(workspace,
marker)` gives a value for each team URL parameter, `marker` in their names so a leak is
visible) and small builders for page and API tests. Each part adds its samples."""

from __future__ import annotations

from typing import Any

from roost.team.models import Candidate, Criterion, JobOpening
from roost.workspaces.models import Membership, Workspace


def _hiring_samples(workspace: Workspace, marker: str) -> dict[str, Any]:
    """An opening with one criterion and one candidate (every member of the workspace
    interviews them, so each role reaches the candidate's page in the walk)."""
    opening, _made = JobOpening.objects.get_or_create(
        workspace=workspace,
        title=f"Sample opening {marker}".strip(),
        defaults={
            "role": "community_manager",
            "description_en": f"Job description {marker}",
            "description_pl": f"Opis stanowiska {marker}",
        },
    )
    criterion, _made = Criterion.objects.get_or_create(
        opening=opening, name=f"Written replies {marker}".strip(), defaults={"weight": 3}
    )
    candidate, _made = Candidate.objects.get_or_create(
        workspace=workspace,
        opening=opening,
        email=f"candidate-{workspace.pk}@example.com",
        defaults={"name": f"Sample candidate {marker}".strip()},
    )
    candidate.interviewers.add(*Membership.objects.filter(workspace=workspace))
    return {
        "opening_id": opening.pk,
        "criterion_id": criterion.pk,
        "candidate_id": candidate.pk,
    }


def samples(workspace: Workspace, marker: str = "") -> dict[str, Any]:
    """A value for each URL parameter of the team's routes, in `workspace`."""
    return {**_hiring_samples(workspace, marker)}
