"""The paid-media pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from roost.workspaces.decorators import workspace_view
from roost.workspaces.roles import Perm


@workspace_view(Perm.VIEW_PAID)
@require_safe
def overview(request: HttpRequest) -> HttpResponse:
    return render(request, "paid/overview.html", {"area": "paid"})
