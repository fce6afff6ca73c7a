"""The analyst's desk: the overview (workspace dashboard)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from roost.analytics import dashboard_views
from roost.workspaces.decorators import workspace_view
from roost.workspaces.roles import Perm


@workspace_view(Perm.VIEW_ANALYTICS)
@require_safe
def overview(request: HttpRequest) -> HttpResponse:
    """The workspace's figures for a period against the period before, day by day, with
    the best and weakest posts and the audience (see dashboard_views)."""
    return dashboard_views.overview(request)
