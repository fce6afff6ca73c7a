"""Reads for the brief, scoped to a workspace."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet

from roost.briefing.models import ActionItem, Brief
from roost.workspaces.models import Workspace

OPEN_SHOWN = 50


def brief_of(workspace: Workspace, day: date) -> Brief | None:
    return Brief.objects.filter(workspace=workspace, date=day).first()


def items_of(brief: Brief) -> list[ActionItem]:
    if brief.pk is None:
        return []
    return list(brief.items.select_related("assignee__user").order_by("done", "created_at", "pk"))


def open_earlier(workspace: Workspace, day: date) -> QuerySet[ActionItem]:
    """Action items of earlier briefs that are not done yet (carried over)."""
    return (
        ActionItem.objects.filter(brief__workspace=workspace, brief__date__lt=day, done=False)
        .select_related("assignee__user", "brief")
        .order_by("brief__date", "pk")[:OPEN_SHOWN]
    )


def recent_days(workspace: Workspace, limit: int = 14) -> list[date]:
    return list(
        Brief.objects.filter(workspace=workspace)
        .order_by("-date")
        .values_list("date", flat=True)[:limit]
    )
