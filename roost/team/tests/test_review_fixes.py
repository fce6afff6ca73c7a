"""Regression tests for bugs found while writing issue 15's real-browser test."""

from __future__ import annotations

import pytest

from roost.conftest import World
from roost.inbox.models import Message
from roost.inbox.services.triage import task_create
from roost.team.tests.assessment_fixtures import make_exercise
from roost.workspaces.models import Membership

pytestmark = pytest.mark.django_db


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
