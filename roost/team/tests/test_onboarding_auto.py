"""Automatic steps: ticked from real inbox activity (a completion, a reply), once even
when refreshed twice, never from activity before the plan started; the refresh costs a
fixed number of queries whatever the number of plans."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from roost.conftest import World
from roost.core import clock
from roost.inbox.models import Message
from roost.inbox.services.triage import message_set_status
from roost.team.models import OnboardingPlan, PlanStatus
from roost.team.onboarding_checks import CHECKS
from roost.team.services.onboarding import (
    plan_start,
    plans_refresh,
    plans_refresh_all,
    template_for_role,
    workspace_today,
)


def _start(world: World, role: str, **kw: object) -> OnboardingPlan:
    template = template_for_role(world.a, role)
    assert template is not None
    return plan_start(
        actor=world.members["social_media_manager"],
        member=world.members[role],
        template=template,
        **kw,  # type: ignore[arg-type]
    )


def test_the_first_inbox_item_ticks_the_community_managers_first_step(world: World) -> None:
    plan = _start(world, "community_manager")
    first = plan.steps.get(title="Handle your first inbox item")
    ten = plan.steps.get(title="Handle ten inbox items")
    assert plans_refresh([plan]) == 0
    message_set_status(
        actor=world.members["community_manager"], message=world.a_inbox.message, complete=True
    )
    assert plans_refresh([plan]) == 1
    first.refresh_from_db()
    ten.refresh_from_db()
    assert first.done_at is not None and first.done_by is None and first.progress == 1
    assert ten.done_at is None and ten.progress == 1
    ticked_at = first.done_at
    # A second refresh (or a second worker) ticks nothing again.
    assert plans_refresh([plan]) == 0
    assert plans_refresh_all() == 0
    first.refresh_from_db()
    assert first.done_at == ticked_at


def test_a_reply_counts_as_handling_the_item(world: World) -> None:
    care = world.members["customer_care"]
    plan = _start(world, "customer_care")
    incoming = world.a_inbox.message
    for n in (1, 2):  # two replies to one item: one item handled, two replies sent
        Message.objects.create(
            workspace=world.a,
            channel=incoming.channel,
            conversation=incoming.conversation,
            remote_id=f"out-{n}",
            kind="reply",
            outgoing=True,
            text="Thanks for asking!",
            parent_remote_id=incoming.remote_id,
            sent_at=clock.now(),
            sent_by=care,
        )
    since = clock.now() - timedelta(hours=1)
    assert CHECKS["inbox_handled"].count(care, since) == 1
    assert CHECKS["replies_sent"].count(care, since) == 2
    assert CHECKS["inbox_handled"].count(world.members["sales"], since) == 0
    assert plans_refresh([plan]) == 1
    step = plan.steps.get(title="Handle your first inbox item")
    assert step.done_at is not None and step.done_by is None


def test_activity_before_the_plan_starts_does_not_count(world: World) -> None:
    message_set_status(
        actor=world.members["community_manager"], message=world.a_inbox.message, complete=True
    )
    plan = _start(
        world, "community_manager", starts_on=workspace_today(world.a) + timedelta(days=1)
    )
    assert plans_refresh([plan]) == 0
    assert plan.steps.filter(done_at__isnull=False).count() == 0


def test_an_ended_plan_is_not_refreshed(world: World) -> None:
    plan = _start(world, "community_manager")
    OnboardingPlan.objects.filter(pk=plan.pk).update(status=PlanStatus.ENDED)
    message_set_status(
        actor=world.members["community_manager"], message=world.a_inbox.message, complete=True
    )
    assert plans_refresh_all() == 0


def test_the_refresh_costs_the_same_for_one_plan_or_seven(world: World) -> None:
    roles = [
        "community_manager",
        "content_creator",
        "analyst",
        "paid_media",
        "customer_care",
        "sales",
        "admin",
    ]
    plans = [_start(world, r) for r in roles[:6]]
    template = template_for_role(world.a, "community_manager")
    assert template is not None
    plans.append(
        plan_start(
            actor=world.members["social_media_manager"],
            member=world.members["admin"],
            template=template,
        )
    )
    with CaptureQueriesContext(connection) as one:
        plans_refresh(plans[:1])
    with CaptureQueriesContext(connection) as seven:
        plans_refresh(plans)
    checks = {
        c
        for p in plans
        for c in p.steps.exclude(auto_check="").values_list("auto_check", flat=True)
    }
    # 3 to load (steps, members, workspaces) + at most 2 per check in use; nothing per plan.
    assert len(seven) <= 3 + 2 * len(checks)
    assert len(one) <= 3 + 2 * 2


def test_a_post_through_approval_ticks_the_content_creators_step(world: World) -> None:
    from roost.approvals.services import request_decide
    from roost.publishing.models import Post

    plan = _start(world, "content_creator")
    # The world's post by the content creator waits for the group (the admin) to approve.
    request_decide(req=world.a_request, decision="approve", user=world.members["admin"].user)
    post = Post.objects.get(pk=world.a_request.object_id)
    assert post.status in {"scheduled", "publishing", "published", "partial"}
    assert plans_refresh([plan]) == 1
    step = plan.steps.get(title="Schedule your first post through approval")
    assert step.done_at is not None and step.done_by is None
    ten = plan.steps.get(title="Ten posts through approval")
    assert ten.progress == 1 and ten.done_at is None
    # The approver's decision counts for them, not for the author.
    since = clock.now() - timedelta(hours=1)
    assert CHECKS["approval_decisions"].count(world.members["admin"], since) == 1
    assert CHECKS["approval_decisions"].count(world.members["content_creator"], since) == 0
