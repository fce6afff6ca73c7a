"""Home, the areas that later issues fill in, the health page and error pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.translation import gettext_lazy as _

from roost.core import clock, readiness
from roost.core import health as health_check
from roost.http.decorators import error_response, login_view, public_view
from roost.web.nav import may_open
from roost.web.today import today_for
from roost.workspaces.access import may_create_workspace
from roost.workspaces.decorators import workspace_view
from roost.workspaces.roles import Perm
from roost.workspaces.selectors import workspace_to_open


@login_view
def home(request: HttpRequest) -> HttpResponse:
    """Go to the home page of the workspace to open (see workspace_to_open), else offer
    to create one."""
    user: Any = request.user
    workspace = workspace_to_open(user)
    if workspace is None:
        if may_create_workspace(user):
            return redirect("workspaces:create")
        return render(request, "web/no_workspace.html")
    return redirect("web:workspace_home", slug=workspace.slug)


@workspace_view(Perm.VIEW_TEAM)
def workspace_home(request: HttpRequest) -> HttpResponse:
    """Today: what waits for me, what goes out today, what failed, what the team did."""
    membership: Any = request.membership  # type: ignore[attr-defined]
    context = {
        "area": "home",
        "today": today_for(membership, clock.now()),
        "can": {
            name.replace(":", "_"): may_open(membership, name)
            for name in ("approvals:queue", "calendar:month", "publishing:compose", "channels:list")
        },
    }
    return render(request, "web/home.html", context)


@public_view
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page links: send them to the icon."""
    return HttpResponsePermanentRedirect(static("web/favicon.svg"))


@public_view
def health(request: HttpRequest) -> HttpResponse:
    """Database and worker status; JSON for monitors, a page for people."""
    state = health_check.check()
    # Readiness details: how many channels, inbox rules and webhook endpoints are failing
    # (counts only: this page is public). They do not make the service unhealthy.
    failing = readiness.failing() if state.database_ok else {}
    data = {
        "ok": state.ok,
        "database": "ok" if state.database_ok else "down",
        "workers_alive": state.workers_alive,
        "last_heartbeat": state.last_heartbeat.isoformat() if state.last_heartbeat else None,
        "tasks_waiting": state.tasks_waiting,
        "failing": failing,
    }
    status = 200 if state.ok else 503
    if (
        "application/json" in request.headers.get("Accept", "")
        or request.GET.get("format") == "json"
    ):
        return JsonResponse(data, status=status)
    return render(request, "web/health.html", {"health": state, "failing": failing}, status=status)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, 404, str(_("There is nothing at this address.")))


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "web/500.html", status=500)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, 403, str(_("You may not do that.")))
