"""Bearer-token auth, and the per-route access check (workspace, role, token scope).

The check runs as the operation's `auth`, so it happens before the body is parsed: a
member without the permission gets 403 whatever they send.
"""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from roost.core.exceptions import NotFound, PermissionDenied
from roost.workspaces.access import require
from roost.workspaces.models import ApiScope, Membership
from roost.workspaces.roles import Perm
from roost.workspaces.services import token_authenticate


class TokenAuth(HttpBearer):
    """`Authorization: Bearer roost_…`: a personal token from the API tokens page."""

    def authenticate(self, request: HttpRequest, token: str) -> Membership | None:
        found = token_authenticate(token)
        if found is None:
            return None
        api_token, membership = found
        request.api_token = api_token  # type: ignore[attr-defined]
        request.membership = membership  # type: ignore[attr-defined]
        return membership


class WorkspaceAccess(TokenAuth):
    """A valid token whose member belongs to the URL's workspace, holds `perm`, and whose
    token carries `scope`."""

    def __init__(self, perm: Perm, scope: ApiScope) -> None:
        super().__init__()
        self.perm = perm
        self.scope = scope

    def authenticate(self, request: HttpRequest, token: str) -> Membership | None:
        membership = super().authenticate(request, token)
        if membership is None:
            return None
        match = request.resolver_match
        slug = match.kwargs.get("slug") if match else None
        if membership.workspace.slug != slug:
            raise NotFound()
        if self.scope.value not in request.api_token.scopes:  # type: ignore[attr-defined]
            raise PermissionDenied(
                _("This token lacks the “%(scope)s” scope.") % {"scope": self.scope.value}
            )
        require(membership, self.perm)
        return membership


def access(perm: Perm, scope: ApiScope) -> Any:
    return WorkspaceAccess(perm, scope)
