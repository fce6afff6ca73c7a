"""Test data for the team app: sample objects per workspace for the route-walking suites
(roost/web/tests/test_isolation.py, the API isolation and fuzz suites: `samples(workspace,
marker)` gives a value for each team URL parameter, `marker` in their names so a leak is
visible) and small builders for page and API tests. Each part adds its samples."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from roost.core import clock
from roost.core.tokens import hash_secret
from roost.team.models import (
    Candidate,
    Criterion,
    JobOpening,
    OnboardingPlan,
    OnboardingTemplate,
    PlanStatus,
    PlanStep,
    StepKind,
    TemplateStep,
)
from roost.workspaces.models import Membership, Workspace


def _hiring_samples(workspace: Workspace, marker: str) -> dict[str, Any]:
    """An opening with one criterion and one candidate (every member of the workspace
    interviews them, so each role reaches the candidate's page in the walk)."""
    opening, _made = JobOpening.objects.get_or_create(
        workspace=workspace,
        title=f"Sample opening {marker}".strip(),
        defaults={
            "role": "community_manager",
            "description_en": f"Job description {marker}",
            "description_pl": f"Opis stanowiska {marker}",
        },
    )
    criterion, _made = Criterion.objects.get_or_create(
        opening=opening, name=f"Written replies {marker}".strip(), defaults={"weight": 3}
    )
    candidate, _made = Candidate.objects.get_or_create(
        workspace=workspace,
        opening=opening,
        email=f"candidate-{workspace.pk}@example.com",
        defaults={"name": f"Sample candidate {marker}".strip()},
    )
    candidate.interviewers.add(*Membership.objects.filter(workspace=workspace))
    return {
        "opening_id": opening.pk,
        "criterion_id": criterion.pk,
        "candidate_id": candidate.pk,
    }


def sample_template(workspace: Workspace, marker: str = "") -> OnboardingTemplate:
    """A small onboarding template of the workspace (made once)."""
    template, made = OnboardingTemplate.objects.get_or_create(
        workspace=workspace,
        name=f"Sample onboarding {marker}".strip(),
        defaults={"role": "", "days": 90},
    )
    if made:
        TemplateStep.objects.create(
            template=template,
            kind=StepKind.ACTIVITY,
            title=f"Sample step {marker}".strip(),
            due_day=3,
            auto_check="inbox_handled",
            target=1,
        )
        TemplateStep.objects.create(
            template=template, kind=StepKind.CHECK_IN, title="Check-in", due_day=30
        )
    return template


def sample_plan(workspace: Workspace, marker: str = "") -> OnboardingPlan:
    """An active plan of the workspace's first member (made once; an ended one when that
    member is already onboarding)."""
    template = sample_template(workspace, marker)
    name = f"Sample plan {marker}".strip()
    found = OnboardingPlan.objects.filter(workspace=workspace, name=name).first()
    if found is not None:
        return found
    member = Membership.objects.filter(workspace=workspace).order_by("pk").first()
    assert member is not None
    busy = OnboardingPlan.objects.filter(member=member, status=PlanStatus.ACTIVE).exists()
    starts_on = clock.now().date() - timedelta(days=2)
    plan = OnboardingPlan.objects.create(
        workspace=workspace,
        member=member,
        template=template,
        name=name,
        starts_on=starts_on,
        status=PlanStatus.ENDED if busy else PlanStatus.ACTIVE,
    )
    for step in template.steps.all():
        PlanStep.objects.create(
            plan=plan,
            kind=step.kind,
            title=step.title,
            due_on=starts_on + timedelta(days=step.due_day - 1),
            auto_check=step.auto_check,
            target=step.target,
            position=step.position,
        )
    return plan


def samples(workspace: Workspace, marker: str = "") -> dict[str, Any]:
    """A value for each URL parameter of the team's routes, in `workspace`."""
    return {
        **_hiring_samples(workspace, marker),
        "plan_id": sample_plan(workspace, marker).pk,
        "template_id": sample_template(workspace, marker).pk,
        **_assessment_samples(workspace, marker),
    }


def _assessment_samples(workspace: Workspace, marker: str) -> dict[str, Any]:
    """An exercise (no workspace of its own: a record only) of a sample candidate."""
    from roost.team.models import Assessment, Candidate, JobOpening

    opening, _made = JobOpening.objects.get_or_create(
        workspace=workspace,
        title=f"Assessment sample {marker}",
        defaults={"role": "community_manager", "description_en": "", "description_pl": ""},
    )
    candidate, _made = Candidate.objects.get_or_create(
        workspace=workspace,
        opening=opening,
        email=f"assessed-{workspace.pk}@example.test",
        defaults={"name": f"Assessed {marker}"},
    )
    assessment, _made = Assessment.objects.get_or_create(
        candidate=candidate,
        defaults={
            "scenario": "inbox",
            "token_hash": hash_secret(f"sample-assessment-{workspace.pk}"),
            "expires_at": clock.now() + timedelta(days=3),
        },
    )
    return {"assessment_id": assessment.pk}
