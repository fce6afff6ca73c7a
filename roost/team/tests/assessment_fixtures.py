"""Shared builders for the practical exercise's tests: an opening and a candidate made
directly (the pipeline's services live in another part)."""

from __future__ import annotations

from django.test import Client

from roost.conftest import World
from roost.team.models import Assessment, Candidate, JobOpening
from roost.team.services.assessment import assessment_create


def make_candidate(
    world: World, name: str = "Casey Candidate", stage: str = "screening"
) -> Candidate:
    opening = JobOpening.objects.create(
        workspace=world.a,
        role="community_manager",
        title="Community Manager",
        description_en="",
        description_pl="",
    )
    return Candidate.objects.create(
        workspace=world.a,
        opening=opening,
        name=name,
        email=f"{name.split()[0].lower()}@example.test",
        stage=stage,
    )


def make_exercise(
    world: World, scenario: str = "inbox", candidate: Candidate | None = None
) -> tuple[Assessment, str]:
    """An exercise made by the Social Media Manager (who holds HIRE, owns no workspace)."""
    return assessment_create(
        actor=world.members["social_media_manager"],
        candidate=candidate or make_candidate(world),
        scenario=scenario,
    )


def started_client(secret: str) -> Client:
    """The candidate's browser after pressing Start on the link."""
    client = Client()
    response = client.post(f"/assess/{secret}/")
    assert response.status_code == 302, response.status_code
    return client
