"""Approvals: my queue, one review (decide), outside approvers' links, workflows, settings."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from roost.approvals import selectors, services
from roost.approvals.forms import DecisionForm, QueueApproveForm, SettingsForm, WorkflowForm
from roost.approvals.models import ApprovalRequest, Workflow
from roost.approvals.registry import adapter, details
from roost.core.exceptions import (
    Conflict,
    NotFound,
    PermissionDenied,
    RoostError,
    ValidationFailed,
)
from roost.core.validation import parse_id
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
    actor = _actor(request)
    if request.GET.get("tab") == "decided":
        return render(
            request,
            "approvals/queue.html",
            {"area": "approvals", "tab": "decided", "decided": selectors.decided_by(actor)},
        )
    sections = selectors.queue_sections(
        actor,
        limit=QUEUE_PAGE,
        mine_skip=_skip(request, "mine"),
        groups_skip=_skip(request, "groups"),
    )
    return render(
        request,
        "approvals/queue.html",
        {
            "area": "approvals",
            "tab": "waiting",
            "queue": sections,
            "pages": {
                "mine": _pages(request, "mine", sections["mine"]),
                "groups": _pages(request, "groups", sections["groups"]),
            },
        },
    )


@workspace_view(Perm.VIEW_CONTENT)
@require_POST
def queue_approve(request: HttpRequest, request_id: int) -> HttpResponse:
    """Approve from the queue: the same checks as the review page (an approver of the step
    they saw, on an item they may see); htmx swaps the row in place."""
    actor = _actor(request)
    req = _request_or_404(actor, request_id)
    form = QueueApproveForm(request.POST)
    status, message = 200, ""
    if not form.is_valid():
        status, message = 422, _("Which step do you approve? Reload the page and try again.")
    else:
        try:
            req = services.request_decide(
                req=req,
                decision="approve",
                user=actor.user,
                step_position=form.cleaned_data["step"],
            )
        except PermissionDenied as exc:
            status, message = 403, exc.message
        except Conflict as exc:
            status, message = 409, exc.message
        except ValidationFailed as exc:  # e.g. the planned time passed: a choice to make
            status = 422
            message = (
                " ".join(m for ms in exc.errors.values() for m in ms)
                + " "
                + _("Open the review to decide.")
            )
    if not request.htmx:  # type: ignore[attr-defined]
        if status != 200:
            return error_response(request, status, message)
        messages.success(request, _("Your approval was recorded."))
        return redirect("approvals:queue", slug=actor.workspace.slug)
    obj = adapter(req.kind).load(req.object_id)
    return render(
        request,
        "approvals/queue_row_result.html",
        {
            "req": req,
            "title": adapter(req.kind).title(obj) if obj is not None else "",
            "message": message,
            "ok": status == 200,
        },
        status=status,
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
        "review": details(req.kind, obj, req.snapshot),
        "steps": selectors.request_steps(req),
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
            # Outside approvers see the words and the alt texts: the files need a login.
            "review": {**details(req.kind, obj, req.snapshot), "outside": True},
            "planned": handler.planned_at(obj, req.plan) if obj else None,
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
            "rows": selectors.workflow_rows(actor.workspace.pk),
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
        return {"active": True}
    initial: dict[str, Any] = {
        "name": workflow.name,
        "active": workflow.active,
        "is_default": workflow.is_default,
        "channels": list(workflow.channel_ids),
        "campaigns": list(workflow.campaign_ids),
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
    named: set[int] = set()
    if workflow is not None:
        for step in workflow.steps.all():
            named |= {m.pk for m in step.members.all()}
            if step.escalate_to_member_id:
                named.add(step.escalate_to_member_id)
    form = WorkflowForm(
        request.POST or None,
        initial=_workflow_initial(workflow),
        workspace=actor.workspace,
        named=named,
        kind=workflow.kind if workflow is not None else "post",
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
                    channel_ids=[c.pk for c in form.cleaned_data["channels"]],
                    campaign_ids=form.cleaned_data["campaigns"],
                    is_default=form.cleaned_data["is_default"],
                    active=form.cleaned_data["active"],
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


@workspace_view(Perm.APPROVE)
@require_POST
def workflow_delete(request: HttpRequest, workflow_id: int) -> HttpResponse:
    actor = _actor(request)
    workflow = Workflow.objects.filter(workspace=actor.workspace, pk=workflow_id).first()
    if workflow is None:
        raise NotFound()
    name, pk = workflow.name, workflow.pk
    try:
        services.workflow_delete(actor=actor, workflow=workflow)
    except Conflict as exc:  # in use by reviews under way: say so where they pressed it
        messages.error(request, exc.message)
        return redirect("approvals:workflow_edit", slug=actor.workspace.slug, workflow_id=pk)
    messages.success(request, _("Workflow “%(name)s” deleted.") % {"name": name})
    return redirect("approvals:workflows", slug=actor.workspace.slug)


@workspace_view(Perm.COMPOSE)
@require_GET
def route_preview(request: HttpRequest) -> HttpResponse:
    """Compose asks, before sending: which workflow, and who approves (or no approval)."""
    actor = _actor(request)
    try:
        channel_ids = _ids(request.GET.getlist("channels"), "channels")
        campaigns = _ids(request.GET.getlist("campaign"), "campaign")
        if len(campaigns) > 1:
            raise ValidationFailed({"campaign": [_("A post is in one campaign at most.")]})
        preview = selectors.route_preview(
            actor, channel_ids=channel_ids, campaign_id=campaigns[0] if campaigns else None
        )
    except ValidationFailed as exc:
        return error_response(request, 400, " ".join(m for ms in exc.errors.values() for m in ms))
    return render(request, "approvals/compose_route.html", {"preview": preview})


def _ids(values: list[str], name: str) -> list[int]:
    """Ids from the query string (also "1,2"); anything else is a 400 naming the field."""
    found = []
    for value in values:
        for part in value.split(","):
            part = part.strip()
            if not part:
                continue
            pk = parse_id(part)
            if pk is None:
                raise ValidationFailed(
                    {name: [_("“%(value)s” is not an id.") % {"value": part[:40]}]}
                )
            found.append(pk)
    return found


@workspace_view(Perm.MANAGE_SETTINGS)
@require_POST
def settings_save(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    form = SettingsForm(request.POST)
    if form.is_valid():
        services.settings_save(actor=actor, **form.cleaned_data)
        messages.success(request, _("Approval settings saved."))
    return redirect("approvals:workflows", slug=actor.workspace.slug)
