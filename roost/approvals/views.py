"""Approvals: my queue, one review (decide), outside approvers' links, workflows, settings."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from roost.approvals import selectors, services
from roost.approvals.forms import DecisionForm, SettingsForm, WorkflowForm
from roost.approvals.models import ApprovalRequest, Workflow
from roost.approvals.registry import adapter
from roost.core.exceptions import NotFound, RoostError
from roost.http.decorators import error_response, public_view
from roost.http.forms import apply_error
from roost.workspaces.decorators import workspace_view
from roost.workspaces.roles import Perm


def _actor(request: HttpRequest) -> Any:
    return request.membership  # type: ignore[attr-defined]


# Reviews shown at a time in each section of the queue (oldest first); the rest in pages.
QUEUE_PAGE = 50


def _skip(request: HttpRequest, name: str) -> int:
    """An offset from the query string; anything else than a small whole number is 0."""
    value = request.GET.get(name, "")
    if value.isascii() and value.isdigit() and len(value) <= 7:
        return int(value)
    return 0


def _pages(request: HttpRequest, name: str, section: selectors.QueueSection) -> dict[str, str]:
    """Links to the previous and next page of one section, keeping the other's place."""
    links = {}
    if section.skip > 0:
        links["earlier"] = _with(request, name, max(0, section.skip - QUEUE_PAGE))
    if section.skip + QUEUE_PAGE < section.total:
        links["later"] = _with(request, name, section.skip + QUEUE_PAGE)
    return links


def _with(request: HttpRequest, name: str, skip: int) -> str:
    query = request.GET.copy()
    query[name] = str(skip)
    return f"{request.path}?{query.urlencode()}"


@workspace_view(Perm.VIEW_CONTENT)
def queue(request: HttpRequest) -> HttpResponse:
    sections = selectors.queue_sections(
        _actor(request),
        limit=QUEUE_PAGE,
        mine_skip=_skip(request, "mine"),
        groups_skip=_skip(request, "groups"),
    )
    return render(
        request,
        "approvals/queue.html",
        {
            "area": "approvals",
            "queue": sections,
            "pages": {
                "mine": _pages(request, "mine", sections["mine"]),
                "groups": _pages(request, "groups", sections["groups"]),
            },
        },
    )


def _request_or_404(actor: Any, request_id: int) -> ApprovalRequest:
    req = selectors.request_in(actor, request_id)
    if req is None:
        raise NotFound()
    return req


def _detail_context(
    actor: Any, req: ApprovalRequest, form: DecisionForm | None = None
) -> dict[str, Any]:
    handler = adapter(req.kind)
    obj = handler.load(req.object_id)
    state = next((s for s in req.steps.all() if s.position == req.current_position), None)
    can_decide = (
        req.status == "pending" and state is not None and actor.user in services.approvers_of(state)
    )
    planned = handler.planned_at(obj, req.plan) if obj is not None else None
    return {
        "area": "approvals",
        "req": req,
        "obj": obj,
        "title": handler.title(obj) if obj is not None else "",
        "obj_url": handler.url(obj) if obj is not None else "",
        "snapshot": req.snapshot,
        "state": state,
        "can_decide": can_decide,
        "planned": planned,
        "late": planned is not None and planned <= services.clock.now(),
        "form": form or DecisionForm(),
        "events": selectors.events_for(actor, req.kind, req.object_id),
    }


@workspace_view(Perm.VIEW_CONTENT)
def detail(request: HttpRequest, request_id: int) -> HttpResponse:
    actor = _actor(request)
    req = _request_or_404(actor, request_id)
    return render(request, "approvals/detail.html", _detail_context(actor, req))


@workspace_view(Perm.VIEW_CONTENT)
@require_POST
def decide(request: HttpRequest, request_id: int) -> HttpResponse:
    actor = _actor(request)
    req = _request_or_404(actor, request_id)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.request_decide(
                req=req,
                decision=form.cleaned_data["decision"],
                user=actor.user,
                comment=form.cleaned_data["comment"],
                when=form.when_value(),
                step_position=form.cleaned_data["step"],
            )
        except RoostError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Your decision was recorded."))
            return redirect("approvals:queue", slug=actor.workspace.slug)
    req = _request_or_404(actor, request_id)
    return render(request, "approvals/detail.html", _detail_context(actor, req, form), status=422)


@public_view
@never_cache
def link(request: HttpRequest, token: str) -> HttpResponse:
    """An outside approver's signed link: see the item, decide once."""
    try:
        found = services.link_for_token(token)
    except RoostError as exc:
        return error_response(request, 404, exc.message)
    req = found.state.request
    handler = adapter(req.kind)
    obj = handler.load(req.object_id)
    form = DecisionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.link_decide(
                    token=token,
                    decision=form.cleaned_data["decision"],
                    comment=form.cleaned_data["comment"],
                    when=form.when_value(),
                )
            except RoostError as exc:
                apply_error(form, exc)
            else:
                return render(request, "approvals/link_done.html", {"req": req})
        status = 422
    return render(
        request,
        "approvals/link.html",
        {
            "req": req,
            "link": found,
            "title": handler.title(obj) if obj else "",
            "snapshot": req.snapshot,
            "form": form,
        },
        status=status,
    )


@workspace_view(Perm.APPROVE)
def workflows(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    return render(
        request,
        "approvals/workflows.html",
        {
            "area": "approvals",
            "workflows": Workflow.objects.filter(workspace=actor.workspace).prefetch_related(
                "steps__members__user", "steps__groups"
            ),
            "settings_form": SettingsForm(initial=_settings_initial(actor)),
        },
    )


def _settings_initial(actor: Any) -> dict[str, bool]:
    found = services.approval_settings(actor.workspace)
    return {
        "require_for_everyone": found.require_for_everyone,
        "require_for_inbox_replies": found.require_for_inbox_replies,
    }


@workspace_view(Perm.APPROVE)
def workflow_new(request: HttpRequest) -> HttpResponse:
    return _workflow_form(request, None)


@workspace_view(Perm.APPROVE)
def workflow_edit(request: HttpRequest, workflow_id: int) -> HttpResponse:
    workflow = Workflow.objects.filter(workspace=_actor(request).workspace, pk=workflow_id).first()
    if workflow is None:
        raise NotFound()
    return _workflow_form(request, workflow)


def _workflow_initial(workflow: Workflow | None) -> dict[str, Any]:
    if workflow is None:
        return {}
    initial: dict[str, Any] = {
        "name": workflow.name,
        "reset_on_time_change": workflow.reset_on_time_change,
    }
    for step in workflow.steps.all():
        i = step.position
        initial.update(
            {
                f"step{i}_name": step.name,
                f"step{i}_rule": step.rule,
                f"step{i}_members": list(step.members.all()),
                f"step{i}_groups": list(step.groups.all()),
                f"step{i}_emails": ", ".join(step.external_emails),
                f"step{i}_deadline": step.deadline_hours,
                f"step{i}_deadline_from": step.deadline_from,
                f"step{i}_escalate_member": step.escalate_to_member,
                f"step{i}_escalate_group": step.escalate_to_group,
            }
        )
    return initial


def _workflow_form(request: HttpRequest, workflow: Workflow | None) -> HttpResponse:
    actor = _actor(request)
    form = WorkflowForm(
        request.POST or None, initial=_workflow_initial(workflow), workspace=actor.workspace
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.workflow_save(
                    actor=actor,
                    workflow=workflow,
                    name=form.cleaned_data["name"],
                    steps=form.steps(),
                    reset_on_time_change=form.cleaned_data["reset_on_time_change"],
                )
            except RoostError as exc:
                apply_error(form, exc)
            else:
                messages.success(request, _("Workflow saved."))
                return redirect("approvals:workflows", slug=actor.workspace.slug)
        status = 422
    return render(
        request,
        "approvals/workflow_form.html",
        {"area": "approvals", "form": form, "workflow": workflow},
        status=status,
    )


@workspace_view(Perm.MANAGE_SETTINGS)
@require_POST
def settings_save(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    form = SettingsForm(request.POST)
    if form.is_valid():
        services.settings_save(actor=actor, **form.cleaned_data)
        messages.success(request, _("Approval settings saved."))
    return redirect("approvals:workflows", slug=actor.workspace.slug)
