"""What people see around a review: the route shown in compose before sending, the review
page (time, channels, per-channel texts, images, who is in each step), approving from
the queue, "Decided by me", and calls to review that clear once a step is decided."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from io import BytesIO
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from roost.approvals.models import ApprovalRequest, Workflow, WorkflowStep
from roost.approvals.services import request_decide
from roost.conftest import World, make_channel
from roost.notifications.models import Notification
from roost.publishing.models import Campaign, Post
from roost.publishing.services.compose import PostInput, post_compose
from roost.publishing.services.media import media_upload

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
PLANNED = datetime(2026, 12, 2, 7, 12)  # wall-clock time in the workspace's zone


@pytest.fixture
def frozen(monkeypatch: Any) -> None:
    monkeypatch.setattr("roost.core.clock.now", lambda: NOW)


@pytest.fixture
def brand(world: World, frozen: None) -> Workflow:
    """The review's "Brand review": Legal (the group: Adam Admin), then the manager; the
    workspace's default."""
    Notification.objects.all().delete()
    wf = Workflow.objects.create(workspace=world.a, name="Brand review", is_default=True)
    legal = WorkflowStep.objects.create(workflow=wf, position=1, name="Legal review")
    legal.groups.set([world.a_group])
    social = WorkflowStep.objects.create(workflow=wf, position=2, name="Social media manager")
    social.members.set([world.members["social_media_manager"]])
    return wf


def submit(world: World, text: str = "Winter latte is back", **extra: Any) -> Post:
    return post_compose(
        actor=world.members["content_creator"],
        data=PostInput(text=text, channel_ids=[world.a_channel.pk], **extra),
        mode="at",
        at=PLANNED,
    )


def request_of(post: Post) -> ApprovalRequest:
    return ApprovalRequest.objects.get(kind="post", object_id=post.pk, status="pending")


# --- the route, shown in compose --------------------------------------------------------


def route_url(world: World, **query: Any) -> str:
    from urllib.parse import urlencode

    return "/w/alpha/approvals/route/?" + urlencode(query, doseq=True)


def test_compose_shows_where_a_post_goes_and_who_approves(world: World, brand: Workflow) -> None:
    client = world.client_for("content_creator")
    response = client.get(route_url(world, channels=[world.a_channel.pk]))
    assert response.status_code == 200
    text = " ".join(response.content.decode().split())
    admin = world.members["admin"].user.display_name  # the group's only member
    manager = world.members["social_media_manager"].user.display_name
    assert "Goes to Brand review:" in text
    assert f"step 1 Legal review (Legal review: {admin}), then step 2 Social media" in text
    assert f"step 2 Social media manager ({manager})." in text
    assert "default workflow" in text


def test_compose_says_a_member_who_may_skip_publishes_without_approval(
    world: World, brand: Workflow
) -> None:
    client = world.client_for("social_media_manager")
    html = client.get(route_url(world, channels=[world.a_channel.pk])).content.decode()
    assert 'data-outcome="skip"' in html and "Publishes without approval" in html


def test_compose_route_with_no_workflow_and_with_a_tie(world: World, brand: Workflow) -> None:
    client = world.client_for("content_creator")
    brand.delete()
    html = client.get(route_url(world, channels=[world.a_channel.pk])).content.decode()
    assert 'data-outcome="none"' in html
    for name in ("Older", "Newer"):
        wf = Workflow.objects.create(workspace=world.a, name=name, channel_ids=[world.a_channel.pk])
        WorkflowStep.objects.create(workflow=wf, position=1, name="Check").members.set(
            [world.members["admin"]]
        )
    html = client.get(route_url(world, channels=[world.a_channel.pk])).content.decode()
    assert "Goes to Older:" in html
    assert "“Newer”" in html and "because it was created first" in html


def test_compose_route_refuses_bad_and_foreign_input(world: World, brand: Workflow) -> None:
    client = world.client_for("content_creator")
    response = client.get(route_url(world, channels=["abc"]))
    assert response.status_code == 400 and "“abc” is not an id." in response.content.decode()
    response = client.get(route_url(world, channels=[world.b_channel.pk]))
    assert response.status_code == 404
    foreign = Campaign.objects.create(workspace=world.b, name="B's")
    response = client.get(route_url(world, channels=[world.a_channel.pk], campaign=foreign.pk))
    assert response.status_code == 404
    # Another workspace's member: not found; a role without compose: not allowed.
    outsider = world.client_for("owner")
    outsider.force_login(world.b_owner.user)
    assert outsider.get(route_url(world)).status_code == 404
    assert world.client_for("analyst").get(route_url(world)).status_code == 403


def test_the_compose_page_asks_for_the_route(world: World, brand: Workflow) -> None:
    html = world.client_for("content_creator").get("/w/alpha/compose/").content.decode()
    assert 'hx-get="/w/alpha/approvals/route/"' in html


# --- the review page ---------------------------------------------------------------------


def _image(world: World) -> int:
    buffer = BytesIO()
    Image.new("RGB", (32, 32), (200, 100, 0)).save(buffer, format="PNG")
    asset = media_upload(
        actor=world.members["content_creator"],
        upload=SimpleUploadedFile("latte.png", buffer.getvalue()),
    )
    return asset.pk


def test_the_review_page_shows_time_channels_texts_images_and_people(
    world: World, brand: Workflow
) -> None:
    second = make_channel(world.a, "Coffee Co. Sandbox")
    media_id = _image(world)
    post = post_compose(
        actor=world.members["content_creator"],
        data=PostInput(
            text="Winter latte is back",
            channel_ids=[world.a_channel.pk, second.pk],
            variants={second.pk: "Zimowe latte wraca"},
            media_ids=[media_id],
            alt_texts={media_id: "A latte with cinnamon"},
        ),
        mode="at",
        at=PLANNED,
    )
    req = request_of(post)
    html = world.client_for("admin").get(f"/w/alpha/approvals/{req.pk}/").content.decode()
    text = " ".join(re.sub(r"<[^>]+>", "", html).split())
    assert "Goes out: Dec. 2, 2026, 07:12 (Europe/Warsaw)" in text
    assert 'datetime="2026-12-02T07:12:00+01:00"' in html
    assert "Channels: Alpha Sandbox, Coffee Co. Sandbox" in text
    assert "Own text for Coffee Co. Sandbox:" in text and "Zimowe latte wraca" in text
    assert f'src="/w/alpha/media/{media_id}/file/"' in html
    assert 'alt="A latte with cinnamon"' in html
    manager = world.members["social_media_manager"].user.display_name
    admin = world.members["admin"].user.display_name
    assert f'<span data-testid="step-people">{world.a_group.name}: {admin}</span>' in html
    assert f'<span data-testid="step-people">{manager}</span>' in html


# --- approve from the queue --------------------------------------------------------------


def test_approve_from_the_queue_moves_the_review_on(world: World, brand: Workflow) -> None:
    post = submit(world)
    req = request_of(post)
    admin = world.client_for("admin")
    html = admin.get("/w/alpha/approvals/").content.decode()
    assert f'action="/w/alpha/approvals/{req.pk}/approve/"' in html
    response = admin.post(
        f"/w/alpha/approvals/{req.pk}/approve/", {"step": 1}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "Your approval was recorded. Now at step 2." in response.content.decode()
    req.refresh_from_db()
    assert req.current_position == 2
    # The same step again: already decided, a clear conflict, nothing recorded twice.
    response = admin.post(
        f"/w/alpha/approvals/{req.pk}/approve/", {"step": 1}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 409
    assert "This step was already decided." in response.content.decode()


def test_approve_from_the_queue_checks_like_the_review_page(world: World, brand: Workflow) -> None:
    post = submit(world)
    req = request_of(post)
    url = f"/w/alpha/approvals/{req.pk}/approve/"
    # The manager is on step 2, not step 1: not an approver of the step under way.
    response = world.client_for("social_media_manager").post(url, {"step": 1})
    assert response.status_code == 403
    assert "not (or no longer) an approver of step “Legal review”" in response.content.decode()
    # The wrong step (one not reached yet): a conflict.
    response = world.client_for("admin").post(url, {"step": 2})
    assert response.status_code == 409
    # No step at all: the form is refused.
    assert world.client_for("admin").post(url, {}).status_code == 422
    req.refresh_from_db()
    assert (req.current_position, req.status) == (1, "pending")
    assert not req.steps.get(position=1).decisions.exists()
    # Over: a clear answer, not a vote.
    request_decide(req=req, decision="reject", user=world.members["admin"].user, comment="No")
    response = world.client_for("admin").post(url, {"step": 1})
    assert response.status_code == 409
    assert "This review is already over: Rejected." in response.content.decode()


def test_approve_from_the_queue_without_htmx_redirects(world: World, brand: Workflow) -> None:
    req = request_of(submit(world))
    response = world.client_for("admin").post(f"/w/alpha/approvals/{req.pk}/approve/", {"step": 1})
    assert response.status_code == 302 and response["Location"] == "/w/alpha/approvals/"


# --- decided by me -----------------------------------------------------------------------


def test_decided_by_me_lists_my_decisions_only(world: World, brand: Workflow) -> None:
    mine = request_of(submit(world, text="Approved by Adam"))
    other = request_of(submit(world, text="Not decided"))
    request_decide(req=mine, decision="approve", user=world.members["admin"].user, step_position=1)
    html = world.client_for("admin").get("/w/alpha/approvals/?tab=decided").content.decode()
    section = html.split('data-testid="decided-by-me"')[1]
    assert "Approved by Adam" in section and "Not decided" not in section
    assert "step “Legal review”" in section and "Waiting for approval" in section
    assert other.pk
    html = world.client_for("social_media_manager").get("/w/alpha/approvals/?tab=decided")
    assert "You have not decided on any review yet." in html.content.decode()


# --- notifications clear when acted on ---------------------------------------------------


def _unread(world: World, role: str, req: ApprovalRequest) -> list[str]:
    return list(
        Notification.objects.filter(
            recipient=world.members[role].user,
            key__startswith=f"approval:{req.pk}:step:",
            read_at__isnull=True,
        ).values_list("key", flat=True)
    )


def test_a_call_to_review_is_marked_read_for_everyone_once_the_step_is_decided(
    world: World, brand: Workflow
) -> None:
    extra = world.members["owner"]
    world.a_group.members.add(extra)  # the step now goes to two people
    req = request_of(submit(world))
    assert _unread(world, "admin", req) == [f"approval:{req.pk}:step:1:review"]
    assert _unread(world, "owner", req) == [f"approval:{req.pk}:step:1:review"]
    request_decide(req=req, decision="approve", user=world.members["admin"].user, step_position=1)
    assert _unread(world, "admin", req) == []
    assert _unread(world, "owner", req) == []  # asked too, and no longer needed
    assert _unread(world, "social_media_manager", req) == [f"approval:{req.pk}:step:2:review"]
    request_decide(
        req=req,
        decision="approve",
        user=world.members["social_media_manager"].user,
        step_position=2,
    )
    assert _unread(world, "social_media_manager", req) == []
    req.refresh_from_db()
    assert req.status == "approved"


def test_a_rejection_also_clears_the_call_to_review(world: World, brand: Workflow) -> None:
    req = request_of(submit(world))
    request_decide(
        req=req, decision="request_changes", user=world.members["admin"].user, comment="Fix"
    )
    assert _unread(world, "admin", req) == []


def test_a_review_replaced_by_a_new_submission_clears_its_calls(
    world: World, brand: Workflow
) -> None:
    from roost.approvals.services import request_submit

    post = submit(world)
    old = request_of(post)
    assert _unread(world, "admin", old) == [f"approval:{old.pk}:step:1:review"]
    new = request_submit(
        actor=world.members["content_creator"], kind="post", obj=post, workflow=brand, plan=old.plan
    )
    assert _unread(world, "admin", old) == []  # the old review asks for nothing now
    assert _unread(world, "admin", new) == [f"approval:{new.pk}:step:1:review"]


def test_in_an_all_of_them_step_only_the_voters_call_clears_until_the_step_is_done(
    world: World, brand: Workflow
) -> None:
    legal = brand.steps.get(position=1)
    legal.rule = "all"
    legal.save()
    world.a_group.members.add(world.members["owner"])
    req = request_of(submit(world))
    request_decide(req=req, decision="approve", user=world.members["admin"].user, step_position=1)
    assert _unread(world, "admin", req) == []
    assert _unread(world, "owner", req) == [f"approval:{req.pk}:step:1:review"]  # still asked
    request_decide(req=req, decision="approve", user=world.members["owner"].user, step_position=1)
    assert _unread(world, "owner", req) == []


def _queries(client: Any, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_decided_by_me_and_the_workflow_list_take_a_fixed_number_of_queries(
    world: World, brand: Workflow
) -> None:
    admin = world.client_for("admin")
    owner = world.client_for("owner")

    def decide_one(n: int) -> None:
        req = request_of(submit(world, text=f"Post {n}"))
        request_decide(
            req=req, decision="approve", user=world.members["admin"].user, step_position=1
        )

    def add_workflow(n: int) -> None:
        wf = Workflow.objects.create(
            workspace=world.a, name=f"Scoped {n}", channel_ids=[world.a_channel.pk]
        )
        WorkflowStep.objects.create(workflow=wf, position=1, name="Check").members.set(
            [world.members["admin"]]
        )

    decide_one(1)
    add_workflow(1)
    decided = _queries(admin, "/w/alpha/approvals/?tab=decided")
    listed = _queries(owner, "/w/alpha/approvals/workflows/")
    for n in (2, 3, 4):
        decide_one(n)
        add_workflow(n)
    assert _queries(admin, "/w/alpha/approvals/?tab=decided") == decided
    assert _queries(owner, "/w/alpha/approvals/workflows/") == listed
