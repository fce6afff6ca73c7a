"""The approvals API: my queue, one review, deciding (403 / 409 / 422 in words), and a
post's approval history — through the same engine as the approvals pages."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from roost.approvals.models import ApprovalEvent, ApprovalRequest, Decision, Workflow, WorkflowStep
from roost.conftest import World, make_channel, token_for
from roost.publishing.models import Post, PostStatus
from roost.publishing.services.compose import PostInput, post_compose

BASE = "/api/v1/workspaces/alpha"
START = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
PLANNED = datetime(2026, 3, 24, 9, 0)  # wall-clock time in Warsaw: 08:00 UTC


def call(method: str, url: str, token: str, body: Any = None) -> Any:
    return Client().generic(
        method,
        url,
        data=json.dumps(body) if body is not None else "",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


class Clock:
    def __init__(self) -> None:
        self.at = START


@pytest.fixture
def clock(monkeypatch: Any) -> Clock:
    frozen = Clock()
    monkeypatch.setattr("roost.core.clock.now", lambda: frozen.at)
    return frozen


@pytest.fixture
def post(world: World, clock: Clock) -> Post:
    """A Content Creator's post waiting in a two-step review: Legal review (the group, i.e.
    the Admin), then the Social Media Manager."""
    channel = make_channel(world.a, "Review Sandbox")
    workflow = Workflow.objects.create(workspace=world.a, name="Posts")
    legal = WorkflowStep.objects.create(workflow=workflow, position=1, name="Legal review")
    legal.groups.set([world.a_group])
    social = WorkflowStep.objects.create(workflow=workflow, position=2, name="Social")
    social.members.set([world.members["social_media_manager"]])
    return post_compose(
        actor=world.members["content_creator"],
        data=PostInput(text="Spring launch", channel_ids=[channel.pk]),
        mode="at",
        at=PLANNED,
    )


@pytest.fixture
def req(post: Post) -> ApprovalRequest:
    return ApprovalRequest.objects.get(kind="post", object_id=post.pk)


def token(world: World, role: str, scopes: tuple[str, ...] = ("read", "approvals:write")) -> str:
    return token_for(world.members[role], list(scopes))


def decide(world: World, req: ApprovalRequest, role: str, **body: Any) -> Any:
    return call(
        "POST",
        f"{BASE}/approvals/{req.pk}/decide",
        token(world, role),
        {"decision": "approve", **body},
    )


def state_of(req: ApprovalRequest) -> tuple[Any, ...]:
    """Everything a refused decision must leave alone."""
    req.refresh_from_db()
    return (
        req.status,
        req.current_position,
        list(req.steps.values_list("status", flat=True)),
        Decision.objects.filter(state__request=req).count(),
        ApprovalEvent.objects.filter(request=req).count(),
    )


# --- the queue ----------------------------------------------------------------------------


def ids(items: list[dict[str, Any]]) -> list[int]:
    return [i["id"] for i in items]


def test_queue_lists_mine_my_groups_and_what_i_submitted(
    world: World, post: Post, req: ApprovalRequest
) -> None:
    admin = call("GET", f"{BASE}/approvals", token(world, "admin")).json()
    # The world's own review (a one-step group review) was submitted first.
    assert admin == {
        "waiting_for_me": [],
        "waiting_for_my_groups": admin["waiting_for_my_groups"],
        "submitted_by_me": [],
    }
    assert ids(admin["waiting_for_my_groups"]) == [world.a_request.pk, req.pk]
    item = admin["waiting_for_my_groups"][1]
    assert {k: v for k, v in item.items() if k != "submitted_at"} == {
        "id": req.pk,
        "kind": "post",
        "object_id": post.pk,
        "title": "Spring launch",
        "status": "pending",
        "step": "Legal review",
        "position": 1,
        "due_at": None,
        "submitted_by": "content_creator@alpha.test",
    }

    creator = call("GET", f"{BASE}/approvals", token(world, "content_creator")).json()
    assert creator["waiting_for_me"] == creator["waiting_for_my_groups"] == []
    assert ids(creator["submitted_by_me"]) == [req.pk, world.a_request.pk]

    manager = call("GET", f"{BASE}/approvals", token(world, "social_media_manager")).json()
    assert manager["waiting_for_me"] == []
    assert decide(world, req, "admin").status_code == 200
    manager = call("GET", f"{BASE}/approvals", token(world, "social_media_manager")).json()
    assert ids(manager["waiting_for_me"]) == [req.pk]
    assert (manager["waiting_for_me"][0]["step"], manager["waiting_for_me"][0]["position"]) == (
        "Social",
        2,
    )
    admin = call("GET", f"{BASE}/approvals", token(world, "admin")).json()
    assert ids(admin["waiting_for_my_groups"]) == [world.a_request.pk]


# --- one review ---------------------------------------------------------------------------


def test_a_review_shows_its_steps_and_who_may_decide(
    world: World, post: Post, req: ApprovalRequest
) -> None:
    response = call("GET", f"{BASE}/approvals/{req.pk}", token(world, "admin", ("read",)))

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == req.pk
    assert (body["kind"], body["object_id"], body["title"]) == ("post", post.pk, "Spring launch")
    assert body["url"] == f"/w/alpha/posts/{post.pk}/"
    assert (body["status"], body["current_position"], body["workflow"]) == ("pending", 1, "Posts")
    assert body["submitted_by"] == "content_creator@alpha.test"
    assert body["plan"] == {"mode": "at", "at": "2026-03-24T09:00:00"}
    assert body["snapshot"]["text"] == "Spring launch"
    assert body["can_decide"] is True
    steps = [
        {k: s[k] for k in ("position", "name", "rule", "status", "current", "approvers")}
        for s in body["steps"]
    ]
    assert steps == [
        {
            "position": 1,
            "name": "Legal review",
            "rule": "any",
            "status": "waiting",
            "current": True,
            "approvers": ["admin@alpha.test"],
        },
        {
            "position": 2,
            "name": "Social",
            "rule": "any",
            "status": "waiting",
            "current": False,
            "approvers": ["social_media_manager@alpha.test"],
        },
    ]
    assert [(e["event"], e["actor"]) for e in body["events"]] == [
        ("submitted", "content_creator@alpha.test")
    ]
    creator = call("GET", f"{BASE}/approvals/{req.pk}", token(world, "content_creator"))
    assert creator.json()["can_decide"] is False


def test_a_review_of_another_workspace_is_not_found(world: World) -> None:
    response = call("GET", f"{BASE}/approvals/{world.b_request.pk}", token(world, "owner"))
    assert response.status_code == 404
    response = call(
        "POST", f"{BASE}/approvals/{world.b_request.pk}/decide", token(world, "owner"), {}
    )
    assert response.status_code == 422  # the body is checked first; nothing about B leaks
    assert decide(world, world.b_request, "owner").status_code == 404


# --- deciding -----------------------------------------------------------------------------


def test_approving_both_steps_schedules_the_post(
    world: World, post: Post, req: ApprovalRequest
) -> None:
    response = decide(world, req, "admin", comment="Fine by legal", step=1)

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["current_position"]) == ("pending", 2)
    assert body["steps"][0]["status"] == "approved"
    assert [
        {k: d[k] for k in ("by", "decision", "comment")} for d in body["steps"][0]["decisions"]
    ] == [{"by": "admin@alpha.test", "decision": "approve", "comment": "Fine by legal"}]
    assert body["can_decide"] is False

    response = decide(world, req, "social_media_manager")

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["steps"][1]["status"]) == ("approved", "approved")
    assert [e["event"] for e in body["events"]] == [
        "submitted",
        "approved",
        "step_done",
        "approved",
        "step_done",
        "completed",
    ]
    post.refresh_from_db()
    assert (post.status, post.scheduled_at) == (
        PostStatus.SCHEDULED,
        datetime(2026, 3, 24, 8, 0, tzinfo=UTC),
    )


@pytest.mark.parametrize("role", ["content_creator", "analyst", "social_media_manager"])
def test_someone_who_is_no_approver_of_the_step_gets_403(
    world: World, req: ApprovalRequest, role: str
) -> None:
    before = state_of(req)

    response = decide(world, req, role)

    assert response.status_code == 403
    assert response.json() == {
        "detail": "You are not (or no longer) an approver of step “Legal review”."
    }
    assert state_of(req) == before


def test_sending_back_without_a_comment_is_422(world: World, req: ApprovalRequest) -> None:
    before = state_of(req)

    response = decide(world, req, "admin", decision="reject", comment="  ")

    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "value_error",
                "loc": ["body", "payload", "comment"],
                "msg": "Say why, so the author knows what to change.",
            }
        ]
    }
    assert decide(world, req, "admin", decision="maybe").status_code == 422
    assert state_of(req) == before

    response = decide(world, req, "admin", decision="request_changes", comment="Shorter")
    assert response.status_code == 200
    assert response.json()["status"] == "changes_requested"


def test_a_decided_step_or_review_is_409(world: World, req: ApprovalRequest) -> None:
    assert decide(world, req, "admin").status_code == 200
    before = state_of(req)

    response = decide(world, req, "admin", step=1)
    assert response.status_code == 409
    assert response.json() == {"detail": "This step was already decided."}
    assert state_of(req) == before

    assert decide(world, req, "social_media_manager").status_code == 200
    before = state_of(req)
    response = decide(world, req, "social_media_manager")
    assert response.status_code == 409
    assert response.json() == {"detail": "This review is already over: Approved."}
    assert state_of(req) == before


def test_a_late_approval_needs_when(
    world: World, post: Post, req: ApprovalRequest, clock: Clock
) -> None:
    assert decide(world, req, "admin").status_code == 200
    clock.at = START + timedelta(days=5)
    before = state_of(req)

    response = decide(world, req, "social_media_manager")
    assert response.status_code == 422
    assert [d["loc"] for d in response.json()["detail"]] == [["body", "payload", "when"]]
    assert state_of(req) == before

    response = decide(world, req, "social_media_manager", when={"mode": "now"})
    assert response.status_code == 200
    assert response.json()["plan"] == {"mode": "now", "at": None}
    post.refresh_from_db()
    assert post.scheduled_at == clock.at


def test_deciding_needs_the_approvals_scope(world: World, req: ApprovalRequest) -> None:
    before = state_of(req)
    narrow = token(world, "admin", ("read", "posts:write"))

    response = call("POST", f"{BASE}/approvals/{req.pk}/decide", narrow, {"decision": "approve"})

    assert response.status_code == 403
    assert response.json() == {"detail": "This token lacks the “approvals:write” scope."}
    assert state_of(req) == before


# --- a post's history ---------------------------------------------------------------------


def test_a_posts_approval_history_spans_every_round(
    world: World, post: Post, req: ApprovalRequest
) -> None:
    decide(world, req, "admin", decision="request_changes", comment="Add the date")
    post_compose(
        actor=world.members["content_creator"],
        data=PostInput(
            text="Spring launch, 24 March", channel_ids=[post.deliveries.get().channel_id]
        ),
        post=post,
        mode="at",
        at=PLANNED,
    )
    second = ApprovalRequest.objects.filter(kind="post", object_id=post.pk).latest("id")

    response = call("GET", f"{BASE}/posts/{post.pk}/approval-events", token(world, "analyst"))

    assert response.status_code == 200
    assert [(e["event"], e["actor"], e["request"], e["comment"]) for e in response.json()] == [
        ("submitted", "content_creator@alpha.test", req.pk, ""),
        ("changes_requested", "admin@alpha.test", req.pk, "Add the date"),
        ("submitted", "content_creator@alpha.test", second.pk, ""),
    ]
    # Only for those who may see posts (Customer Care sees only what is routed to them).
    denied = call("GET", f"{BASE}/posts/{post.pk}/approval-events", token(world, "customer_care"))
    assert denied.status_code == 403
