"""Regressions found while reviewing issue 15's parts together and writing its
real-browser test."""

from __future__ import annotations

import pytest
from django.test import override_settings

from roost.conftest import World
from roost.inbox.models import Message
from roost.inbox.services.triage import task_create
from roost.team.models import JobOpening
from roost.team.services.assessment import assessment_create
from roost.team.services.hiring import candidate_create, opening_create
from roost.team.tests.assessment_fixtures import make_exercise
from roost.workspaces.access import may_create_workspace
from roost.workspaces.models import Membership

pytestmark = pytest.mark.django_db


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


def test_the_exercise_facts_name_the_task_kinds_in_words(world: World) -> None:
    """The candidate page showed a task's kind as its code ("Tasks: support"), which no
    translation could reach; it shows the kind's label, the API keeps the code."""
    assessment, _secret = make_exercise(world)
    candidate = Membership.objects.get(user=assessment.login)
    keys = {int(k): v["key"] for k, v in assessment.expected["messages"].items()}
    order = Message.objects.get(pk=next(pk for pk, key in keys.items() if key == "cold-order"))
    task_create(actor=candidate, message=order, kind="support", notes="Refund")

    client = world.client_for("social_media_manager")
    url = f"/w/{world.a.slug}/team/hiring/candidates/{assessment.candidate_id}/"
    html = client.get(url).content.decode()
    assert "Tasks: Support<br>" in html
    assert "Tasks: support" not in html


def test_the_exercise_is_scored_on_the_scorecard_once_submitted(world: World) -> None:
    """The issue: "the result scored on the scorecard". An interviewer scores the
    submitted exercise on the opening's criteria, beside their interview scorecard; before
    the candidate submits, that is refused with a message and nothing is saved."""
    from roost.core.exceptions import ValidationFailed
    from roost.team.models import Criterion, Evaluation
    from roost.team.services.assessment import assessment_submit
    from roost.team.services.hiring import evaluation_submit, interviewers_set

    manager = world.members["social_media_manager"]
    assessment, _secret = make_exercise(world)
    candidate = assessment.candidate
    Criterion.objects.create(opening=candidate.opening, name="Triage judgement", weight=3)
    interviewers_set(actor=manager, candidate=candidate, member_ids=[manager.pk])
    scores = {c.pk: 4 for c in candidate.opening.criteria.all()}
    with pytest.raises(ValidationFailed) as refused:
        evaluation_submit(
            actor=manager,
            candidate=candidate,
            scores=scores,
            notes="",
            recommendation="hire",
            exercise=True,
        )
    assert refused.value.errors["exercise"] == [
        "The practical exercise can be scored once the candidate has submitted it."
    ]
    assert Evaluation.objects.count() == 0

    assessment_submit(user=assessment.login, assessment=assessment)
    client = world.client_for("social_media_manager")
    url = f"/w/{world.a.slug}/team/hiring/candidates/{candidate.pk}/"
    assert "This scorecard scores the practical exercise" in client.get(url).content.decode()
    form = {f"score_{pk}": "4" for pk in scores} | {"recommendation": "hire", "exercise": "on"}
    assert client.post(f"{url}scorecard/", form).status_code == 302
    form = {f"score_{pk}": "2" for pk in scores} | {"recommendation": "unsure"}
    assert client.post(f"{url}scorecard/", form).status_code == 302
    got = {e.exercise: e for e in Evaluation.objects.filter(candidate=candidate)}
    assert set(got) == {True, False}
    assert set(got[True].scores.values()) == {4} and got[True].recommendation == "hire"
    assert set(got[False].scores.values()) == {2}
    assert "(the exercise)" in client.get(url).content.decode()
