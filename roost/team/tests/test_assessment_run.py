"""A scripted exercise: the candidate triages the inbox through the real inbox services;
nothing reaches a network; the facts show expected against done; submitting ends the
login; the campaign exercise drafts posts that wait for review."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from roost.approvals.models import ApprovalRequest
from roost.approvals.services import request_decide
from roost.channels.models import Channel
from roost.conftest import World
from roost.inbox.models import Message, ReplyDraft
from roost.inbox.services.replies import reply_send
from roost.inbox.services.triage import message_assign, message_set_status, message_tag, task_create
from roost.publishing.models import Campaign, Delivery, PostStatus
from roost.publishing.services.compose import PostInput, post_compose
from roost.publishing.services.delivery import claim_due
from roost.team.models import Assessment
from roost.team.services.assessment import assessment_facts, assessment_submit
from roost.team.tests.assessment_fixtures import make_exercise, started_client
from roost.workspaces.models import Membership


class _Recorder:
    """A connector that answers the local checks and records any other operation."""

    def __init__(self, calls: list[str]) -> None:
        self.calls = calls

    def validate(self, request: Any) -> list[Any]:
        return []

    def __getattr__(self, operation: str) -> Any:
        self.calls.append(operation)
        raise AssertionError(f"{operation}: a network operation was reached")


@pytest.fixture
def no_network(monkeypatch: Any) -> list[str]:
    """Every connector is a recorder: the list holds each network operation reached."""
    calls: list[str] = []
    monkeypatch.setattr(
        "roost.networks.registry.connector_for", lambda *args, **kwargs: _Recorder(calls)
    )
    return calls


def _messages(assessment: Assessment) -> dict[str, Message]:
    keys = {int(k): v["key"] for k, v in assessment.expected["messages"].items()}
    return {keys[m.pk]: m for m in Message.objects.filter(pk__in=keys)}


def _triage(assessment: Assessment) -> Membership:
    """What a candidate does in the inbox: five of ten handled as the exercise expects."""
    me = Membership.objects.get(user=assessment.login)
    m = _messages(assessment)
    care = assessment.expected["groups"]["care"]
    reply_send(actor=me, message=m["hours"], text="We're open 9–18 on Sundays — see you!")
    task_create(actor=me, message=m["cold-order"], kind="support", notes="Refund #4471")
    task_create(actor=me, message=m["office"], kind="lead")
    message_tag(actor=me, message=m["spam"], names=["spam"])
    message_set_status(actor=me, message=m["spam"], complete=True)
    message_assign(actor=me, message=m["safety"], group_id=care)
    # Praise answered with a task instead of a reply: not what was expected.
    task_create(actor=me, message=m["praise"], kind="feedback")
    return me


def test_the_facts_of_a_scripted_run(world: World, no_network: list[str]) -> None:
    assessment, _secret = make_exercise(world)
    _triage(assessment)
    facts = assessment_facts(assessment)
    assert (facts["status"], facts["correct"], facts["total"]) == ("not_started", 5, 10)
    rows = {r["key"]: r for r in facts["messages"]}
    assert rows["hours"]["replies"] == ["We're open 9–18 on Sundays — see you!"]
    assert rows["hours"]["matched"] and not rows["hours"]["completed"]
    assert rows["cold-order"]["tasks"] == ["support"]
    assert rows["cold-order"]["group"] == "Customer Care"
    assert rows["office"]["tasks"] == ["lead"] and rows["office"]["group"] == "Sales"
    assert rows["spam"]["tags"] == ["spam"] and rows["spam"]["completed"]
    assert rows["safety"]["group"] == "Customer Care" and rows["safety"]["matched"]
    assert rows["praise"]["tasks"] == ["feedback"] and not rows["praise"]["matched"]
    assert rows["polish"] == {
        **rows["polish"],
        "tags": [],
        "tasks": [],
        "replies": [],
        "completed": False,
        "matched": False,
    }
    assert no_network == []


def test_no_reply_is_ever_delivered(
    world: World, no_network: list[str], django_capture_on_commit_callbacks: Any
) -> None:
    """The reply waits for the hiring manager; even approved, it never goes out."""
    assessment, _secret = make_exercise(world)
    me = Membership.objects.get(user=assessment.login)
    message = _messages(assessment)["praise"]
    draft = reply_send(actor=me, message=message, text="Thank you, Jonas!")
    assert isinstance(draft, ReplyDraft) and draft.status == "pending"
    request = ApprovalRequest.objects.get(kind="reply", object_id=draft.pk)
    manager = world.members["social_media_manager"].user
    with django_capture_on_commit_callbacks(execute=True):
        request_decide(req=request, decision="approve", user=manager)
    draft.refresh_from_db()
    assert draft.status == "failed"
    assert "not connected to any network" in draft.error
    assert not Message.objects.filter(workspace=assessment.workspace, outgoing=True).exists()
    assert no_network == []


def test_submission_records_the_facts_and_ends_the_login(world: World) -> None:
    assessment, secret = make_exercise(world)
    client = started_client(secret)
    _triage(assessment)
    slug = assessment.workspace.slug
    response = client.post(f"/w/{slug}/assessment/submit/")
    assert response.status_code == 200
    assert "your exercise is submitted" in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.submitted_at is not None
    assert assessment.result["correct"] == 5 and len(assessment.result["messages"]) == 10
    login = assessment.login
    login.refresh_from_db()
    assert login.access_expires_at == assessment.submitted_at
    # Logged out, and the login refused from now on.
    assert client.session.get("_auth_user_id") is None
    again = Client()
    again.force_login(login)
    assert again.get(f"/w/{slug}/inbox/").status_code == 401
    assert Client().get(f"/assess/{secret}/").status_code == 410
    assert assessment_facts(assessment)["status"] == "submitted"


def test_only_the_candidate_submits(world: World) -> None:
    assessment, _secret = make_exercise(world)
    manager = Client()
    manager.force_login(world.members["social_media_manager"].user)
    response = manager.post(f"/w/{assessment.workspace.slug}/assessment/submit/")
    assert response.status_code == 409
    assessment.refresh_from_db()
    assert assessment.submitted_at is None
    from roost.core.exceptions import NotFound

    with pytest.raises(NotFound):
        assessment_submit(user=world.members["owner"].user, assessment=assessment)


def test_the_campaign_exercise_publishes_nothing(world: World, no_network: list[str]) -> None:
    assessment, _secret = make_exercise(world, "campaign")
    me = Membership.objects.get(user=assessment.login)
    channel = Channel.objects.get(workspace=assessment.workspace)
    campaign = Campaign.objects.get(workspace=assessment.workspace)
    for text in ("Teaser: something cold is coming", "Cold brew is here!"):
        post = post_compose(
            actor=me,
            data=PostInput(text=text, channel_ids=[channel.pk], campaign_id=campaign.pk),
            mode="now",
        )
        assert post.status == PostStatus.IN_REVIEW
    facts = assessment_facts(assessment)
    assert (facts["correct"], facts["total"]) == (2, 3)
    assert [p["text"] for p in facts["posts"]] == [
        "Teaser: something cold is coming",
        "Cold brew is here!",
    ]
    # Approved by the manager, the posts still wait: the channel is not connected.
    manager = world.members["social_media_manager"].user
    for request in ApprovalRequest.objects.filter(kind="post", workspace=assessment.workspace):
        request_decide(req=request, decision="approve", user=manager)
    assert claim_due(worker_id="test", limit=100) == []
    assert not Delivery.objects.filter(
        channel=channel, status__in=["sending", "published"]
    ).exists()
    assert no_network == []


def test_the_panel_shows_expected_against_done(world: World) -> None:
    assessment, _secret = make_exercise(world)
    _triage(assessment)
    client = Client()
    client.force_login(world.members["social_media_manager"].user)
    page = client.get(f"/w/{world.a.slug}/team/hiring/assessments/{assessment.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-testid="assessment-facts"' in body
    assert "5 / 10" in body
    assert "We&#x27;re open 9–18 on Sundays — see you!" in body
    assert "Hand to Sales (a lead task)" in body
    assert "not started" in body
    # Not for people without HIRE.
    creator = world.client_for("content_creator")
    assert (
        creator.get(f"/w/{world.a.slug}/team/hiring/assessments/{assessment.pk}/").status_code
        == 403
    )
