"""The doors into a page that belongs to no workspace: public pages, pages for any
logged-in person, and the error page every door shows. The door into a workspace page,
`workspace_view`, is in roost/workspaces/decorators.py (it needs memberships).

Each door marks the view (`roost_public`, `roost_login_only`); the isolation test reads
the marks to know who must get in and who must not.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render

View = Callable[..., HttpResponseBase]


def error_response(request: HttpRequest, status: int, message: str) -> HttpResponse:
    return render(request, "web/error.html", {"status": status, "message": message}, status=status)


def public_view(view: View) -> View:
    """Mark a view as reachable without a workspace (login, invite links, health…)."""
    view.roost_public = True  # type: ignore[attr-defined]
    return view


def login_view(view: View) -> View:
    """A page for any logged-in person, outside any one workspace."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    wrapper.roost_login_only = True  # type: ignore[attr-defined]
    return wrapper
