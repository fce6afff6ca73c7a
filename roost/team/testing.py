"""Test data for the team app: sample objects per workspace for the route-walking suites
(roost/web/tests/test_isolation.py, the API isolation and fuzz suites: `samples(workspace,
marker)` gives a value for each team URL parameter, `marker` in their names so a leak is
visible) and small builders for page and API tests. Each part adds its samples."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from roost.core import clock
from roost.core.tokens import hash_secret
from roost.workspaces.models import Workspace


def samples(workspace: Workspace, marker: str = "") -> dict[str, Any]:
    """A value for each URL parameter of the team's routes, in `workspace`."""
    return {**_assessment_samples(workspace, marker)}


def _assessment_samples(workspace: Workspace, marker: str) -> dict[str, Any]:
    """An exercise (no workspace of its own: a record only) of a sample candidate."""
    from roost.team.models import Assessment, Candidate, JobOpening

    opening, _made = JobOpening.objects.get_or_create(
        workspace=workspace,
        title=f"Assessment sample {marker}",
        defaults={"role": "community_manager", "description_en": "", "description_pl": ""},
    )
    candidate, _made = Candidate.objects.get_or_create(
        workspace=workspace,
        opening=opening,
        email=f"assessed-{workspace.pk}@example.test",
        defaults={"name": f"Assessed {marker}"},
    )
    assessment, _made = Assessment.objects.get_or_create(
        candidate=candidate,
        defaults={
            "scenario": "inbox",
            "token_hash": hash_secret(f"sample-assessment-{workspace.pk}"),
            "expires_at": clock.now() + timedelta(days=3),
        },
    )
    return {"assessment_id": assessment.pk}
