"""The team's workload pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from roost.workspaces.decorators import workspace_view
from roost.workspaces.roles import Perm


@workspace_view(Perm.VIEW_TEAM)
@require_safe
def workload(request: HttpRequest) -> HttpResponse:
    """Placeholder until the workload part lands."""
    return render(request, "team/placeholder.html", {"area": "team", "here": "workload"})
