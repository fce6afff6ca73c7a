"""Onboarding plans: starting by hand and from an invite, dates, mentors (no circles),
ticking by hand and check-ins, members and mentors removed mid-plan, permissions."""

from __future__ import annotations

from datetime import timedelta

import pytest

from roost.conftest import World, make_user
from roost.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from roost.notifications.models import Notification
from roost.team.models import OnboardingPlan, PendingPlan, PlanStatus, PlanStep, StepKind
from roost.team.services.onboarding import (
    invite_with_plan,
    plan_attach_to_invite,
    plan_start,
    plans_refresh_all,
    step_tick,
    template_for_role,
    workspace_today,
)
from roost.team.testing import sample_template
from roost.workspaces import services
from roost.workspaces.models import AuditEntry, Membership


def _start(world: World, role: str, mentor: str | None = None, **kw: object) -> OnboardingPlan:
    template = template_for_role(world.a, role)
    assert template is not None
    return plan_start(
        actor=world.members["social_media_manager"],
        member=world.members[role],
        template=template,
        mentor=world.members[mentor] if mentor else None,
        **kw,  # type: ignore[arg-type]
    )


def test_a_plan_copies_the_steps_with_dates_from_the_start(world: World) -> None:
    start = workspace_today(world.a) - timedelta(days=10)
    plan = _start(world, "community_manager", mentor="admin", starts_on=start)
    template = template_for_role(world.a, "community_manager")
    assert template is not None
    assert plan.steps.count() == template.steps.count()
    first = plan.steps.order_by("due_on", "position").first()
    assert first is not None
    assert first.title == "Handle your first inbox item"
    assert first.due_on == start + timedelta(days=2)  # day 3
    check_ins = list(plan.steps.filter(kind=StepKind.CHECK_IN).values_list("due_on", flat=True))
    assert check_ins == [start + timedelta(days=d - 1) for d in (30, 60, 90)]
    assert (plan.status, plan.mentor_id) == (PlanStatus.ACTIVE, world.members["admin"].pk)
    told = set(
        Notification.objects.filter(kind__startswith="team.onboarding").values_list(
            "recipient__email", "kind"
        )
    )
    assert told == {
        ("community_manager@alpha.test", "team.onboarding_started"),
        ("admin@alpha.test", "team.onboarding_mentor"),
    }
    assert AuditEntry.objects.filter(action="onboarding.plan_started").count() == 1


def test_a_start_date_more_than_a_year_away_is_refused(world: World) -> None:
    with pytest.raises(ValidationFailed) as caught:
        _start(world, "analyst", starts_on=workspace_today(world.a) + timedelta(days=400))
    assert caught.value.errors == {"starts_on": ["Choose a start date within a year of today."]}
    assert not OnboardingPlan.objects.exists()


def test_one_plan_in_progress_per_member(world: World) -> None:
    _start(world, "analyst")
    with pytest.raises(Conflict) as caught:
        _start(world, "analyst")
    assert caught.value.message == (
        "Alpha Social Data Analyst already has an onboarding plan in progress; end or "
        "finish it first."
    )
    assert OnboardingPlan.objects.count() == 1


def test_mentor_rules(world: World) -> None:
    with pytest.raises(ValidationFailed) as caught:
        _start(world, "analyst", mentor="analyst")
    assert caught.value.errors == {"mentor": ["Nobody can mentor themselves."]}
    with pytest.raises(ValidationFailed) as caught:
        plan_start(
            actor=world.members["social_media_manager"],
            member=world.members["analyst"],
            template=template_for_role(world.a, "analyst"),  # type: ignore[arg-type]
            mentor=world.b_member,
        )
    assert caught.value.errors == {"mentor": ["The mentor must be a member of this workspace."]}
    assert not OnboardingPlan.objects.exists()


def test_circular_mentoring_is_refused_naming_both(world: World) -> None:
    # The analyst mentors the creator's plan; the creator may not mentor the analyst's.
    _start(world, "content_creator", mentor="analyst")
    with pytest.raises(ValidationFailed) as caught:
        _start(world, "analyst", mentor="content_creator")
    message = caught.value.errors["mentor"][0]
    assert message.startswith(
        "Alpha Content Creator cannot mentor Alpha Social Data Analyst: Alpha Social Data "
        "Analyst already mentors Alpha Content Creator"
    )
    assert OnboardingPlan.objects.count() == 1


def test_a_longer_chain_is_refused_too(world: World) -> None:
    # sales ← care ← paid (paid mentors care, care mentors sales): sales may not mentor paid.
    _start(world, "customer_care", mentor="paid_media")
    _start(world, "sales", mentor="customer_care")
    with pytest.raises(ValidationFailed) as caught:
        _start(world, "paid_media", mentor="sales")
    assert (
        "Alpha Sales cannot mentor Alpha Paid Media Specialist" in caught.value.errors["mentor"][0]
    )
    assert "mentoring must not go in a circle" in caught.value.errors["mentor"][0]
    assert OnboardingPlan.objects.count() == 2
    # Not a circle: someone outside the chain.
    _start(world, "paid_media", mentor="analyst")


def test_an_invite_with_a_plan_starts_it_on_acceptance(world: World) -> None:
    manager = world.members["social_media_manager"]
    invite, secret, pending = invite_with_plan(
        actor=manager,
        email="new.cm@alpha.test",
        role="community_manager",
        mentor=world.members["admin"],
    )
    assert pending.template.role == "community_manager"
    assert PendingPlan.objects.filter(invite=invite).count() == 1
    user = make_user("new.cm@alpha.test", "New Community Manager")
    membership = services.invite_accept(user=user, token=secret)
    plan = OnboardingPlan.objects.get(member=membership)
    assert plan.starts_on == workspace_today(world.a)
    assert plan.mentor_id == world.members["admin"].pk
    assert plan.name == "Community Manager: 30-60-90"
    assert not PendingPlan.objects.exists()
    first = plan.steps.order_by("due_on", "position").first()
    assert first is not None and first.auto_check == "inbox_handled"


def test_attaching_a_template_of_another_workspace_is_refused(world: World) -> None:
    foreign = sample_template(world.b, "B")
    with pytest.raises(ValidationFailed) as caught:
        plan_attach_to_invite(
            actor=world.members["social_media_manager"], invite=world.a_invite, template=foreign
        )
    assert caught.value.errors == {"template": ["Choose a template of this workspace."]}
    assert not PendingPlan.objects.exists()


def test_an_invite_that_fails_keeps_no_plan(world: World) -> None:
    with pytest.raises(ValidationFailed):
        invite_with_plan(
            actor=world.members["social_media_manager"],
            email="not-an-address",
            role="analyst",
        )
    assert not PendingPlan.objects.exists()


def test_ticking_by_hand_and_check_ins(world: World) -> None:
    plan = _start(world, "content_creator", mentor="analyst")
    step = plan.steps.filter(kind=StepKind.LEARNING).first()
    check_in = plan.steps.filter(kind=StepKind.CHECK_IN).first()
    assert step is not None and check_in is not None
    creator = world.members["content_creator"]
    step_tick(actor=creator, step=step, done=True)
    step.refresh_from_db()
    assert step.done_at is not None and step.done_by == creator.user
    step_tick(actor=creator, step=step, done=False)
    step.refresh_from_db()
    assert step.done_at is None
    # The member may not record their own check-in; the mentor does, with a note.
    with pytest.raises(PermissionDenied):
        step_tick(actor=creator, step=check_in, done=True, note="All good")
    step_tick(actor=world.members["analyst"], step=check_in, done=True, note="Strong start.")
    check_in.refresh_from_db()
    assert (check_in.note, check_in.done_by) == ("Strong start.", world.members["analyst"].user)
    # Someone else (not member, mentor or manager) changes nothing.
    before = AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):
        step_tick(actor=world.members["sales"], step=step, done=True)
    step.refresh_from_db()
    assert step.done_at is None and AuditEntry.objects.count() == before


def test_a_plan_with_every_step_done_is_completed(world: World) -> None:
    plan = _start(world, "sales")
    manager = world.members["social_media_manager"]
    for step in plan.steps.all():
        step_tick(actor=manager, step=step, done=True)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.COMPLETED


def test_a_content_creator_cannot_start_plans(world: World) -> None:
    creator = world.members["content_creator"]
    template = template_for_role(world.a, "analyst")
    assert template is not None
    before = AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):
        plan_start(actor=creator, member=world.members["analyst"], template=template)
    with pytest.raises(PermissionDenied):
        plan_attach_to_invite(actor=creator, invite=world.a_invite, template=template)
    assert not OnboardingPlan.objects.exists() and not PendingPlan.objects.exists()
    assert AuditEntry.objects.count() == before


def test_a_member_removed_mid_plan_takes_the_plan_along(world: World) -> None:
    plan = _start(world, "analyst", mentor="admin")
    services.member_remove(actor=world.members["owner"], member=world.members["analyst"])
    assert not OnboardingPlan.objects.filter(pk=plan.pk).exists()
    assert not PlanStep.objects.filter(plan_id=plan.pk).exists()
    assert plans_refresh_all() == 0  # the job goes on


def test_a_mentor_removed_mid_plan_is_cleared_and_managers_are_told(world: World) -> None:
    plan = _start(world, "analyst", mentor="content_creator")
    services.member_remove(actor=world.members["owner"], member=world.members["content_creator"])
    plan.refresh_from_db()
    assert plan.mentor_id is None and plan.status == PlanStatus.ACTIVE
    assert plan.ended_reason.startswith("The mentor was removed: Alpha Content Creator was removed")
    told = set(
        Notification.objects.filter(kind="team.onboarding_mentor_removed").values_list(
            "recipient__email", flat=True
        )
    )
    assert told == {"owner@alpha.test", "admin@alpha.test", "social_media_manager@alpha.test"}
    assert Membership.objects.filter(pk=plan.member_id).exists()
