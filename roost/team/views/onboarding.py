"""The team's onboarding pages: the overview (every plan for managers; one's own and one's
mentees' for everyone else), a plan, and the template editor."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from roost.core.exceptions import NotFound, PermissionDenied, RoostError
from roost.http.forms import apply_error
from roost.team.forms_onboarding import (
    InviteWithPlanForm,
    StartPlanForm,
    StepForm,
    TemplateForm,
    TickForm,
)
from roost.team.models import OnboardingPlan, PlanStatus, PlanStep, StepKind, TemplateStep
from roost.team.onboarding_checks import CHECKS
from roost.team.services import onboarding as svc
from roost.workspaces.decorators import workspace_view
from roost.workspaces.roles import Perm


def _actor(request: HttpRequest) -> Any:
    return request.membership  # type: ignore[attr-defined]


def _overview_context(
    request: HttpRequest,
    start_form: StartPlanForm | None = None,
    invite_form: InviteWithPlanForm | None = None,
    invite_link: str = "",
) -> dict[str, Any]:
    actor = _actor(request)
    workspace = actor.workspace
    manager = actor.has_perm(Perm.MANAGE_TEAM)
    if manager:
        svc.templates_ensure(workspace)
    today = svc.workspace_today(workspace)
    visible = svc.plans_visible(actor).annotate(
        overdue=Count(
            "steps",
            filter=Q(steps__done_at__isnull=True, steps__due_on__lt=today),
            distinct=True,
        )
    )
    svc.plans_refresh([p for p in visible.filter(status=PlanStatus.ACTIVE)])
    plans = list(visible.order_by("-starts_on", "-id")[:200])
    for plan in plans:
        plan.percent = round(100 * plan.steps_done / plan.steps_total) if plan.steps_total else 0
    context: dict[str, Any] = {
        "area": "team",
        "here": "onboarding",
        "manager": manager,
        "active": [p for p in plans if p.status == PlanStatus.ACTIVE],
        "finished": [p for p in plans if p.status != PlanStatus.ACTIVE],
        "mine": [p for p in plans if p.member_id == actor.pk],
        "mentees": [p for p in plans if p.mentor_id == actor.pk],
        "invite_link": invite_link,
    }
    if manager:
        context["templates"] = list(
            svc.OnboardingTemplate.objects.filter(workspace=workspace).annotate(
                step_count=Count("steps")
            )
        )
        context["start_form"] = start_form or StartPlanForm(actor=actor)
        context["invite_form"] = invite_form or InviteWithPlanForm(actor=actor)
    return context


@workspace_view(Perm.VIEW_TEAM)
@require_safe
def onboarding(request: HttpRequest) -> HttpResponse:
    """Plans in progress with their progress; templates and the start forms for managers."""
    return render(request, "team/onboarding.html", _overview_context(request))


@workspace_view(Perm.MANAGE_TEAM)
@require_POST
def onboarding_start(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    form = StartPlanForm(request.POST, actor=actor)
    if form.is_valid():
        try:
            plan = svc.plan_start(
                actor=actor,
                member=form.cleaned_data["member"],
                template=form.cleaned_data["template"],
                mentor=form.cleaned_data["mentor"],
                starts_on=form.cleaned_data["starts_on"],
            )
        except RoostError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("The onboarding plan has started."))
            return redirect("team:onboarding_plan", slug=actor.workspace.slug, plan_id=plan.pk)
    context = _overview_context(request, start_form=form)
    return render(request, "team/onboarding.html", context, status=422)


@workspace_view(Perm.MANAGE_TEAM)
@require_POST
def onboarding_invite(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    form = InviteWithPlanForm(request.POST, actor=actor)
    if form.is_valid():
        try:
            invite, secret, pending = svc.invite_with_plan(
                actor=actor,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                template=form.cleaned_data["template"],
                mentor=form.cleaned_data["mentor"],
            )
        except RoostError as exc:
            apply_error(form, exc)
        else:
            messages.success(
                request,
                _("Invite sent to %(email)s; “%(name)s” starts when they accept.")
                % {"email": invite.email, "name": pending.template.name},
            )
            link = request.build_absolute_uri(reverse("accounts:invite", args=[secret]))
            return render(
                request, "team/onboarding.html", _overview_context(request, invite_link=link)
            )
    context = _overview_context(request, invite_form=form)
    return render(request, "team/onboarding.html", context, status=422)


def _visible_plan(request: HttpRequest, plan_id: int) -> OnboardingPlan | HttpResponse:
    """The plan, or a way back to the overview for a colleague's plan (a member may open
    only their own and their mentees'; another workspace's id is a 404)."""
    actor = _actor(request)
    try:
        return svc.access_plan(actor, plan_id)
    except PermissionDenied as exc:
        messages.error(request, exc.message)
        return redirect("team:onboarding", slug=actor.workspace.slug)


def _phases(plan: OnboardingPlan, steps: list[PlanStep]) -> list[dict[str, Any]]:
    grouped: dict[int, list[PlanStep]] = defaultdict(list)
    for step in steps:
        day = (step.due_on - plan.starts_on).days + 1
        grouped[min(max((day - 1) // 30, 0), 3)].append(step)
    labels = [
        _("Days 1–30"),
        _("Days 31–60"),
        _("Days 61–90"),
        _("Day 91 and after"),
    ]
    return [{"label": labels[i], "steps": grouped[i]} for i in sorted(grouped)]


@workspace_view(Perm.VIEW_TEAM)
@require_safe
def onboarding_plan(request: HttpRequest, plan_id: int) -> HttpResponse:
    found = _visible_plan(request, plan_id)
    if isinstance(found, HttpResponse):
        return found
    return _plan_page(request, found)


def _plan_page(
    request: HttpRequest, plan: OnboardingPlan, tick_form: TickForm | None = None, status: int = 200
) -> HttpResponse:
    actor = _actor(request)
    svc.plans_refresh([plan])
    plan.refresh_from_db()
    steps = list(plan.steps.select_related("done_by"))
    today = svc.workspace_today(actor.workspace)
    slug = actor.workspace.slug
    for step in steps:
        check = CHECKS.get(step.auto_check)
        may_tick = plan.status == PlanStatus.ACTIVE and (
            svc.may_record_check_in(actor, plan)
            if step.kind == StepKind.CHECK_IN
            else svc.may_see_plan(actor, plan)
        )
        # Shown beside each step (attributes for the template only).
        setattr(step, "overdue", step.done_at is None and step.due_on < today)  # noqa: B010
        setattr(step, "auto", check)  # noqa: B010
        setattr(step, "link", check.url(slug) if check else "")  # noqa: B010
        setattr(step, "may_tick", may_tick)  # noqa: B010
    done = sum(1 for s in steps if s.done_at is not None)
    context = {
        "area": "team",
        "here": "onboarding",
        "plan": plan,
        "phases": _phases(plan, steps),
        "done": done,
        "total": len(steps),
        "tick_form": tick_form,
        "manager": actor.has_perm(Perm.MANAGE_TEAM),
    }
    return render(request, "team/onboarding_plan.html", context, status=status)


@workspace_view(Perm.VIEW_TEAM)
@require_POST
def onboarding_plan_tick(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Tick or untick one step by hand; a check-in with its notes."""
    found = _visible_plan(request, plan_id)
    if isinstance(found, HttpResponse):
        return found
    actor = _actor(request)
    form = TickForm(request.POST)
    if form.is_valid():
        step = PlanStep.objects.filter(plan=found, pk=form.cleaned_data["step"]).first()
        if step is None:
            form.add_error("step", _("That step is not part of this plan."))
        else:
            try:
                svc.step_tick(
                    actor=actor,
                    step=step,
                    done=form.cleaned_data["done"],
                    note=form.cleaned_data["note"],
                )
            except PermissionDenied as exc:
                messages.error(request, exc.message)
            except RoostError as exc:
                apply_error(form, exc)
                return _plan_page(request, found, form, status=422)
            return redirect("team:onboarding_plan", slug=actor.workspace.slug, plan_id=found.pk)
    return _plan_page(request, found, form, status=422)


@workspace_view(Perm.MANAGE_TEAM)
@require_http_methods(["GET", "HEAD", "POST"])
def onboarding_template(request: HttpRequest, template_id: int) -> HttpResponse:
    """The template editor: its name and length, and its steps (add, change, remove)."""
    actor = _actor(request)
    template = svc.access_template(actor, template_id)
    template_form = TemplateForm(initial={"name": template.name, "days": template.days})
    step_form = StepForm(initial={"kind": StepKind.ACTIVITY, "target": 1})
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "delete_step":
                step = _template_step(template, request.POST.get("step", ""))
                svc.template_step_delete(actor=actor, step=step)
                messages.success(request, _("Step removed."))
                return redirect(request.path)
            if action == "save_step":
                step_form = StepForm(request.POST)
                if step_form.is_valid():
                    data = step_form.cleaned_data
                    edited = _template_step(template, data["step"]) if data["step"] else None
                    svc.template_step_save(
                        actor=actor,
                        template=template,
                        step=edited,
                        kind=data["kind"],
                        title=data["title"],
                        details=data["details"],
                        due_day=data["due_day"],
                        auto_check=data["auto_check"],
                        target=data["target"],
                    )
                    messages.success(request, _("Step saved."))
                    return redirect(request.path)
            else:
                template_form = TemplateForm(request.POST)
                if template_form.is_valid():
                    svc.template_save(
                        actor=actor,
                        template=template,
                        name=template_form.cleaned_data["name"],
                        days=template_form.cleaned_data["days"],
                    )
                    messages.success(request, _("Template saved."))
                    return redirect(request.path)
        except NotFound:
            messages.error(request, _("That step is not part of this template."))
            return redirect(request.path)
        except RoostError as exc:
            apply_error(step_form if action == "save_step" else template_form, exc)
        status = 422
    context = {
        "area": "team",
        "here": "onboarding",
        "template": template,
        "steps": list(template.steps.all()),
        "template_form": template_form,
        "step_form": step_form,
        "checks": list(CHECKS.values()),
        "kinds": StepKind.choices,
    }
    return render(request, "team/onboarding_template.html", context, status=status)


def _template_step(template: Any, value: Any) -> TemplateStep:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise NotFound() from None
    step = TemplateStep.objects.filter(template=template, pk=pk).first()
    if step is None:
        raise NotFound()
    return step
