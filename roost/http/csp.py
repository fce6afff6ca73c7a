"""Per-view changes to the Content-Security-Policy set in roost/settings/security.py."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils.csp import CSP

View = Callable[..., HttpResponseBase]


def csp_form_may_leave(view: View) -> View:
    """The page's form may end up on another site: the connect form's answer redirects to
    the person's own server (Mastodon OAuth), and browsers hold that redirect to
    `form-action`. Only `form-action` changes; scripts stay as strict as everywhere."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        # http: too, for a server on the operator's allow-list of private hosts.
        policy = {**settings.SECURE_CSP, "form-action": [CSP.SELF, "https:", "http:"]}
        response._csp_config = policy  # type: ignore[attr-defined]  # read by django's CSP middleware
        return response

    return wrapper
