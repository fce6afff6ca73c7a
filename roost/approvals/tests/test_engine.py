"""The approval engine, driven through compose and the services: submission, decisions,
resets, late approvals, deadlines, outside approvers, and two approvers at once."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core import mail
from django.db import connection

from roost.approvals.models import (
    ApprovalEvent,
    ApprovalRequest,
    ApprovalSettings,
    Decision,
    Workflow,
    WorkflowStep,
)
from roost.approvals.services import escalate_due, link_decide, link_for_token, request_decide
from roost.channels.models import Channel
from roost.channels.services import channel_disconnect
from roost.conftest import World, make_channel
from roost.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from roost.notifications.models import Notification
from roost.publishing.models import Post, PostStatus
from roost.publishing.services.compose import PostInput, post_compose
from roost.workspaces.services import group_update

START = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
PLANNED = datetime(2026, 3, 24, 9, 0)  # wall-clock time in the workspace's zone (Warsaw)
PLANNED_UTC = datetime(2026, 3, 24, 8, 0, tzinfo=UTC)  # 09:00 CET
TEXT = "Spring launch"


class Clock:
    def __init__(self) -> None:
        self.at = START

    def move(self, **delta: float) -> datetime:
        self.at += timedelta(**delta)
        return self.at


@pytest.fixture
def clock(monkeypatch: Any) -> Clock:
    """Freeze Roost's clock (compose, scheduling and the engine read it)."""
    frozen = Clock()
    monkeypatch.setattr("roost.core.clock.now", lambda: frozen.at)
    return frozen


@pytest.fixture
def channel(world: World, clock: Clock) -> Channel:
    # The world already has a post in review elsewhere: count only what these tests cause.
    Notification.objects.all().delete()
    return make_channel(world.a, "Review Sandbox")


def step(name: str, **spec: Any) -> dict[str, Any]:
    return {"name": name, **spec}


def make_workflow(world: World, *steps: dict[str, Any], **options: Any) -> Workflow:
    workflow = Workflow.objects.create(workspace=world.a, name="Posts", **options)
    for position, spec in enumerate(steps, start=1):
        spec = dict(spec)
        members, groups = spec.pop("members", []), spec.pop("groups", [])
        created = WorkflowStep.objects.create(workflow=workflow, position=position, **spec)
        created.members.set(members)
        created.groups.set(groups)
    return workflow


def legal_then_manager(world: World, **options: Any) -> Workflow:
    return make_workflow(
        world,
        step("Legal review", groups=[world.a_group]),
        step("Social", members=[world.members["social_media_manager"]]),
        **options,
    )


def legal_only(world: World, **spec: Any) -> Workflow:
    return make_workflow(world, step("Legal review", groups=[world.a_group], **spec))


def compose(
    world: World,
    channel: Channel,
    role: str = "content_creator",
    text: str = TEXT,
    at: datetime = PLANNED,
    post: Post | None = None,
) -> Post:
    return post_compose(
        actor=world.members[role],
        data=PostInput(text=text, channel_ids=[channel.pk]),
        post=post,
        mode="at",
        at=at,
    )


def request_of(post: Post) -> ApprovalRequest:
    found = ApprovalRequest.objects.filter(kind="post", object_id=post.pk).order_by("-id").first()
    assert found is not None
    return found


def decide(
    world: World, req: ApprovalRequest, role: str, decision: str = "approve", **kw: Any
) -> ApprovalRequest:
    return request_decide(req=req, decision=decision, user=world.members[role].user, **kw)


def events(post: Post) -> list[str]:
    return list(
        ApprovalEvent.objects.filter(kind="post", object_id=post.pk).values_list("event", flat=True)
    )


def told(kind: str) -> list[str]:
    """Who got a notification of this kind, in order, once per notification."""
    return list(
        Notification.objects.filter(kind=kind)
        .order_by("id")
        .values_list("recipient__email", flat=True)
    )


def deliveries(post: Post) -> list[tuple[str, datetime | None]]:
    return list(post.deliveries.values_list("status", "due_at"))


def snapshot_of(post: Post) -> tuple[Any, ...]:
    """Everything a refused decision must leave alone."""
    req = request_of(post)
    post.refresh_from_db()
    return (
        req.status,
        req.current_position,
        list(req.steps.values_list("status", flat=True)),
        Decision.objects.filter(state__request=req).count(),
        events(post),
        Notification.objects.count(),
        post.status,
        deliveries(post),
    )


# --- 1. the whole path -----------------------------------------------------------------


def test_two_steps_from_submission_to_the_schedule(world: World, channel: Channel) -> None:
    legal_then_manager(world)
    post = compose(world, channel)

    assert post.status == PostStatus.IN_REVIEW
    assert deliveries(post) == [("pending", None)]
    req = request_of(post)
    assert (req.status, req.current_position) == ("pending", 1)
    assert req.plan == {"mode": "at", "at": "2026-03-24T09:00:00"}
    assert req.submitted_by == world.members["content_creator"].user
    assert told("approval.review") == ["admin@alpha.test"]

    decide(world, req, "admin")
    req.refresh_from_db()
    assert (req.status, req.current_position) == ("pending", 2)
    assert told("approval.review") == ["admin@alpha.test", "social_media_manager@alpha.test"]
    post.refresh_from_db()
    assert post.status == PostStatus.IN_REVIEW

    decide(world, req, "social_media_manager")
    req.refresh_from_db()
    assert (req.status, req.decided_at) == ("approved", START)
    assert list(req.steps.values_list("position", "status")) == [(1, "approved"), (2, "approved")]
    post.refresh_from_db()
    assert (post.status, post.scheduled_at) == (PostStatus.SCHEDULED, PLANNED_UTC)
    assert deliveries(post) == [("scheduled", PLANNED_UTC)]
    assert told("approval.approved") == ["content_creator@alpha.test"]
    assert told("approval.review") == ["admin@alpha.test", "social_media_manager@alpha.test"]
    rows = ApprovalEvent.objects.filter(kind="post", object_id=post.pk)
    assert [(e.event, e.actor.email if e.actor else None, e.step_name) for e in rows] == [
        ("submitted", "content_creator@alpha.test", ""),
        ("approved", "admin@alpha.test", "Legal review"),
        ("step_done", None, "Legal review"),
        ("approved", "social_media_manager@alpha.test", "Social"),
        ("step_done", None, "Social"),
        ("completed", None, ""),
    ]
    assert rows.last().comment == "It is scheduled."  # type: ignore[union-attr]


# --- 2. who skips review ---------------------------------------------------------------


def test_a_member_who_may_publish_without_approval_skips_review(
    world: World, channel: Channel
) -> None:
    legal_only(world)
    post = compose(world, channel, role="social_media_manager")

    assert (post.status, post.scheduled_at) == (PostStatus.SCHEDULED, PLANNED_UTC)
    assert events(post) == ["skipped"]
    assert not ApprovalRequest.objects.filter(kind="post", object_id=post.pk).exists()
    assert Notification.objects.count() == 0


def test_require_for_everyone_sends_even_the_manager_through_review(
    world: World, channel: Channel
) -> None:
    legal_only(world)
    ApprovalSettings.objects.update_or_create(
        workspace=world.a, defaults={"require_for_everyone": True}
    )
    post = compose(world, channel, role="social_media_manager")

    assert post.status == PostStatus.IN_REVIEW
    assert events(post) == ["submitted"]
    assert request_of(post).status == "pending"
    assert told("approval.review") == ["admin@alpha.test"]


def test_a_manager_scheduling_a_post_in_review_ends_that_review(
    world: World, channel: Channel
) -> None:
    legal_only(world)
    post = compose(world, channel)
    req = request_of(post)

    post = compose(world, channel, role="social_media_manager", post=post)

    req.refresh_from_db()
    assert req.status == "cancelled"
    assert (post.status, post.scheduled_at) == (PostStatus.SCHEDULED, PLANNED_UTC)
    assert events(post) == ["submitted", "skipped", "cancelled"]
    # Approving the old review later must not carry out its old plan.
    with pytest.raises(Conflict, match="already over"):
        decide(world, req, "admin")


# --- 3. sent back ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("decision", "status", "kind", "text"),
    [
        ("reject", "rejected", "approval.reject", "Rejected: Spring launch — Not on brand"),
        (
            "request_changes",
            "changes_requested",
            "approval.request_changes",
            "Changes requested: Spring launch — Not on brand",
        ),
    ],
)
def test_sending_back_needs_a_comment_and_returns_a_draft(
    world: World, channel: Channel, decision: str, status: str, kind: str, text: str
) -> None:
    legal_only(world)
    post = compose(world, channel)
    req = request_of(post)
    before = snapshot_of(post)

    with pytest.raises(ValidationFailed) as exc:
        decide(world, req, "admin", decision, comment="   ")
    assert list(exc.value.errors) == ["comment"]
    assert snapshot_of(post) == before

    decide(world, req, "admin", decision, comment=" Not on brand ")
    req.refresh_from_db()
    assert (req.status, req.decided_at) == (status, START)
    assert list(req.steps.values_list("status", flat=True)) == [status]
    post.refresh_from_db()
    assert post.status == PostStatus.DRAFT
    assert deliveries(post) == [("pending", None)]
    assert told(kind) == ["content_creator@alpha.test"]
    assert Notification.objects.get(kind=kind).text == text
    assert events(post) == ["submitted", status]
    assert ApprovalEvent.objects.get(event=status).comment == "Not on brand"


# --- 4. a step already decided ---------------------------------------------------------


def test_the_second_approver_of_an_any_step_finds_the_review_over(
    world: World, channel: Channel
) -> None:
    make_workflow(
        world,
        step(
            "Legal or manager",
            groups=[world.a_group],
            members=[world.members["social_media_manager"]],
        ),
    )
    post = compose(world, channel)
    req = request_of(post)
    decide(world, req, "admin")
    before = snapshot_of(post)

    with pytest.raises(Conflict, match="already over: Approved"):
        decide(world, req, "social_media_manager")
    with pytest.raises(Conflict, match="already over"):
        decide(world, req, "admin")
    assert snapshot_of(post) == before
    assert before[0] == "approved"


def test_a_stale_form_for_a_step_that_moved_on_is_a_conflict(
    world: World, channel: Channel
) -> None:
    make_workflow(
        world,
        step(
            "Legal or manager",
            groups=[world.a_group],
            members=[world.members["social_media_manager"]],
        ),
        step("Owner", members=[world.members["owner"]]),
    )
    post = compose(world, channel)
    req = request_of(post)
    decide(world, req, "admin", step_position=1)
    before = snapshot_of(post)

    # Without the step they saw, the manager is simply no approver of step 2 …
    with pytest.raises(PermissionDenied, match="approver of step “Owner”"):
        decide(world, req, "social_media_manager")
    # … with it, they learn that their step was decided meanwhile.
    with pytest.raises(Conflict, match=r"^This step was already decided\.$"):
        decide(world, req, "social_media_manager", step_position=1)
    assert snapshot_of(post) == before
    assert before[:2] == ("pending", 2)


def test_deciding_twice_on_the_same_step_is_a_conflict(world: World, channel: Channel) -> None:
    make_workflow(
        world,
        step(
            "Both",
            rule="all",
            groups=[world.a_group],
            members=[world.members["social_media_manager"]],
        ),
    )
    post = compose(world, channel)
    req = request_of(post)
    decide(world, req, "admin")
    before = snapshot_of(post)

    with pytest.raises(Conflict, match="already decided on this step"):
        decide(world, req, "admin")
    with pytest.raises(Conflict, match="already decided on this step"):
        decide(world, req, "admin", "reject", comment="Changed my mind")
    assert snapshot_of(post) == before


# --- 5. approvers are read when deciding ------------------------------------------------


def test_an_approver_taken_out_of_the_group_can_no_longer_decide(
    world: World, channel: Channel
) -> None:
    legal_only(world)
    post = compose(world, channel)
    req = request_of(post)
    owner = world.members["owner"]
    group_update(actor=owner, group=world.a_group, name="Legal review", member_ids=[owner.pk])
    before = snapshot_of(post)

    with pytest.raises(PermissionDenied, match="no longer"):
        decide(world, req, "admin")
    assert snapshot_of(post) == before

    decide(world, req, "owner")  # the one who joined meanwhile may
    assert request_of(post).status == "approved"


# --- 6. "all of them" ------------------------------------------------------------------


def test_an_all_step_waits_for_every_member_and_group_member(
    world: World, channel: Channel
) -> None:
    make_workflow(
        world,
        step(
            "Everyone",
            rule="all",
            groups=[world.a_group],
            members=[world.members["social_media_manager"]],
        ),
    )
    post = compose(world, channel)
    req = request_of(post)
    assert sorted(told("approval.review")) == [
        "admin@alpha.test",
        "social_media_manager@alpha.test",
    ]

    decide(world, req, "social_media_manager")
    req.refresh_from_db()
    assert (req.status, req.current_position) == ("pending", 1)
    assert list(req.steps.values_list("status", flat=True)) == ["waiting"]

    # Someone joining the group mid-review is one more approver to wait for.
    paid = world.members["paid_media"]
    group_update(
        actor=world.members["owner"],
        group=world.a_group,
        name="Legal review",
        member_ids=[world.members["admin"].pk, paid.pk],
    )
    decide(world, req, "admin")
    assert request_of(post).status == "pending"

    decide(world, req, "paid_media")
    assert request_of(post).status == "approved"
    assert events(post) == [
        "submitted",
        "approved",
        "approved",
        "approved",
        "step_done",
        "completed",
    ]
    post.refresh_from_db()
    assert post.scheduled_at == PLANNED_UTC


# --- 7. edits ---------------------------------------------------------------------------


def test_changing_the_text_under_review_starts_over_at_step_one(
    world: World, channel: Channel
) -> None:
    legal_then_manager(world)
    post = compose(world, channel)
    first = request_of(post)
    decide(world, first, "admin")

    post = compose(world, channel, text="Spring launch, take two", post=post)

    first.refresh_from_db()
    assert first.status == "cancelled"
    second = request_of(post)
    assert (second.status, second.current_position) == ("pending", 1)
    assert second.snapshot["text"] == "Spring launch, take two"
    assert post.status == PostStatus.IN_REVIEW
    assert events(post) == ["submitted", "approved", "step_done", "reset", "submitted"]
    reset = ApprovalEvent.objects.get(event="reset")
    assert (reset.request_id, reset.actor) == (first.pk, world.members["content_creator"].user)
    assert reset.data == {
        "changes": {"text": {"before": "Spring launch", "after": "Spring launch, take two"}}
    }
    assert told("approval.review") == [
        "admin@alpha.test",
        "social_media_manager@alpha.test",
        "admin@alpha.test",
    ]
    latest = Notification.objects.filter(kind="approval.review").order_by("id").last()
    assert latest is not None
    assert latest.text.endswith("It changed since the last review: text.")


def test_changing_an_approved_post_sends_it_back_into_review(
    world: World, channel: Channel
) -> None:
    legal_only(world)
    post = compose(world, channel)
    decide(world, request_of(post), "admin")
    post.refresh_from_db()
    assert post.status == PostStatus.SCHEDULED

    post = compose(world, channel, text="Spring launch!", post=post)

    assert post.status == PostStatus.IN_REVIEW
    assert deliveries(post) == [("pending", PLANNED_UTC)]
    assert request_of(post).status == "pending"
    assert events(post)[-3:] == ["completed", "reset", "submitted"]


def test_a_new_time_alone_keeps_the_review(world: World, channel: Channel) -> None:
    legal_then_manager(world)
    post = compose(world, channel)
    req = request_of(post)
    decide(world, req, "admin")
    notes = Notification.objects.count()

    post = compose(world, channel, at=PLANNED + timedelta(days=1), post=post)

    assert request_of(post).pk == req.pk
    req.refresh_from_db()
    assert (req.status, req.current_position) == ("pending", 2)
    assert req.plan == {"mode": "at", "at": "2026-03-25T09:00:00"}
    assert events(post) == ["submitted", "approved", "step_done"]
    assert Notification.objects.count() == notes

    decide(world, req, "social_media_manager")
    post.refresh_from_db()
    assert post.scheduled_at == PLANNED_UTC + timedelta(days=1)


def test_a_new_time_resets_when_the_workflow_says_so(world: World, channel: Channel) -> None:
    legal_then_manager(world, reset_on_time_change=True)
    post = compose(world, channel)
    first = request_of(post)
    decide(world, first, "admin")

    post = compose(world, channel, at=PLANNED + timedelta(days=1), post=post)

    second = request_of(post)
    assert second.pk != first.pk
    assert (second.current_position, second.plan["at"]) == (1, "2026-03-25T09:00:00")
    assert ApprovalEvent.objects.get(event="reset").data == {
        "changes": {"time": {"mode": "at", "at": "2026-03-25T09:00:00"}}
    }
    assert told("approval.review") == [
        "admin@alpha.test",
        "social_media_manager@alpha.test",
        "admin@alpha.test",
    ]


# --- 8. late approval -------------------------------------------------------------------


def test_a_late_approval_asks_when_and_can_publish_now(
    world: World, channel: Channel, clock: Clock
) -> None:
    legal_only(world)
    post = compose(world, channel)
    req = request_of(post)
    late = clock.move(days=5)
    before = snapshot_of(post)

    with pytest.raises(ValidationFailed) as exc:
        decide(world, req, "admin")
    assert list(exc.value.errors) == ["when"]
    with pytest.raises(ValidationFailed) as exc:
        decide(world, req, "admin", when={"mode": "at", "at": "2026-03-24T10:00"})
    assert exc.value.errors == {"when": ["The new time is in the past. Choose a later time."]}
    assert snapshot_of(post) == before

    decide(world, req, "admin", when={"mode": "now"})
    req.refresh_from_db()
    assert (req.status, req.plan) == ("approved", {"mode": "now", "at": None})
    post.refresh_from_db()
    assert (post.status, post.scheduled_at) == (PostStatus.SCHEDULED, late)
    assert deliveries(post) == [("scheduled", late)]


def test_a_late_approval_can_choose_a_new_time(
    world: World, channel: Channel, clock: Clock
) -> None:
    legal_only(world)
    post = compose(world, channel)
    req = request_of(post)
    clock.move(days=5)

    decide(world, req, "admin", when={"mode": "at", "at": datetime(2026, 3, 26, 10, 0)})

    req.refresh_from_db()
    assert req.plan == {"mode": "at", "at": "2026-03-26T10:00:00"}
    post.refresh_from_db()
    assert post.scheduled_at == datetime(2026, 3, 26, 9, 0, tzinfo=UTC)


# --- 9. the world changed under the review ----------------------------------------------


def test_deciding_on_a_deleted_post_cancels_its_review(world: World, channel: Channel) -> None:
    legal_only(world)
    post = compose(world, channel)
    req = request_of(post)
    Post.objects.filter(pk=post.pk).delete()

    with pytest.raises(Conflict, match="deleted"):
        decide(world, req, "admin")

    req.refresh_from_db()
    assert req.status == "cancelled"
    assert events(post) == ["submitted", "cancelled"]
    assert not Decision.objects.filter(state__request=req).exists()
    with pytest.raises(Conflict):
        decide(world, req, "admin")
    assert events(post) == ["submitted", "cancelled"]


def test_approving_for_a_disconnected_channel_leaves_a_draft(
    world: World, channel: Channel
) -> None:
    legal_only(world)
    post = compose(world, channel)
    req = request_of(post)
    channel_disconnect(actor=world.members["owner"], channel=channel)

    decide(world, req, "admin")

    req.refresh_from_db()
    assert req.status == "approved"
    completed = ApprovalEvent.objects.get(kind="post", object_id=post.pk, event="completed")
    assert completed.comment == (
        "Approved, but it could not be scheduled: Review Sandbox is disconnected."
    )
    post.refresh_from_db()
    assert post.status == PostStatus.DRAFT
    assert told("approval.approved") == ["content_creator@alpha.test"]
    assert "could not be scheduled" in Notification.objects.get(kind="approval.approved").text


# --- 10. deadlines ----------------------------------------------------------------------


def test_an_overdue_step_is_escalated_once(world: World, channel: Channel, clock: Clock) -> None:
    legal_only(world, deadline_hours=2, escalate_to_member=world.members["owner"])
    post = compose(world, channel)
    req = request_of(post)
    assert req.steps.get().due_at == START + timedelta(hours=2)
    with pytest.raises(PermissionDenied):
        decide(world, req, "owner")

    clock.move(hours=1)
    assert escalate_due() == 0
    clock.move(hours=2)
    assert escalate_due() == 1
    assert escalate_due() == 0

    assert told("approval.escalated") == ["owner@alpha.test"]
    assert req.steps.get().escalated_at == START + timedelta(hours=3)
    assert events(post) == ["submitted", "escalated"]
    assert ApprovalEvent.objects.get(event="escalated").data == {"to": ["owner@alpha.test"]}

    decide(world, req, "owner")
    assert request_of(post).status == "approved"
    assert events(post) == ["submitted", "escalated", "approved", "step_done", "completed"]


def test_the_escalation_target_settles_an_overdue_all_step(
    world: World, channel: Channel, clock: Clock
) -> None:
    legal_only(world, rule="all", deadline_hours=2, escalate_to_member=world.members["owner"])
    # Two in the group: the Admin never answers.
    group_update(
        actor=world.members["owner"],
        group=world.a_group,
        name="Legal review",
        member_ids=[world.members["admin"].pk, world.members["paid_media"].pk],
    )
    post = compose(world, channel)
    req = request_of(post)
    decide(world, req, "paid_media")
    clock.move(hours=3)
    assert escalate_due() == 1

    decide(world, req, "owner")

    assert request_of(post).status == "approved"


# --- 11. outside approvers --------------------------------------------------------------

OUTSIDE = "legal@outside.test"


def _compose_and_mail(world: World, channel: Channel, capture: Any) -> tuple[Post, str]:
    with capture(execute=True):
        post = compose(world, channel)
    sent = [m for m in mail.outbox if m.to == [OUTSIDE]]
    assert len(sent) == 1
    found = re.search(r"/review/(apl_[\w-]+)/", sent[-1].body)
    assert found is not None
    return post, found.group(1)


def test_an_outside_approver_decides_once_through_the_link(
    world: World, channel: Channel, django_capture_on_commit_callbacks: Any
) -> None:
    make_workflow(world, step("Outside legal", external_emails=[OUTSIDE]))
    post, token = _compose_and_mail(world, channel, django_capture_on_commit_callbacks)
    assert link_for_token(token).email == OUTSIDE

    # A refused decision does not use the link up.
    with pytest.raises(ValidationFailed):
        link_decide(token=token, decision="reject")
    link_decide(token=token, decision="approve")

    req = request_of(post)
    assert req.status == "approved"
    decision = Decision.objects.get(state__request=req)
    assert (decision.user, decision.external_email) == (None, OUTSIDE)
    approved = ApprovalEvent.objects.get(kind="post", object_id=post.pk, event="approved")
    assert (approved.actor, approved.actor_label) == (None, OUTSIDE)
    post.refresh_from_db()
    assert post.scheduled_at == PLANNED_UTC

    with pytest.raises(NotFound, match="already used"):
        link_decide(token=token, decision="approve")
    assert Decision.objects.filter(state__request=req).count() == 1


def test_an_expired_link_is_not_found(
    world: World, channel: Channel, clock: Clock, django_capture_on_commit_callbacks: Any
) -> None:
    make_workflow(world, step("Outside legal", external_emails=[OUTSIDE]))
    post, token = _compose_and_mail(world, channel, django_capture_on_commit_callbacks)
    clock.move(days=7, seconds=1)

    with pytest.raises(NotFound, match="expired"):
        link_decide(token=token, decision="approve")
    assert request_of(post).status == "pending"


def test_a_link_for_a_step_that_moved_on_is_not_found(
    world: World, channel: Channel, django_capture_on_commit_callbacks: Any
) -> None:
    make_workflow(
        world,
        step("Legal", groups=[world.a_group], external_emails=[OUTSIDE]),
        step("Social", members=[world.members["social_media_manager"]]),
    )
    post, token = _compose_and_mail(world, channel, django_capture_on_commit_callbacks)
    decide(world, request_of(post), "admin")

    with pytest.raises(NotFound, match="no longer waiting"):
        link_decide(token=token, decision="approve")
    assert not Decision.objects.filter(external_email=OUTSIDE).exists()


# --- 12. two approvers at the same moment -------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_approvers_at_once_one_wins(world: World, channel: Channel) -> None:
    if connection.vendor == "sqlite":
        pytest.skip(
            "The SQLite test database is an in-memory shared cache: a second connection "
            "writing at once fails with 'database table is locked' instead of waiting. "
            "The race runs on PostgreSQL (DATABASE_URL=postgres://…)."
        )
    make_workflow(
        world,
        step(
            "Legal or manager",
            groups=[world.a_group],
            members=[world.members["social_media_manager"]],
        ),
    )
    post = compose(world, channel)
    req = request_of(post)
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def approve(role: str) -> None:
        try:
            barrier.wait(timeout=10)
            decide(world, req, role)
            outcomes[role] = "approved"
        except (Conflict, PermissionDenied) as exc:
            outcomes[role] = type(exc).__name__
        except Exception as exc:  # shown in the assertion below
            outcomes[role] = repr(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=approve, args=(role,)) for role in ("admin", "social_media_manager")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes.values()) == ["Conflict", "approved"], outcomes
    req.refresh_from_db()
    assert req.status == "approved"
    assert Decision.objects.filter(state__request=req).count() == 1
    assert events(post).count("step_done") == 1
    assert events(post).count("completed") == 1
    assert told("approval.approved") == ["content_creator@alpha.test"]


def test_no_way_around_review_for_members_who_need_it(world: World) -> None:
    """Scheduling from the post page, the calendar or the API goes to review as well."""
    from roost.approvals.models import ApprovalRequest, Workflow, WorkflowStep
    from roost.conftest import make_channel
    from roost.publishing.models import DeliveryStatus, PostStatus
    from roost.publishing.services.compose import PostInput, post_compose
    from roost.publishing.services.scheduling import post_schedule

    workflow = Workflow.objects.create(workspace=world.a, name="Everything")
    step = WorkflowStep.objects.create(workflow=workflow, position=1, name="Manager")
    step.members.set([world.members["social_media_manager"]])
    channel = make_channel(world.a, "Guarded")
    creator = world.members["content_creator"]
    post = post_compose(actor=creator, data=PostInput(text="Draft first", channel_ids=[channel.pk]))
    assert post.status == PostStatus.DRAFT
    post_schedule(actor=creator, post=post, mode="now")
    post.refresh_from_db()
    assert post.status == PostStatus.IN_REVIEW
    assert post.deliveries.get().status == DeliveryStatus.PENDING
    assert (
        ApprovalRequest.objects.filter(kind="post", object_id=post.pk, status="pending").count()
        == 1
    )
