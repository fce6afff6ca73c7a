"""A post's lifecycle stays consistent with its review: cancelling withdraws the review,
a cancelled post goes back into review only when someone asks for it, and a late approval
never puts a cancelled post on the schedule — through the web pages and the API alike."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client

from roost.approvals.models import ApprovalEvent, ApprovalRequest, Workflow, WorkflowStep
from roost.approvals.selectors import queue_for
from roost.channels.models import Channel
from roost.conftest import World, make_channel, token_for
from roost.notifications.models import Notification
from roost.publishing.models import Delivery, DeliveryStatus, Post, PostStatus
from roost.publishing.services.compose import PostInput, post_compose
from roost.workspaces.models import AuditEntry

START = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
PLANNED = datetime(2026, 3, 24, 9, 0)  # wall-clock time in the workspace's zone (Warsaw)
PLANNED_UTC = datetime(2026, 3, 24, 8, 0, tzinfo=UTC)
API = "/api/v1/workspaces/alpha"
RESUBMIT_MESSAGE = (
    "This post was cancelled, and its review with it. Scheduling it again starts a new "
    "review: confirm that you want to send it for review again."
)


@pytest.fixture(autouse=True)
def frozen(monkeypatch: Any) -> None:
    monkeypatch.setattr("roost.core.clock.now", lambda: START)


@pytest.fixture
def channel(world: World) -> Channel:
    # The world has a review of its own (narrowed to a campaign): count only ours.
    Notification.objects.all().delete()
    channel = make_channel(world.a, "Review Sandbox")
    workflow = Workflow.objects.create(workspace=world.a, name="Posts")
    step = WorkflowStep.objects.create(workflow=workflow, position=1, name="Legal review")
    step.groups.set([world.a_group])  # the Admin
    return channel


@pytest.fixture
def post(world: World, channel: Channel) -> Post:
    """The Content Creator's post, waiting for the Admin's approval."""
    post = post_compose(
        actor=world.members["content_creator"],
        data=PostInput(text="Spring launch", channel_ids=[channel.pk]),
        mode="at",
        at=PLANNED,
    )
    assert post.status == PostStatus.IN_REVIEW
    return post


def api(world: World, role: str, method: str, path: str, body: Any = None) -> Any:
    return Client().generic(
        method,
        API + path,
        data=json.dumps(body) if body is not None else "",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token_for(world.members[role])}",
    )


def web(world: World, role: str, path: str, data: dict[str, Any]) -> Any:
    return world.client_for(role).post(f"/w/alpha{path}", data)


def cancel(world: World, post: Post, via: str) -> None:
    if via == "api":
        response = api(world, "content_creator", "POST", f"/posts/{post.pk}/cancel")
        assert response.status_code == 200, response.content
        assert response.json()["status"] == "cancelled"
    else:
        response = web(world, "content_creator", f"/posts/{post.pk}/cancel/", {})
        assert response.status_code == 302


def schedule(world: World, post: Post, via: str, **extra: Any) -> Any:
    if via == "api":
        body = {"mode": "at", "at": "2026-03-25T09:00:00", **extra}
        return api(world, "content_creator", "POST", f"/posts/{post.pk}/schedule", body)
    data = {"mode": "at", "scheduled_at": "2026-03-25T09:00"}
    if extra.get("resubmit"):
        data["resubmit"] = "on"
    return web(world, "content_creator", f"/posts/{post.pk}/schedule/", data)


def requests_of(post: Post) -> list[str]:
    return list(
        ApprovalRequest.objects.filter(kind="post", object_id=post.pk)
        .order_by("id")
        .values_list("status", flat=True)
    )


def statuses(post: Post) -> tuple[str, list[str]]:
    post.refresh_from_db()
    return post.status, list(post.deliveries.values_list("status", flat=True))


@pytest.mark.parametrize("via", ["web", "api"])
def test_cancelling_a_post_under_review_withdraws_the_review(
    world: World, post: Post, via: str
) -> None:
    admin = world.members["admin"]
    req = ApprovalRequest.objects.get(kind="post", object_id=post.pk)
    queued = lambda: [i.request.pk for q in queue_for(admin).values() for i in q]  # noqa: E731
    assert req.pk in queued()
    review_note = Notification.objects.get(kind="approval.review")
    assert (review_note.recipient, review_note.read_at) == (admin.user, None)

    cancel(world, post, via)

    assert statuses(post) == ("cancelled", ["cancelled"])
    assert requests_of(post) == ["cancelled"]
    # Gone from the approver's queue, the call to review marked read, and recorded.
    assert req.pk not in queued()
    review_note.refresh_from_db()
    assert review_note.read_at == START
    withdrawn = ApprovalEvent.objects.get(kind="post", object_id=post.pk, event="cancelled")
    assert (withdrawn.actor, withdrawn.comment) == (
        world.members["content_creator"].user,
        "The post was cancelled.",
    )
    audit = AuditEntry.objects.get(action="post.cancelled", target_id=str(post.pk))
    assert audit.data == {"review_withdrawn": True}


def test_the_post_page_offers_to_cancel_a_post_under_review(world: World, post: Post) -> None:
    page = world.client_for("content_creator").get(f"/w/alpha/posts/{post.pk}/")
    assert b'data-testid="cancel-in-review"' in page.content


@pytest.mark.parametrize("via", ["web", "api"])
def test_rescheduling_a_cancelled_post_is_refused_without_asking_for_review(
    world: World, post: Post, via: str
) -> None:
    cancel(world, post, via)

    response = schedule(world, post, via)

    assert response.status_code == 422
    if via == "api":
        errors = [(e["loc"][-1], e["msg"]) for e in response.json()["detail"]]
        assert errors == [("resubmit", RESUBMIT_MESSAGE)]
    else:
        assert RESUBMIT_MESSAGE in response.content.decode()
    # Nothing moved: still cancelled, no new review, nobody asked to approve.
    assert statuses(post) == ("cancelled", ["cancelled"])
    assert requests_of(post) == ["cancelled"]
    assert Notification.objects.filter(kind="approval.review", read_at=None).count() == 0


@pytest.mark.parametrize("via", ["web", "api"])
def test_a_cancelled_post_goes_back_into_review_when_asked(
    world: World, post: Post, via: str
) -> None:
    cancel(world, post, via)

    response = schedule(world, post, via, resubmit=True)

    assert response.status_code == (200 if via == "api" else 302), response.content
    assert statuses(post) == ("in_review", ["pending"])
    assert requests_of(post) == ["cancelled", "pending"]
    fresh = ApprovalRequest.objects.filter(kind="post", object_id=post.pk).latest("id")
    assert fresh.plan == {"mode": "at", "at": "2026-03-25T09:00:00"}
    unread = Notification.objects.filter(kind="approval.review", read_at=None)
    assert [n.recipient for n in unread] == [world.members["admin"].user]


def test_a_cancelled_post_once_approved_needs_a_new_review_too(world: World, post: Post) -> None:
    """An approval given before the post was cancelled does not carry over to a reschedule."""
    req = ApprovalRequest.objects.get(kind="post", object_id=post.pk)
    response = api(world, "admin", "POST", f"/approvals/{req.pk}/decide", {"decision": "approve"})
    assert response.status_code == 200, response.content
    assert statuses(post) == ("scheduled", ["scheduled"])
    cancel(world, post, "api")

    assert schedule(world, post, "api").status_code == 422
    assert schedule(world, post, "api", resubmit=True).status_code == 200
    assert requests_of(post) == ["approved", "pending"]
    assert statuses(post) == ("in_review", ["pending"])


def test_a_member_who_publishes_without_approval_reschedules_a_cancelled_post(
    world: World, channel: Channel
) -> None:
    manager = "social_media_manager"
    made = api(
        world,
        manager,
        "POST",
        "/posts",
        {"text": "Hi", "channels": [channel.pk], "schedule": {"mode": "at", "at": str(PLANNED)}},
    )
    post = Post.objects.get(pk=made.json()["id"])
    assert api(world, manager, "POST", f"/posts/{post.pk}/cancel").status_code == 200

    again = api(
        world, manager, "POST", f"/posts/{post.pk}/schedule", {"mode": "at", "at": str(PLANNED)}
    )

    assert again.status_code == 200
    assert statuses(post) == ("scheduled", ["scheduled"])
    assert requests_of(post) == []


def _cancelled_behind_the_reviews_back(post: Post) -> None:
    """The post is cancelled while its review stays pending (a race with the approval, or
    data from before reviews were withdrawn on cancel)."""
    Delivery.objects.filter(post=post).update(status=DeliveryStatus.CANCELLED)
    Post.objects.filter(pk=post.pk).update(status=PostStatus.CANCELLED)


@pytest.mark.parametrize("via", ["web", "api"])
def test_a_late_approval_never_schedules_a_cancelled_post(
    world: World, post: Post, via: str
) -> None:
    req = ApprovalRequest.objects.get(kind="post", object_id=post.pk)
    _cancelled_behind_the_reviews_back(post)

    if via == "api":
        path = f"/approvals/{req.pk}/decide"
        response = api(world, "admin", "POST", path, {"decision": "approve"})
        assert response.status_code == 200, response.content
    else:
        response = web(
            world, "admin", f"/approvals/{req.pk}/decide/", {"decision": "approve", "step": 1}
        )
        assert response.status_code == 302

    assert statuses(post) == ("cancelled", ["cancelled"])
    completed = ApprovalEvent.objects.get(kind="post", object_id=post.pk, event="completed")
    assert completed.comment == (
        "Approved, but the post was cancelled meanwhile: it was not scheduled."
    )
    assert not AuditEntry.objects.filter(action="post.scheduled", target_id=str(post.pk)).exists()
