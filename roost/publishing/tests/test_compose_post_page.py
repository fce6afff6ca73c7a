"""After compose, on the post page: a post in review shows its planned time, "Schedule" on
it says what will happen (not "Post scheduled."), and cancelling the post sits apart from
"Schedule", named for what it does, and asks first."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest

from roost.approvals.models import Workflow, WorkflowStep
from roost.conftest import World, make_channel
from roost.publishing.models import DeliveryStatus, Post, PostStatus
from roost.publishing.services.compose import PostInput, post_compose

START = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
PLANNED = datetime(2026, 3, 24, 9, 0)  # wall-clock time in the workspace's zone (Warsaw)


@pytest.fixture(autouse=True)
def frozen(monkeypatch: Any) -> None:
    monkeypatch.setattr("roost.core.clock.now", lambda: START)


@pytest.fixture
def post(world: World) -> Post:
    """The Content Creator's post, waiting for the Admin's approval."""
    channel = make_channel(world.a, "Review Sandbox")
    workflow = Workflow.objects.create(workspace=world.a, name="Posts")
    step = WorkflowStep.objects.create(workflow=workflow, position=1, name="Legal review")
    step.groups.set([world.a_group])
    post = post_compose(
        actor=world.members["content_creator"],
        data=PostInput(text="Spring launch", channel_ids=[channel.pk]),
        mode="at",
        at=PLANNED,
    )
    assert post.status == PostStatus.IN_REVIEW
    return post


def flashed(client: Any, response: Any) -> list[str]:
    page = client.get(response["Location"]).content.decode()
    return re.findall(r'<li class="msg-\w+">(.*?)</li>', page)


def test_a_post_in_review_shows_its_planned_time(world: World, post: Post) -> None:
    html = world.client_for("content_creator").get(f"/w/alpha/posts/{post.pk}/").content.decode()
    assert (
        '<p class="notice" data-testid="review-plan">Planned for Mar 24, 2026, 09:00: it is '
        "scheduled for then when the last approval step approves.</p>"
    ) in html
    row = html.split('data-delivery="Review Sandbox">', 1)[1].split("</tr>", 1)[0]
    assert '<td class="state-pending">Waiting for approval</td>' in row
    assert '<span data-testid="planned-time">Mar 24, 2026, 09:00</span>' in row
    assert "Not scheduled" not in row


def test_schedule_on_a_post_in_review_says_what_happens(world: World, post: Post) -> None:
    client = world.client_for("content_creator")
    response = client.post(
        f"/w/alpha/posts/{post.pk}/schedule/", {"mode": "at", "scheduled_at": "2026-03-25T07:12"}
    )
    assert response.status_code == 302
    assert flashed(client, response) == [
        "This post is in review: it will be scheduled for Mar 25, 2026, 07:12 when the last "
        "step approves."
    ]
    post.refresh_from_db()
    assert post.status == PostStatus.IN_REVIEW
    assert post.scheduled_at == datetime(2026, 3, 25, 6, 12, tzinfo=UTC)
    assert list(post.deliveries.values_list("status", flat=True)) == [DeliveryStatus.PENDING]

    response = client.post(f"/w/alpha/posts/{post.pk}/schedule/", {"mode": "now"})
    assert flashed(client, response) == [
        "This post is in review: it is published as soon as the last step approves."
    ]


def test_compose_says_when_a_post_sent_for_review_will_go_out(world: World) -> None:
    channel = make_channel(world.a, "Review Sandbox")
    workflow = Workflow.objects.create(workspace=world.a, name="Posts")
    WorkflowStep.objects.create(workflow=workflow, position=1, name="Legal review")
    client = world.client_for("content_creator")
    response = client.post(
        "/w/alpha/compose/",
        {
            "text": "Spring launch",
            "channels": [str(channel.pk)],
            "mode": "at",
            "scheduled_at": "2026-03-24T09:00",
        },
    )
    assert response.status_code == 302, response.content.decode()
    assert flashed(client, response) == [
        "Sent for approval. It will be scheduled for Mar 24, 2026, 09:00 when the last step "
        "approves."
    ]


def test_cancel_sits_apart_from_schedule_and_asks_first(world: World, post: Post) -> None:
    html = world.client_for("content_creator").get(f"/w/alpha/posts/{post.pk}/").content.decode()
    cancel_url = f"/w/alpha/posts/{post.pk}/cancel/"
    actions = html.split('<h2 id="post-actions">Actions</h2>', 1)[1].split("</aside>", 1)[0]
    assert ">Schedule</button>" in actions and cancel_url not in actions
    danger = html.split('<aside class="card danger-zone-card"', 1)[1].split("</aside>", 1)[0]
    assert (
        f'<form method="post" action="{cancel_url}" data-confirm="Cancel this post and withdraw '
        'its review? Nothing is published.">'
    ) in danger
    assert ">Cancel this post and withdraw its review…</button>" in danger
    # The Actions card (with Schedule) comes first; the destructive ones after it.
    assert html.index('<h2 id="post-actions">Actions</h2>') < html.index("danger-zone-card")
