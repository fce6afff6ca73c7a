"""The one door into a workspace page: login, membership, permission, then the view.

`workspace_view(perm)` records the permission on the view (`view.roost_perm`); the
isolation test reads it to know who must get in and who must not.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.db import DataError, IntegrityError
from django.http import HttpRequest, HttpResponseBase
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from roost.core.exceptions import NotFound, PermissionDenied
from roost.http.decorators import View, error_response
from roost.workspaces.access import access_workspace
from roost.workspaces.roles import Perm

logger = logging.getLogger(__name__)


def workspace_view(perm: Perm) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            try:
                membership = access_workspace(request.user, slug)
            except NotFound as exc:
                return error_response(request, 404, exc.message)
            workspace = membership.workspace
            request.membership = membership  # type: ignore[attr-defined]
            request.workspace = workspace  # type: ignore[attr-defined]
            if not request.user.language:
                translation.activate(workspace.language)
                request.LANGUAGE_CODE = workspace.language
            timezone.activate(workspace.tzinfo)
            if request.user.last_workspace_id != workspace.pk:
                request.user.last_workspace = workspace
                request.user.save(update_fields=["last_workspace"])
            if not membership.has_perm(perm):
                return error_response(request, 403, PermissionDenied().message)
            try:
                return view(request, *args, **kwargs)
            except NotFound as exc:
                return error_response(request, 404, exc.message)
            except PermissionDenied as exc:
                return error_response(request, 403, exc.message)
            except (DataError, OverflowError) as exc:
                # The safety net: input the database refused (the causes are validated
                # first, see roost.core.validation). Logged, so a gap gets fixed.
                logger.warning("Input refused by the database: %s", request.path, exc_info=exc)
                return error_response(
                    request, 400, _("A value is out of the range Roost can store.")
                )
            except IntegrityError as exc:
                # Two requests saved the same thing at the same moment (a double click).
                logger.warning("Write clashed: %s", request.path, exc_info=exc)
                return error_response(
                    request,
                    409,
                    _("Someone saved the same thing at the same moment. Please try again."),
                )

        wrapper.roost_perm = perm  # type: ignore[attr-defined]
        return wrapper

    return decorator
