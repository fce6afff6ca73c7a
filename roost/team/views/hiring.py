"""The team's hiring pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from roost.workspaces.decorators import workspace_view
from roost.workspaces.roles import Perm


@workspace_view(Perm.HIRE)
@require_safe
def hiring(request: HttpRequest) -> HttpResponse:
    """Placeholder until the hiring part lands."""
    return render(request, "team/placeholder.html", {"area": "team", "here": "hiring"})
