"""Seeing a review requires seeing what is under review: channel access for posts, inbox
visibility for replies — on the pages, in the queue, in the API, in notifications, and
when deciding. Approvers named on a step are no exception (docs/roles.md)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from roost.approvals.models import ApprovalRequest, Decision, Workflow, WorkflowStep
from roost.approvals.selectors import events_for, queue_for
from roost.approvals.services import (
    approval_settings,
    approvers_of,
    current_state,
    request_decide,
    workflow_save,
)
from roost.channels.models import Channel, ChannelAccess
from roost.conftest import World, make_channel, token_for
from roost.core.exceptions import PermissionDenied, ValidationFailed
from roost.inbox.models import ReplyDraft
from roost.inbox.services import triage
from roost.inbox.services.replies import reply_send
from roost.inbox.tests.conftest import put
from roost.notifications.models import Notification
from roost.publishing.services.compose import PostInput, post_compose
from roost.workspaces.models import Membership

API = "/api/v1/workspaces/alpha"
WEB = "/w/alpha/approvals"
POST_TEXT = "For review in Alpha"  # world.a_request's post, to channel 1
SECRET = "My order number is 4711"  # a customer's message, routed to nobody
REPLY = "We are on it, Anna"  # the reply under review (its snapshot quotes SECRET)


def api(method: str, url: str, token: str, body: Any = None) -> Any:
    return Client().generic(
        method,
        url,
        data=json.dumps(body) if body is not None else "",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def limit_to(member: Membership, *channels: Channel) -> None:
    """Channel access as the channels page sets it: off for all, on for these."""
    Membership.objects.filter(pk=member.pk).update(all_channels=False)
    ChannelAccess.objects.filter(membership=member).delete()
    for channel in channels:
        ChannelAccess.objects.create(channel=channel, membership=member)


def fresh(member: Membership) -> Membership:
    return Membership.objects.select_related("workspace", "user").get(pk=member.pk)


def queue_ids(member: Membership) -> dict[str, list[int]]:
    return {k: [i.request.pk for i in v] for k, v in queue_for(fresh(member)).items()}


def api_queue_ids(token: str) -> list[int]:
    found = api("get", f"{API}/approvals", token).json()
    return sorted(i["id"] for lst in found.values() for i in lst)


# --- posts and channel access -------------------------------------------------------


@pytest.fixture
def two(world: World) -> Channel:
    return make_channel(world.a, "Alpha Two")


def test_a_member_limited_to_other_channels_cannot_see_or_decide_the_review(
    world: World, two: Channel
) -> None:
    analyst = world.members["analyst"]
    world.a_group.members.add(analyst)  # an approver of world.a_request, through the group
    req = world.a_request
    web = world.client_for("analyst")
    token = token_for(analyst)
    # With access to every channel, the analyst reviews it like the rest of the group.
    assert queue_ids(analyst)["groups"] == [req.pk]
    assert POST_TEXT in web.get(f"{WEB}/{req.pk}/").content.decode()
    assert api_queue_ids(token) == [req.pk]

    limit_to(analyst, two)  # the post goes to channel 1 only

    assert web.get(f"{WEB}/{req.pk}/").status_code == 404
    queue_page = web.get(f"{WEB}/").content.decode()
    assert POST_TEXT not in queue_page and f"{WEB}/{req.pk}/" not in queue_page
    assert queue_ids(analyst) == {"mine": [], "groups": [], "submitted": []}
    response = web.post(f"{WEB}/{req.pk}/decide/", {"decision": "approve", "step": "1"})
    assert response.status_code == 404
    assert api_queue_ids(token) == []
    assert api("get", f"{API}/approvals/{req.pk}", token).status_code == 404
    response = api("post", f"{API}/approvals/{req.pk}/decide", token, {"decision": "approve"})
    assert response.status_code == 404
    post_id = req.object_id
    assert api("get", f"{API}/posts/{post_id}/approval-events", token).status_code == 404
    assert list(events_for(fresh(analyst), "post", post_id)) == []
    # Nor through the engine directly: someone who cannot see it is no approver of it.
    assert analyst.user not in approvers_of(current_state(req))
    with pytest.raises(PermissionDenied):
        request_decide(req=req, decision="approve", user=analyst.user)
    assert not Decision.objects.filter(state__request=req).exists()
    req.refresh_from_db()
    assert req.status == "pending"
    # The admin, in the same group with every channel, still reviews it.
    assert world.members["admin"].user in approvers_of(current_state(req))

    # Granted channel 1 again: the review is theirs to see and decide.
    limit_to(analyst, two, world.a_channel)
    assert POST_TEXT in web.get(f"{WEB}/{req.pk}/").content.decode()
    assert api_queue_ids(token) == [req.pk]


def test_a_post_to_one_of_their_channels_stays_visible(world: World, two: Channel) -> None:
    analyst = world.members["analyst"]
    world.a_group.members.add(analyst)
    post = post_compose(
        actor=world.members["content_creator"],
        data=PostInput(
            text="To both channels",
            channel_ids=[world.a_channel.pk, two.pk],
            campaign_id=world.a_workflow.campaign_ids[0],
        ),
        mode="now",
    )
    req = ApprovalRequest.objects.get(kind="post", object_id=post.pk)
    limit_to(analyst, two)
    assert world.client_for("analyst").get(f"{WEB}/{req.pk}/").status_code == 200
    assert queue_ids(analyst)["groups"] == [req.pk]  # not world.a_request: channel 1 only


def test_limited_group_members_are_not_told_about_reviews_they_cannot_see(
    world: World, two: Channel
) -> None:
    analyst = world.members["analyst"]
    world.a_group.members.add(analyst)
    limit_to(analyst, two)
    Notification.objects.all().delete()
    post_compose(
        actor=world.members["content_creator"],
        data=PostInput(
            text="Only on channel 1",
            channel_ids=[world.a_channel.pk],
            campaign_id=world.a_workflow.campaign_ids[0],
        ),
        mode="now",
    )
    told = sorted(
        Notification.objects.filter(kind="approval.review").values_list(
            "recipient__email", flat=True
        )
    )
    assert told == ["admin@alpha.test"]


def test_the_workflow_editor_refuses_an_approver_without_the_channels(
    world: World, two: Channel
) -> None:
    analyst = world.members["analyst"]
    limit_to(analyst, two)
    manager = world.members["social_media_manager"]
    before = Workflow.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        workflow_save(
            actor=manager,
            name="Everything",
            steps=[{"name": "Check", "member_ids": [analyst.pk]}],
        )
    assert exc.value.errors["steps"] == [
        "Alpha Social Data Analyst cannot use every channel this workflow covers, so they "
        "could not see what they are asked to review. Give them those channels, narrow the "
        "workflow to their channels, or name someone else."
    ]
    with pytest.raises(ValidationFailed):
        workflow_save(
            actor=manager,
            name="Escalation",
            steps=[{"name": "Check", "member_ids": [manager.pk], "escalate_member_id": analyst.pk}],
        )
    assert Workflow.objects.count() == before
    # Narrowed to the analyst's own channel, the same step is fine.
    made = workflow_save(
        actor=manager,
        name="Channel two",
        steps=[{"name": "Check", "member_ids": [analyst.pk]}],
        channel_ids=[two.pk],
    )
    assert list(made.steps.get().members.all()) == [analyst]


# --- replies and inbox visibility -----------------------------------------------------


@pytest.fixture
def reply_review(world: World) -> ApprovalRequest:
    """A Community Manager's reply to a customer's message routed to nobody, waiting for a
    step that names the Social Media Manager and the Content Creator."""
    found = approval_settings(world.a)
    found.require_for_inbox_replies = True
    found.save()
    workflow = Workflow.objects.create(workspace=world.a, name="Replies", kind="reply")
    step = WorkflowStep.objects.create(workflow=workflow, position=1, name="Check replies")
    step.members.set([world.members["social_media_manager"], world.members["content_creator"]])
    message = put(world.a_channel, "secret-1", SECRET)
    draft = reply_send(
        actor=world.members["community_manager"], message=message, text=REPLY, key="k1"
    )
    assert isinstance(draft, ReplyDraft)
    return ApprovalRequest.objects.get(kind="reply", object_id=draft.pk)


def test_a_reply_review_is_hidden_from_who_cannot_open_the_message(
    world: World, reply_review: ApprovalRequest
) -> None:
    req = reply_review
    creator = world.members["content_creator"]  # no whole-inbox reading; not routed to them
    web = world.client_for("content_creator")
    token = token_for(creator)
    response = web.get(f"{WEB}/{req.pk}/")
    assert response.status_code == 404 and REPLY not in response.content.decode()
    assert REPLY not in web.get(f"{WEB}/").content.decode()
    own_post = world.a_request.pk  # the creator's own post, waiting in review
    assert queue_ids(creator) == {"mine": [], "groups": [], "submitted": [own_post]}
    assert api_queue_ids(token) == [own_post]
    assert api("get", f"{API}/approvals/{req.pk}", token).status_code == 404
    response = api("post", f"{API}/approvals/{req.pk}/decide", token, {"decision": "approve"})
    assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        request_decide(req=req, decision="approve", user=creator.user)
    assert not Decision.objects.filter(state__request=req).exists()
    told = Notification.objects.filter(
        kind="approval.review", key__startswith=f"approval:{req.pk}:"
    ).values_list("recipient__email", flat=True)
    assert list(told) == ["social_media_manager@alpha.test"]
    # Its author wrote it in reply to the message: their own submission stays theirs.
    assert queue_ids(world.members["community_manager"])["submitted"] == [req.pk]
    # The manager reads the whole inbox: the review, with the customer's words, is theirs.
    manager = world.client_for("social_media_manager")
    assert REPLY in manager.get(f"{WEB}/{req.pk}/").content.decode()
    found = api(
        "get", f"{API}/approvals/{req.pk}", token_for(world.members["social_media_manager"])
    )
    assert found.json()["snapshot"] == {"text": REPLY, "in_reply_to": SECRET}
    # Routed to the creator in person, the message (and its reply's review) opens for them.
    message = ReplyDraft.objects.get(pk=req.object_id).message
    triage.message_assign(actor=world.members["owner"], message=message, member_id=creator.pk)
    assert REPLY in web.get(f"{WEB}/{req.pk}/").content.decode()
    assert queue_ids(creator)["mine"] == [req.pk]
    assert api_queue_ids(token) == sorted([own_post, req.pk])
