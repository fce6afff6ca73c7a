"""Goals ("are we on track?") and best times to post, per channel."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from roost.analytics import besttime, forecast
from roost.analytics import goals as goal_reads
from roost.analytics.forms import GoalForm
from roost.analytics.models import Goal
from roost.analytics.services import goals as goal_services
from roost.channels.models import Channel
from roost.core import clock
from roost.core.exceptions import RoostError
from roost.http.forms import apply_error
from roost.publishing.models import Campaign
from roost.workspaces.decorators import workspace_view
from roost.workspaces.roles import Perm

STATUS_LABELS = {
    forecast.ON_TRACK: _("On track"),
    forecast.AT_RISK: _("At risk"),
    forecast.OFF_TRACK: _("Off track"),
    forecast.MET: _("Met"),
    forecast.MISSED: _("Missed"),
    forecast.NO_DATA: _("No data yet"),
    forecast.NOT_STARTED: _("Not started"),
}


def _today(request: HttpRequest) -> Any:
    return clock.now().astimezone(request.workspace.tzinfo).date()  # type: ignore[attr-defined]


def _channels(workspace: Any) -> list[Channel]:
    return list(Channel.objects.filter(workspace=workspace).order_by("name", "pk"))


@workspace_view(Perm.VIEW_ANALYTICS)
@require_safe
def goals(request: HttpRequest) -> HttpResponse:
    """Every goal with its forecast, status and the recommendations behind it."""
    workspace: Any = request.workspace  # type: ignore[attr-defined]
    today, now = _today(request), clock.now()
    rows = []
    for goal in goal_reads.goals_for(workspace):
        p = goal_reads.progress(goal, today=today)
        rows.append(
            {
                "goal": goal,
                "p": p,
                "status_label": STATUS_LABELS[p.status],
                "recommendations": goal_reads.recommendations(p, now=now),
            }
        )
    context = {
        "area": "analytics",
        "rows": rows,
        "may_manage": request.membership.has_perm(Perm.MANAGE_ANALYTICS),  # type: ignore[attr-defined]
        "margin": int(forecast.AT_RISK_MARGIN * 100),
    }
    return render(request, "analytics/goals.html", context)


def _goal_form(request: HttpRequest, goal: Goal | None) -> HttpResponse:
    actor: Any = request.membership  # type: ignore[attr-defined]
    workspace = actor.workspace
    initial = {}
    if goal is not None:
        initial = {
            "kpi": goal.kpi_key,
            "target": f"{goal.target:g}",
            "start": goal.start,
            "end": goal.end,
            "channel": goal.channel_id or "",
            "campaign": goal.campaign_id or "",
        }
    form = GoalForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        channels=_channels(workspace),
        campaigns=list(Campaign.objects.filter(workspace=workspace)),
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                goal_services.goal_save(
                    actor=actor,
                    goal=goal,
                    kpi_key=data["kpi"],
                    target=data["target"],
                    start=data["start"],
                    end=data["end"],
                    channel_id=data["channel"],
                    campaign_id=data["campaign"],
                )
            except RoostError as exc:
                apply_error(form, exc)
            else:
                messages.success(request, _("Goal saved."))
                return redirect("analytics:goals", slug=workspace.slug)
        status = 422
    newer = goal_reads.newer_kpi(goal) if goal is not None else None
    context = {"area": "analytics", "form": form, "goal": goal, "newer": newer}
    return render(request, "analytics/goal_form.html", context, status=status)


@workspace_view(Perm.MANAGE_ANALYTICS)
def goal_new(request: HttpRequest) -> HttpResponse:
    return _goal_form(request, None)


@workspace_view(Perm.MANAGE_ANALYTICS)
def goal_edit(request: HttpRequest, goal_id: int) -> HttpResponse:
    goal = goal_reads.access_goal(request.workspace, goal_id)  # type: ignore[attr-defined]
    return _goal_form(request, goal)


@workspace_view(Perm.MANAGE_ANALYTICS)
@require_POST
def goal_delete(request: HttpRequest, goal_id: int) -> HttpResponse:
    actor: Any = request.membership  # type: ignore[attr-defined]
    goal = goal_reads.access_goal(actor.workspace, goal_id)
    goal_services.goal_delete(actor=actor, goal=goal)
    messages.success(request, _("Goal removed."))
    return redirect("analytics:goals", slug=actor.workspace.slug)


HEAT_LEVELS = 5


def _heat(bucket: besttime.Bucket, model: besttime.BestTimes) -> int:
    """0 (no posts) or 1..HEAT_LEVELS by the estimate's lift over the channel's mean."""
    if not bucket.posts or not bucket.lift:
        return 0
    steps = (0.8, 0.95, 1.05, 1.25)  # below 0.8×, …, above 1.25× the mean
    return 1 + sum(1 for s in steps if bucket.lift >= s)


@workspace_view(Perm.VIEW_ANALYTICS)
@require_safe
def best_times(request: HttpRequest) -> HttpResponse:
    """One channel's hour-of-week heat map, its best hours and how sure Roost is."""
    workspace: Any = request.workspace  # type: ignore[attr-defined]
    channels = _channels(workspace)
    chosen = next((c for c in channels if str(c.pk) == request.GET.get("channel")), None)
    if chosen is None and channels:
        chosen = channels[0]
    model = rows = None
    if chosen is not None:
        model = besttime.channel_best_times(chosen, now=clock.now())
        rows = (
            [
                {
                    "day": goal_reads.weekday_name(day),
                    "cells": [
                        {"b": b, "heat": _heat(b, model)}
                        for b in model.buckets[day * 24 : day * 24 + 24]
                    ],
                }
                for day in range(7)
            ]
            if model.buckets
            else []
        )
    context = {
        "area": "analytics",
        "channels": channels,
        "chosen": chosen,
        "model": model,
        "rows": rows,
        "hours": range(24),
        "top": [
            {"b": b, "day": goal_reads.weekday_name(b.weekday)}
            for b in (model.top(5) if model else [])
        ],
        "min_posts": besttime.MIN_POSTS,
        "min_bucket_posts": besttime.MIN_BUCKET_POSTS,
        "prior_posts": int(besttime.PRIOR_POSTS),
    }
    return render(request, "analytics/best_times.html", context)
