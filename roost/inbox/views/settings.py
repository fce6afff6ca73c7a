"""Inbox settings (SLA, business hours, rules, webhooks, shared saved replies) and the
team SLA report."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from roost.channels.selectors import channels_visible_to
from roost.core import clock
from roost.core.exceptions import NotFound, RoostError
from roost.http.forms import apply_error
from roost.inbox import selectors
from roost.inbox.forms import (
    GRACE_CHOICES,
    KIND_CHOICES,
    EndpointForm,
    InboxSettingsForm,
    RotateSecretForm,
    RuleForm,
    SavedReplyForm,
)
from roost.inbox.models import InboxRule, Priority, TaskKind, WebhookDelivery
from roost.inbox.models import WebhookEndpoint as Endpoint
from roost.inbox.services import collab, config, triage
from roost.inbox.views.common import groups_of, member_of, members_of
from roost.workspaces.decorators import workspace_view
from roost.workspaces.models import Membership
from roost.workspaces.roles import Perm

# --- settings ------------------------------------------------------------------------


def _settings_initial(actor: Membership) -> dict[str, Any]:
    found = triage.inbox_settings(actor.workspace_id)
    initial: dict[str, Any] = {
        "first_response_minutes": found.first_response_minutes,
        "completion_hours": found.completion_hours,
        "per_member_cap": found.per_member_cap,
    }
    for day, (opens, closes) in (found.business_hours or {}).items():
        initial[f"open_{day}"], initial[f"close_{day}"] = opens, closes
    return initial


def _rule_text(
    rule: InboxRule, channels: dict[int, str], members: dict[int, str], groups: dict[int, str]
) -> tuple[list[str], list[str]]:
    """A rule in words: (conditions, actions)."""
    when, then = rule.when or {}, rule.then or {}
    kinds, tasks = dict(KIND_CHOICES), dict(TaskKind.choices)
    conditions = []
    if when.get("channels"):
        names = ", ".join(channels.get(c, "?") for c in when["channels"])
        conditions.append(_("on %(channels)s") % {"channels": names})
    if when.get("keywords"):
        conditions.append(_("contains %(words)s") % {"words": ", ".join(when["keywords"])})
    if when.get("languages"):
        conditions.append(_("in %(languages)s") % {"languages": ", ".join(when["languages"])})
    if when.get("kinds"):
        names = ", ".join(str(kinds.get(k, k)) for k in when["kinds"])
        conditions.append(_("is a %(kinds)s") % {"kinds": names})
    actions = []
    if then.get("tag"):
        actions.append(_("tag “%(tag)s”") % {"tag": then["tag"]})
    if then.get("member"):
        actions.append(_("assign to %(who)s") % {"who": members.get(then["member"], "?")})
    if then.get("group"):
        actions.append(_("assign to %(who)s") % {"who": groups.get(then["group"], "?")})
    if "priority" in then:
        actions.append(
            _("priority %(p)s") % {"p": dict(Priority.choices).get(then["priority"], "?")}
        )
    if then.get("complete"):
        actions.append(_("complete"))
    if then.get("task"):
        actions.append(
            _("create a %(kind)s task") % {"kind": tasks.get(then["task"], then["task"])}
        )
    return conditions, actions


def _settings_page(request: HttpRequest, status: int = 200, **extra: Any) -> HttpResponse:
    actor = member_of(request)
    ws_id = actor.workspace_id
    members, groups = members_of(actor), groups_of(actor)
    channels = list(channels_visible_to(actor).order_by("name"))
    names = (
        {c.pk: c.name for c in channels},
        {m.pk: m.user.display_name for m in members},
        {g.pk: g.name for g in groups},
    )
    context: dict[str, Any] = {
        "area": "inbox",
        "settings_form": InboxSettingsForm(initial=_settings_initial(actor)),
        "rule_form": RuleForm(channels=channels, members=members, groups=groups),
        "endpoint_form": EndpointForm(),
        "saved_form": SavedReplyForm(),
        "rules": [(r, *_rule_text(r, *names)) for r in selectors.rules_list(ws_id)],
        "endpoints": list(selectors.endpoints_list(ws_id)),
        "grace_choices": GRACE_CHOICES,
        "deliveries": list(selectors.deliveries_list(ws_id)),
        "saved_replies": list(selectors.saved_replies(ws_id)),
    }
    context.update(extra)
    return render(request, "inbox/settings.html", context, status=status)


@workspace_view(Perm.MANAGE_SETTINGS)
def settings_view(request: HttpRequest) -> HttpResponse:
    actor = member_of(request)
    if request.method != "POST":
        return _settings_page(request)
    form = InboxSettingsForm(request.POST)
    if form.is_valid():
        config.inbox_settings_save(
            actor=actor,
            first_response_minutes=form.cleaned_data["first_response_minutes"],
            completion_hours=form.cleaned_data["completion_hours"],
            per_member_cap=form.cleaned_data["per_member_cap"],
            business_hours=form.business_hours(),
        )
        messages.success(request, _("Inbox settings saved."))
        return redirect("inbox:settings", slug=actor.workspace.slug)
    return _settings_page(request, status=422, settings_form=form)


@workspace_view(Perm.MANAGE_SETTINGS)
@require_POST
def rule_create(request: HttpRequest) -> HttpResponse:
    actor = member_of(request)
    form = RuleForm(
        request.POST,
        channels=list(channels_visible_to(actor)),
        members=members_of(actor),
        groups=groups_of(actor),
    )
    if form.is_valid():
        try:
            config.rule_create(
                actor=actor, name=form.cleaned_data["name"], when=form.when(), then=form.then()
            )
        except RoostError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Rule added."))
            return redirect("inbox:settings", slug=actor.workspace.slug)
    return _settings_page(request, status=422, rule_form=form)


@workspace_view(Perm.MANAGE_SETTINGS)
@require_POST
def rule_delete(request: HttpRequest, rule_id: int) -> HttpResponse:
    actor = member_of(request)
    rule = selectors.rules_list(actor.workspace_id).filter(pk=rule_id).first()
    if rule is None:
        raise NotFound()
    config.rule_delete(actor=actor, rule=rule)
    messages.success(request, _("Rule removed."))
    return redirect("inbox:settings", slug=actor.workspace.slug)


@workspace_view(Perm.MANAGE_SETTINGS)
@require_POST
def endpoint_create(request: HttpRequest) -> HttpResponse:
    actor = member_of(request)
    form = EndpointForm(request.POST)
    if form.is_valid():
        try:
            endpoint, secret = config.endpoint_create(
                actor=actor,
                name=form.cleaned_data["name"],
                url=form.cleaned_data["url"],
                task_kinds=form.cleaned_data["task_kinds"],
            )
        except RoostError as exc:
            apply_error(form, exc)
        else:
            # Shown once, on this answer only; never again.
            return _settings_page(request, new_endpoint=endpoint, new_secret=secret)
    return _settings_page(request, status=422, endpoint_form=form)


def _endpoint(actor: Membership, endpoint_id: int) -> Endpoint:
    found = selectors.endpoints_list(actor.workspace_id).filter(pk=endpoint_id).first()
    if found is None:
        raise NotFound()
    return found


@workspace_view(Perm.MANAGE_SETTINGS)
@require_POST
def endpoint_rotate(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    """A new signing secret, shown once; the old one keeps signing for the chosen time."""
    actor = member_of(request)
    endpoint = _endpoint(actor, endpoint_id)
    form = RotateSecretForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose how long the old secret keeps signing."))
        return _settings_page(request, status=422)
    hours = form.cleaned_data["grace_hours"]
    grace = config.ROTATION_GRACE if hours is None else timedelta(hours=hours)
    endpoint, secret = config.endpoint_rotate_secret(actor=actor, endpoint=endpoint, grace=grace)
    # Shown once, on this answer only; never again.
    return _settings_page(request, new_endpoint=endpoint, new_secret=secret, rotated=True)


@workspace_view(Perm.MANAGE_SETTINGS)
@require_POST
def endpoint_delete(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    actor = member_of(request)
    config.endpoint_delete(actor=actor, endpoint=_endpoint(actor, endpoint_id))
    messages.success(request, _("Webhook endpoint removed."))
    return redirect("inbox:settings", slug=actor.workspace.slug)


@workspace_view(Perm.MANAGE_SETTINGS)
@require_POST
def delivery_replay(request: HttpRequest, delivery_id: int) -> HttpResponse:
    actor = member_of(request)
    delivery = (
        WebhookDelivery.objects.filter(endpoint__workspace_id=actor.workspace_id, pk=delivery_id)
        .select_related("endpoint")
        .first()
    )
    if delivery is None:
        raise NotFound()
    config.delivery_replay_by(actor=actor, delivery=delivery)
    messages.success(request, _("The delivery will be sent again shortly."))
    return redirect("inbox:settings", slug=actor.workspace.slug)


@workspace_view(Perm.MANAGE_SETTINGS)
@require_POST
def saved_reply_create(request: HttpRequest) -> HttpResponse:
    actor = member_of(request)
    form = SavedReplyForm(request.POST)
    if form.is_valid():
        try:
            collab.saved_reply_create(
                actor=actor, name=form.cleaned_data["name"], text=form.cleaned_data["text"]
            )
        except RoostError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Saved reply added."))
            return redirect("inbox:settings", slug=actor.workspace.slug)
    return _settings_page(request, status=422, saved_form=form)


# --- report --------------------------------------------------------------------------


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    minutes = round(seconds / 60)
    if minutes < 60:
        return _("%(n)s min") % {"n": minutes}
    return _("%(h)s h %(m)s min") % {"h": minutes // 60, "m": minutes % 60}


@workspace_view(Perm.INBOX_READ_ALL)
def report(request: HttpRequest) -> HttpResponse:
    actor = member_of(request)
    ws = actor.workspace
    found = selectors.sla_report(ws.pk, triage.inbox_settings(ws.pk), ws.timezone, clock.now())
    return render(
        request,
        "inbox/report.html",
        {
            "area": "inbox",
            "report": found,
            "p50": _duration(found.p50),
            "p90": _duration(found.p90),
        },
    )
