"""The analyst's desk: the overview (workspace dashboard)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from roost.analytics import kpis, selectors
from roost.analytics.forms import PeriodForm
from roost.core import clock
from roost.workspaces.decorators import workspace_view
from roost.workspaces.roles import Perm


def _today(request: HttpRequest) -> Any:
    return clock.now().astimezone(request.workspace.tzinfo).date()  # type: ignore[attr-defined]


@workspace_view(Perm.VIEW_ANALYTICS)
def overview(request: HttpRequest) -> HttpResponse:
    """The workspace's figures for a period against the period before, day by day."""
    workspace: Any = request.workspace  # type: ignore[attr-defined]
    form = PeriodForm(request.GET or None, today=_today(request))
    period = form.period()
    now, before = (
        selectors.totals(workspace, period),
        selectors.totals(workspace, period.previous()),
    )
    cards = [
        {"kpi": kpi, "value": kpi.compute(now), "previous": kpi.compute(before)}
        for kpi in kpis.all_current()
    ]
    context = {
        "area": "analytics",
        "form": form,
        "period": period,
        "cards": cards,
        "daily": selectors.daily(workspace, period),
        "has_data": selectors.has_data(workspace),
    }
    return render(request, "analytics/overview.html", context)
