"""The team's workload pages: the team health table (whom the viewer may see), the team's
weekly trends, and "My workload" with the private check-in and the away form."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from roost.core.exceptions import ValidationFailed
from roost.team.models import WeeklyCheckIn
from roost.team.selectors import my_check_ins, visible_members
from roost.team.services.workload import (
    HandedBack,
    check_in_save,
    member_clear_away,
    member_set_away,
    member_set_cap,
)
from roost.team.workload import (
    MIN_CHECK_INS,
    SIGNAL_LABELS,
    THRESHOLDS,
    local_today,
    member_signals,
    monday,
    team_trends,
)
from roost.workspaces.access import access_member
from roost.workspaces.decorators import workspace_view
from roost.workspaces.models import Membership
from roost.workspaces.roles import Perm


def _actor(request: HttpRequest) -> Any:
    return request.membership  # type: ignore[attr-defined]


def _errors(request: HttpRequest, exc: ValidationFailed) -> None:
    for field_errors in exc.errors.values():
        for text in field_errors:
            messages.error(request, text)


def _date(value: str | None, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise ValidationFailed({field: [_("Give a date as YYYY-MM-DD.")]}) from None


def _back(actor: Membership) -> HttpResponse:
    return redirect("team:workload", slug=actor.workspace.slug)


@workspace_view(Perm.VIEW_TEAM)
@require_safe
def workload(request: HttpRequest) -> HttpResponse:
    """Team health for whoever the viewer may see, and the viewer's own workload."""
    actor = _actor(request)
    workspace = actor.workspace
    today = local_today(workspace)
    members = list(visible_members(actor).select_related("user").order_by("user__email"))
    rows = member_signals(workspace, members, today)
    mine = next((r for r in rows if r.member.pk == actor.pk), None)
    sees_others = len(members) > 1 or actor.has_perm(Perm.MANAGE_TEAM)
    trends = team_trends(workspace, [m.pk for m in members], today) if sees_others else []
    this_week = monday(today)
    current = WeeklyCheckIn.objects.filter(member=actor, week=this_week).first()
    return render(
        request,
        "team/workload.html",
        {
            "area": "team",
            "here": "workload",
            "rows": [r for r in rows if r.member.pk != actor.pk] if sees_others else [],
            "mine": mine,
            "sees_others": sees_others,
            "may_manage": actor.has_perm(Perm.MANAGE_TEAM),
            "trends": trends,
            "labels": SIGNAL_LABELS,
            "thresholds": THRESHOLDS,
            "min_check_ins": MIN_CHECK_INS,
            "current": current,
            "history": my_check_ins(actor),
            "this_week": this_week,
            "today": today,
            "actor": actor,
        },
    )


@workspace_view(Perm.VIEW_TEAM)
@require_POST
def check_in(request: HttpRequest) -> HttpResponse:
    """Save the viewer's own check-in for this week."""
    actor = _actor(request)
    raw = request.POST.get("score", "")
    try:
        if not raw.isdigit():
            raise ValidationFailed({"score": [_("Choose a number from 1 to 5.")]})
        check_in_save(actor=actor, score=int(raw), note=request.POST.get("note", ""))
    except ValidationFailed as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Thanks: your check-in for this week is saved."))
    return _back(actor)


def _away(request: HttpRequest, actor: Membership, member: Membership) -> HttpResponse:
    try:
        if request.POST.get("clear"):
            member_clear_away(actor=actor, member=member)
            messages.success(
                request, _("%(name)s is no longer away.") % {"name": member.user.display_name}
            )
        else:
            done: HandedBack = member_set_away(
                actor=actor,
                member=member,
                away_from=_date(request.POST.get("away_from"), "away_from"),
                away_until=_date(request.POST.get("away_until"), "away_until"),
            )
            messages.success(
                request,
                _("%(name)s is away until %(day)s.")
                % {"name": member.user.display_name, "day": member.away_until},
            )
            if done.total:
                messages.info(request, done.sentence())
    except ValidationFailed as exc:
        _errors(request, exc)
    return _back(actor)


@workspace_view(Perm.VIEW_TEAM)
@require_POST
def my_away(request: HttpRequest) -> HttpResponse:
    """Set or clear the viewer's own away period."""
    actor = _actor(request)
    return _away(request, actor, actor)


@workspace_view(Perm.MANAGE_TEAM)
@require_POST
def manage(request: HttpRequest) -> HttpResponse:
    """A member's cap, or their away period (set or cleared), from the team table's forms."""
    actor = _actor(request)
    raw_member = request.POST.get("member", "")
    if not raw_member.isdigit() or len(raw_member) > 12:
        messages.error(request, _("Choose a member."))
        return _back(actor)
    member = access_member(actor, int(raw_member), Perm.MANAGE_TEAM)
    if request.POST.get("what") != "cap":
        return _away(request, actor, member)
    raw = request.POST.get("cap", "").strip()
    try:
        if raw and (not raw.isdigit() or len(raw) > 6):
            raise ValidationFailed({"cap": [_("A cap is a whole number, or empty.")]})
        member_set_cap(actor=actor, member=member, cap=int(raw) if raw else None)
    except ValidationFailed as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Cap saved for %(name)s.") % {"name": member.user.display_name})
    return _back(actor)
