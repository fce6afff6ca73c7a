"""Onboarding templates: Roost's defaults per role (written once, lazily) and the editor's
validation (days beyond the plan, unknown checks, targets)."""

from __future__ import annotations

import pytest

from roost.conftest import World
from roost.core.exceptions import PermissionDenied, ValidationFailed
from roost.team.models import OnboardingTemplate, StepKind, TemplateStep
from roost.team.onboarding_checks import CHECKS
from roost.team.services.onboarding import (
    template_for_role,
    template_save,
    template_step_delete,
    template_step_save,
)
from roost.workspaces.models import AuditEntry

SEED_ROLES = [
    "social_media_manager",
    "content_creator",
    "analyst",
    "community_manager",
    "paid_media",
    "customer_care",
    "sales",
]


def test_every_seed_role_gets_a_default_template_written_once(world: World) -> None:
    assert not OnboardingTemplate.objects.filter(workspace=world.a).exists()
    for role in SEED_ROLES:
        template = template_for_role(world.a, role)
        assert template is not None and template.role == role and template.days == 90
        days = {s.due_day for s in template.steps.filter(kind=StepKind.CHECK_IN)}
        assert {30, 60, 90} <= days, role
        assert all(1 <= s.due_day <= 90 for s in template.steps.all())
        assert all(s.auto_check in CHECKS for s in template.steps.exclude(auto_check=""))
    assert OnboardingTemplate.objects.filter(workspace=world.a).count() == 7
    assert template_for_role(world.a, "owner") is None
    assert OnboardingTemplate.objects.filter(workspace=world.a).count() == 7  # not again
    assert not OnboardingTemplate.objects.filter(workspace=world.b).exists()


def test_the_community_managers_plan_starts_with_the_first_inbox_item(world: World) -> None:
    template = template_for_role(world.a, "community_manager")
    assert template is not None
    first = template.steps.order_by("due_day", "position").first()
    assert first is not None
    assert (first.title, first.auto_check, first.target) == (
        "Handle your first inbox item",
        "inbox_handled",
        1,
    )
    assert first.position == 0
    ten = template.steps.get(title="Handle ten inbox items")
    assert (ten.auto_check, ten.target) == ("inbox_handled", 10)
    assert ten.due_day > first.due_day
    creator = template_for_role(world.a, "content_creator")
    assert creator is not None
    step = creator.steps.get(title="Schedule your first post through approval")
    assert (step.auto_check, step.target) == ("posts_approved", 1)


def test_a_step_beyond_the_plan_or_before_day_one_is_refused_by_name(world: World) -> None:
    manager = world.members["social_media_manager"]
    template = template_for_role(world.a, "analyst")
    assert template is not None
    before = TemplateStep.objects.count()
    with pytest.raises(ValidationFailed) as caught:
        template_step_save(
            actor=manager, template=template, kind="activity", title="Late report", due_day=95
        )
    assert caught.value.errors["due_day"] == [
        "The step “Late report” is due on day 95; the plan runs from day 1 to day 90."
    ]
    with pytest.raises(ValidationFailed) as caught:
        template_step_save(
            actor=manager, template=template, kind="activity", title="Too early", due_day=0
        )
    assert "“Too early” is due on day 0" in caught.value.errors["due_day"][0]
    with pytest.raises(ValidationFailed) as caught:
        template_step_save(
            actor=manager,
            template=template,
            kind="activity",
            title="Magic",
            due_day=10,
            auto_check="mind_reading",
            target=0,
        )
    assert caught.value.errors["auto_check"] == [
        "“mind_reading” is not an automatic check Roost knows."
    ]
    assert caught.value.errors["target"] == ["The target is 1 to 1000, not 0."]
    assert TemplateStep.objects.count() == before


def test_shortening_a_template_below_a_step_is_refused_naming_it(world: World) -> None:
    manager = world.members["social_media_manager"]
    template = template_for_role(world.a, "analyst")
    assert template is not None
    with pytest.raises(ValidationFailed) as caught:
        template_save(actor=manager, template=template, name=template.name, days=60)
    assert caught.value.errors["days"] == [
        "The step “A recurring report the team reads every week” is due on day 75, after "
        "the plan's 60 days."
    ]
    with pytest.raises(ValidationFailed) as caught:
        template_save(actor=manager, template=template, name=template.name, days=200)
    assert caught.value.errors["days"] == ["A plan lasts 30 to 120 days, not 200."]
    template.refresh_from_db()
    assert template.days == 90


def test_editing_steps_and_the_template(world: World) -> None:
    manager = world.members["social_media_manager"]
    template = template_for_role(world.a, "sales")
    assert template is not None
    saved = template_save(actor=manager, template=template, name="Sales ramp-up", days=120)
    assert (saved.name, saved.days) == ("Sales ramp-up", 120)
    step = template_step_save(
        actor=manager,
        template=template,
        kind="deliverable",
        title="Pipeline review",
        due_day=110,
        auto_check="tasks_created",
        target=12,
    )
    assert (step.due_day, step.target) == (110, 12)
    step = template_step_save(
        actor=manager,
        template=template,
        step=step,
        kind="deliverable",
        title="Pipeline review",
        due_day=100,
    )
    assert (step.due_day, step.auto_check, step.target) == (100, "", 1)
    template_step_delete(actor=manager, step=step)
    assert not template.steps.filter(title="Pipeline review").exists()
    actions = list(
        AuditEntry.objects.filter(action__startswith="onboarding.").values_list("action", flat=True)
    )
    assert sorted(actions) == [
        "onboarding.step_added",
        "onboarding.step_deleted",
        "onboarding.step_saved",
        "onboarding.template_saved",
    ]


def test_a_content_creator_cannot_edit_templates(world: World) -> None:
    creator = world.members["content_creator"]
    template = template_for_role(world.a, "sales")
    assert template is not None
    before = AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):
        template_save(actor=creator, template=template, name="Mine", days=30)
    with pytest.raises(PermissionDenied):
        template_step_save(actor=creator, template=template, kind="activity", title="X", due_day=2)
    template.refresh_from_db()
    assert (template.name, template.days) == ("Sales: 30-60-90", 90)
    assert AuditEntry.objects.count() == before
