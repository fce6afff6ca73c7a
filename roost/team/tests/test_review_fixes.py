"""Regressions found while reviewing issue 15's parts together."""

from __future__ import annotations

from django.test import override_settings

from roost.conftest import World
from roost.team.models import JobOpening
from roost.team.services.assessment import assessment_create
from roost.team.services.hiring import candidate_create, opening_create
from roost.workspaces.access import may_create_workspace


@override_settings(ROOST_WORKSPACE_CREATION="owners")
def test_owning_an_assessment_workspace_grants_no_workspace_creation(world: World) -> None:
    """A Social Media Manager who makes a candidate's exercise becomes the Owner of that
    assessment workspace; under the "owners" policy that must not let them create
    workspaces of their own."""
    manager = world.members["social_media_manager"]
    assert not may_create_workspace(manager.user)
    opening: JobOpening = opening_create(actor=manager, role="community_manager")
    candidate = candidate_create(
        actor=manager, opening=opening, name="Ada", email="ada@example.com", source=""
    )
    assessment, _secret = assessment_create(actor=manager, candidate=candidate, scenario="inbox")
    assert assessment.workspace is not None
    assert assessment.workspace.memberships.filter(user=manager.user).exists()
    assert not may_create_workspace(manager.user)
