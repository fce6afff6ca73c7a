"""The approvals queue as it grows: a page of each section at a time (oldest first) with
its total, and a number of queries that does not follow the number of reviews."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from roost.approvals import views
from roost.approvals.models import (
    ApprovalRequest,
    Decision,
    RequestStatus,
    StepState,
    WorkflowStep,
)
from roost.approvals.selectors import queue_for, queue_sections
from roost.conftest import World
from roost.core import clock
from roost.publishing.models import Post
from roost.publishing.services.compose import PostInput, post_compose

WEB = "/w/alpha/approvals/"


def submit(world: World, count: int, start: int = 0) -> list[int]:
    """`count` posts into the world's review (its workflow's campaign; the Legal review
    group, where the admin is, approves); returns their requests' ids, oldest first."""
    campaign = world.a_workflow.campaign_ids[0]
    ids = []
    for i in range(start, start + count):
        post = post_compose(
            actor=world.members["content_creator"],
            data=PostInput(
                text=f"Review me {i:02d}", channel_ids=[world.a_channel.pk], campaign_id=campaign
            ),
            mode="now",
        )
        ids.append(ApprovalRequest.objects.get(kind="post", object_id=post.pk).pk)
    return ids


def titles(html: str, section: str) -> list[str]:
    """The item titles listed in one section of the queue page."""
    part = html.split(f'data-testid="{section}"', 1)[1].split("</section>", 1)[0]
    return re.findall(r'<a href="/w/alpha/approvals/\d+/">([^<]*)</a>', part)


def test_a_long_queue_comes_a_page_at_a_time(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    submit(world, 5)
    monkeypatch.setattr(views, "QUEUE_PAGE", 2)
    client = world.client_for("admin")
    html = client.get(WEB).content.decode()
    # The world's own review came first; then these, oldest first.
    assert titles(html, "waiting-for-my-groups") == ["For review in Alpha", "Review me 00"]
    assert re.search(r'Waiting for my groups <span class="count">6</span>', html)
    assert "1\N{EN DASH}2 of 6, oldest first" in html
    assert f'href="{WEB}?groups=2"' in html
    assert "Earlier" not in html.split('data-testid="waiting-for-my-groups"', 1)[1]

    html = client.get(f"{WEB}?groups=2").content.decode()
    assert titles(html, "waiting-for-my-groups") == ["Review me 01", "Review me 02"]
    assert f'href="{WEB}?groups=0"' in html and f'href="{WEB}?groups=4"' in html
    html = client.get(f"{WEB}?groups=4").content.decode()
    assert titles(html, "waiting-for-my-groups") == ["Review me 03", "Review me 04"]
    assert f"{WEB}?groups=6" not in html
    # Nonsense is the first page, not an error.
    for bad in ("x", "-1", "9" * 20, "٣"):
        response = client.get(f"{WEB}?groups={bad}")
        assert response.status_code == 200
        assert titles(response.content.decode(), "waiting-for-my-groups")[0] == (
            "For review in Alpha"
        )


def test_the_sections_keep_their_meaning(world: World) -> None:
    """Named on the step: mine; through a group: my groups; already decided on an "all of
    them" step, or an item gone: not at all."""
    ids = submit(world, 3)
    admin = world.members["admin"]
    step = WorkflowStep.objects.get(workflow=world.a_workflow, position=1)
    step.members.add(admin)  # now named too: "mine" wins over the group
    queue = queue_sections(admin)
    assert [i.request.pk for i in queue["mine"].items] == [world.a_request.pk, *ids]
    assert queue["groups"].items == [] and queue["groups"].total == 0
    assert queue["mine"].items[1].state is not None
    assert queue["mine"].items[1].state.name == "Group review"

    step.members.remove(admin)
    Post.objects.filter(pk=ApprovalRequest.objects.get(pk=ids[0]).object_id).delete()
    ApprovalRequest.objects.filter(pk=ids[1]).update(status=RequestStatus.APPROVED)
    assert [i.request.pk for i in queue_for(admin)["groups"]] == [world.a_request.pk, ids[2]]
    # The one who submitted them sees them under "Submitted by me", latest first.
    submitted = queue_for(world.members["content_creator"])["submitted"]
    assert [i.request.pk for i in submitted] == [ids[2], ids[1], world.a_request.pk]


def test_escalated_reviews_are_mine_and_decided_ones_leave(world: World) -> None:
    ids = submit(world, 2)
    owner, admin = world.members["owner"], world.members["admin"]
    step = WorkflowStep.objects.get(workflow=world.a_workflow, position=1)
    step.escalate_to_member = owner  # the owner is not in the Legal review group
    step.save()

    def sections(member: Any) -> dict[str, list[int]]:
        return {k: [i.request.pk for i in v] for k, v in queue_for(member).items()}

    assert sections(owner)["mine"] == [] and sections(owner)["groups"] == []
    StepState.objects.filter(request_id=ids[0]).update(escalated_at=clock.now())
    assert sections(owner)["mine"] == [ids[0]]
    assert sections(owner)["groups"] == []
    # For the group's members an escalated review is theirs now, too.
    assert sections(admin)["mine"] == [ids[0]]
    assert sections(admin)["groups"] == [world.a_request.pk, ids[1]]

    # A decision of mine on the current step (an "all of them" step): no longer waiting.
    Decision.objects.create(
        state=StepState.objects.get(request_id=ids[1]), user=admin.user, kind="approve"
    )
    assert sections(admin)["groups"] == [world.a_request.pk]
    assert sections(owner)["mine"] == [ids[0]]


def _count(client: Client, path: str, **headers: Any) -> int:
    client.get(path, **headers)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, **headers)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", ["admin", "content_creator"])
def test_queries_do_not_follow_the_length_of_the_queue(world: World, role: str) -> None:
    client = world.client_for(role)
    submit(world, 2)
    few = _count(client, WEB)
    submit(world, 12, start=2)
    html = client.get(WEB).content.decode()
    assert "Review me 13" in html
    assert _count(client, WEB) == few
