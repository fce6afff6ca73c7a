"""Onboarding plans (30-60-90): the plans the token's member may see (their own, their
mentees', every plan with MANAGE_TEAM), one plan with its steps, starting a plan, ticking a
step by hand (MANAGE_TEAM; members and mentors tick in the web pages), and the templates."""

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import Field

from roost.api.auth import access
from roost.api.idempotency import idempotent
from roost.api.schemas import Id, responses
from roost.core.exceptions import ValidationFailed
from roost.team.models import OnboardingPlan, OnboardingTemplate, PlanStep
from roost.team.services import onboarding as svc
from roost.workspaces.models import ApiScope, Membership
from roost.workspaces.roles import Perm

router = Router(tags=["team"])
READ, WRITE = ApiScope.READ, ApiScope.TEAM_WRITE


class PlanStepOut(Schema):
    id: int
    kind: str = Field(description="learning, activity, deliverable or check_in")
    title: str
    due_on: date
    auto_check: str = Field(description="The automatic check's code; empty: ticked by hand")
    target: int
    progress: int
    done_at: datetime | None
    done_by: str = Field(description="Who ticked it; empty when done automatically")


class PlanOut(Schema):
    id: int
    member: int
    member_name: str
    name: str
    template: int | None
    mentor: int | None
    starts_on: date
    status: str = Field(description="active, completed or ended")
    note: str
    steps_done: int
    steps_total: int


class PlanDetailOut(PlanOut):
    steps: list[PlanStepOut]


class PlanIn(Schema):
    member: Id
    template: Id
    mentor: Id | None = None
    starts_on: date | None = Field(default=None, description="Default: today (within a year)")


class TickIn(Schema):
    step: Id
    done: bool = True
    note: str = Field(default="", max_length=svc.NOTE_LENGTH)


class TemplateStepOut(Schema):
    id: int
    kind: str
    title: str
    details: str
    due_day: int
    auto_check: str
    target: int


class TemplateOut(Schema):
    id: int
    name: str
    role: str
    days: int


class TemplateDetailOut(TemplateOut):
    steps: list[TemplateStepOut]


def _actor(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined]


def _plan(p: OnboardingPlan, done: int, total: int) -> dict[str, Any]:
    return {
        "id": p.pk,
        "member": p.member_id,
        "member_name": str(p.member.user.display_name),
        "name": p.name,
        "template": p.template_id,
        "mentor": p.mentor_id,
        "starts_on": p.starts_on,
        "status": p.status,
        "note": p.ended_reason,
        "steps_done": done,
        "steps_total": total,
    }


def _step(s: PlanStep) -> dict[str, Any]:
    return {
        "id": s.pk,
        "kind": s.kind,
        "title": s.title,
        "due_on": s.due_on,
        "auto_check": s.auto_check,
        "target": s.target,
        "progress": s.progress,
        "done_at": s.done_at,
        "done_by": str(s.done_by.display_name) if s.done_by else "",
    }


def _detail(plan: OnboardingPlan) -> dict[str, Any]:
    steps = list(plan.steps.select_related("done_by"))
    done = sum(1 for s in steps if s.done_at is not None)
    return {**_plan(plan, done, len(steps)), "steps": [_step(s) for s in steps]}


@router.get(
    "/{slug}/team/onboarding/plans",
    response=responses({200: list[PlanOut]}),
    auth=access(Perm.VIEW_TEAM, READ),
    summary="Onboarding plans you may see: your own, your mentees', all with MANAGE_TEAM",
)
def plan_list(request: HttpRequest, slug: str) -> Any:
    plans = list(svc.plans_visible(_actor(request)).order_by("-starts_on", "-id")[:500])
    return [_plan(p, p.steps_done, p.steps_total) for p in plans]


@router.get(
    "/{slug}/team/onboarding/plans/{plan_id}",
    response=responses({200: PlanDetailOut}),
    auth=access(Perm.MANAGE_TEAM, READ),
    summary="One onboarding plan with its steps (members read their own through the list)",
)
def plan_get(request: HttpRequest, slug: str, plan_id: Id) -> Any:
    plan = svc.access_plan(_actor(request), plan_id)
    svc.plans_refresh([plan])
    return _detail(plan)


@router.post(
    "/{slug}/team/onboarding/plans",
    response=responses({201: PlanDetailOut}, write=True),
    auth=access(Perm.MANAGE_TEAM, WRITE),
    summary="Start a template as a member's onboarding plan",
)
@idempotent
def plan_create(request: HttpRequest, slug: str, payload: PlanIn) -> Any:
    actor = _actor(request)
    members = {
        m.pk: m
        for m in Membership.objects.filter(
            workspace_id=actor.workspace_id,
            pk__in=[x for x in (payload.member, payload.mentor) if x],
        ).select_related("user")
    }
    template = OnboardingTemplate.objects.filter(
        workspace_id=actor.workspace_id, pk=payload.template
    ).first()
    missing = {
        name: [_("Not found in this workspace.")]
        for name, found in (
            ("member", payload.member in members),
            ("template", template is not None),
            ("mentor", payload.mentor is None or payload.mentor in members),
        )
        if not found
    }
    if missing or template is None:
        raise ValidationFailed(missing)
    plan = svc.plan_start(
        actor=actor,
        member=members[payload.member],
        template=template,
        mentor=members.get(payload.mentor) if payload.mentor else None,
        starts_on=payload.starts_on,
    )
    return Status(201, _detail(svc.access_plan(actor, plan.pk)))


@router.post(
    "/{slug}/team/onboarding/plans/{plan_id}/tick",
    response=responses({200: PlanDetailOut}, write=True),
    auth=access(Perm.MANAGE_TEAM, WRITE),
    summary="Tick or untick a step by hand; a check-in takes a note",
)
@idempotent
def plan_tick(request: HttpRequest, slug: str, plan_id: Id, payload: TickIn) -> Any:
    actor = _actor(request)
    plan = svc.access_plan(actor, plan_id)
    step = PlanStep.objects.filter(plan=plan, pk=payload.step).first()
    if step is None:
        raise ValidationFailed({"step": [_("That step is not part of this plan.")]})
    svc.step_tick(actor=actor, step=step, done=payload.done, note=payload.note)
    plan.refresh_from_db()
    return _detail(plan)


@router.get(
    "/{slug}/team/onboarding/templates",
    response=responses({200: list[TemplateOut]}),
    auth=access(Perm.VIEW_TEAM, READ),
    summary="The workspace's onboarding templates",
)
def template_list(request: HttpRequest, slug: str) -> Any:
    actor = _actor(request)
    return [
        {"id": t.pk, "name": t.name, "role": t.role, "days": t.days}
        for t in OnboardingTemplate.objects.filter(workspace_id=actor.workspace_id)
    ]


@router.get(
    "/{slug}/team/onboarding/templates/{template_id}",
    response=responses({200: TemplateDetailOut}),
    auth=access(Perm.VIEW_TEAM, READ),
    summary="One onboarding template with its steps",
)
def template_get(request: HttpRequest, slug: str, template_id: Id) -> Any:
    t = svc.access_template(_actor(request), template_id)
    return {
        "id": t.pk,
        "name": t.name,
        "role": t.role,
        "days": t.days,
        "steps": [
            {
                "id": s.pk,
                "kind": s.kind,
                "title": s.title,
                "details": s.details,
                "due_day": s.due_day,
                "auto_check": s.auto_check,
                "target": s.target,
            }
            for s in t.steps.all()
        ],
    }
