"""The daily brief's pages: today's (or a past day's) brief as a 15-minute agenda, its
action items (htmx), the member's e-mail opt-in, and the settings."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from roost.briefing import selectors, services
from roost.briefing.forms import ActionItemForm, SettingsForm
from roost.briefing.models import Brief
from roost.core import clock
from roost.core.exceptions import ValidationFailed
from roost.http.decorators import error_response
from roost.http.forms import apply_error
from roost.workspaces.decorators import workspace_view
from roost.workspaces.models import Membership
from roost.workspaces.roles import Perm


def _actor(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined]


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _members(actor: Membership) -> list[Membership]:
    found = (
        Membership.objects.filter(workspace=actor.workspace)
        .select_related("user")
        .prefetch_related("roles")
        .order_by("user__name", "pk")
    )
    return [m for m in found if m.has_perm(Perm.VIEW_BRIEF)]


def _today(actor: Membership) -> date:
    return clock.now().astimezone(actor.workspace.tzinfo).date()


def _page(
    request: HttpRequest, brief: Brief | None, day: date, *, form: Any = None, status: int = 200
) -> HttpResponse:
    actor = _actor(request)
    workspace = actor.workspace
    settings = services.settings_for(workspace)
    members = _members(actor)
    today = _today(actor)
    context = {
        "area": "brief",
        "brief": brief,
        "day": day,
        "is_today": day == today,
        "live": brief is not None and brief.pk is None,
        "sections": (brief.content.get("sections", []) if brief else []),
        "items": selectors.items_of(brief) if brief else [],
        "carried": list(selectors.open_earlier(workspace, day)) if day == today else [],
        "form": form or ActionItemForm(members=members, auto_id="item_%s"),
        "subscribed": settings.members.filter(pk=actor.pk).exists(),
        "may_manage": actor.has_perm(Perm.MANAGE_BRIEF),
        "days": selectors.recent_days(workspace),
    }
    return render(request, "briefing/brief.html", context, status=status)


@workspace_view(Perm.VIEW_BRIEF)
@require_safe
def today(request: HttpRequest) -> HttpResponse:
    """Today's brief: the morning's, or one built now when the morning's is not there yet."""
    actor = _actor(request)
    day = _today(actor)
    brief = selectors.brief_of(actor.workspace, day) or services.brief_preview(actor.workspace)
    return _page(request, brief, day)


@workspace_view(Perm.VIEW_BRIEF)
@require_safe
def day(request: HttpRequest, day: str) -> HttpResponse:
    """The brief of a past day, as it was built then."""
    try:
        when = date.fromisoformat(day)
    except ValueError:
        return error_response(request, 400, _("Give the day as YYYY-MM-DD."))
    actor = _actor(request)
    if when == _today(actor):
        return redirect("briefing:today", actor.workspace.slug)
    return _page(request, selectors.brief_of(actor.workspace, when), when)


@workspace_view(Perm.VIEW_BRIEF)
@require_POST
def item_add(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    members = _members(actor)
    form = ActionItemForm(request.POST, members=members, auto_id="item_%s")
    status = 200
    if form.is_valid():
        try:
            services.action_item_add(
                actor=actor,
                text=form.cleaned_data["text"],
                assignee_id=form.cleaned_data["assignee"],
                due=form.cleaned_data["due"],
            )
        except ValidationFailed as exc:
            apply_error(form, exc)
            status = 422
        else:
            form = ActionItemForm(members=members, auto_id="item_%s")
    else:
        status = 422
    day = _today(actor)
    brief = selectors.brief_of(actor.workspace, day)
    if _is_htmx(request):
        return render(
            request,
            "briefing/brief.html#items",
            {"items": selectors.items_of(brief) if brief else [], "form": form, "is_today": True},
            status=status,
        )
    if status == 200:
        return redirect("briefing:today", actor.workspace.slug)
    return _page(
        request, brief or services.brief_preview(actor.workspace), day, form=form, status=status
    )


@workspace_view(Perm.VIEW_BRIEF)
@require_POST
def item_done(request: HttpRequest, item_id: int) -> HttpResponse:
    actor = _actor(request)
    item = services.access_action_item(actor, item_id)
    services.action_item_mark(actor=actor, item=item, done=request.POST.get("done") != "0")
    if _is_htmx(request):
        return render(request, "briefing/brief.html#item", {"item": item})
    if item.brief.date == _today(actor):
        return redirect("briefing:today", actor.workspace.slug)
    return redirect("briefing:day", actor.workspace.slug, item.brief.date.isoformat())


@workspace_view(Perm.VIEW_BRIEF)
@require_POST
def subscribe(request: HttpRequest) -> HttpResponse:
    """The member asks for the brief by e-mail, or stops it."""
    actor = _actor(request)
    on = request.POST.get("on") == "1"
    services.subscription_set(actor=actor, on=on)
    messages.success(
        request,
        _("You get the brief by e-mail every working day.")
        if on
        else _("You no longer get the brief by e-mail."),
    )
    return redirect("briefing:today", actor.workspace.slug)


@workspace_view(Perm.MANAGE_BRIEF)
@require_http_methods(["GET", "HEAD", "POST"])
def settings_view(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    settings = services.settings_for(actor.workspace)
    initial = {
        "enabled": settings.enabled,
        "morning_time": settings.morning_time,
        "working_days": settings.working_days,
        "emails": "\n".join(settings.emails),
    }
    form = SettingsForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            url = form.cleaned_data["webhook_url"].strip()
            data = services.SettingsInput(
                enabled=form.cleaned_data["enabled"],
                morning_time=form.cleaned_data["morning_time"],
                working_days=form.cleaned_data["working_days"],
                emails=form.email_list(),
                webhook_url="" if form.cleaned_data["remove_webhook"] else (url or None),
            )
            try:
                services.settings_save(actor=actor, data=data)
            except ValidationFailed as exc:
                apply_error(form, exc)
                status = 422
            else:
                messages.success(request, _("Brief settings saved."))
                return redirect("briefing:settings", actor.workspace.slug)
        else:
            status = 422
    latest = Brief.objects.filter(workspace=actor.workspace, sent_at__isnull=False).first()
    context = {
        "area": "brief",
        "form": form,
        "settings": settings,
        "has_webhook": bool(settings.webhook_encrypted),
        "latest": latest,
        "subscribers": [m.user.display_name for m in settings.members.select_related("user")],
    }
    return render(request, "briefing/settings.html", context, status=status)
