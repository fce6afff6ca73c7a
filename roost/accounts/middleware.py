"""Speak the user's language, else the workspace's, else the browser's."""

from collections.abc import Callable
from datetime import datetime

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from roost.core import clock


class UserLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            language = user.language
            if not language and user.last_workspace_id:
                language = user.last_workspace.language
            if language:
                translation.activate(language)
                request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


class ExpiringLoginMiddleware:
    """End a temporary login (`User.access_expires_at`, a candidate's assessment login) the
    moment it expires: the session is logged out and the request refused, with the time it
    ended — HTML for pages, a 401 JSON answer under /api/."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        expires = getattr(user, "access_expires_at", None) if user is not None else None
        if expires is not None and user is not None and user.is_authenticated:  # noqa: SIM102
            # Only temporary logins pay for the clock read.
            if expires <= clock.now():
                logout(request)
                return expired_response(request, expires)
        return self.get_response(request)


def expired_response(request: HttpRequest, at: datetime) -> HttpResponse:
    """The answer to a temporary login used after `at`."""
    when = date_format(timezone.localtime(at), "DATETIME_FORMAT")
    message = _("This assessment login expired at %(at)s.") % {"at": when}
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=401)
    return render(request, "web/error.html", {"status": 401, "message": message}, status=401)
