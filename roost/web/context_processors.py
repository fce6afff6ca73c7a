"""What the layout needs on every page: the current workspace, the switcher, the menu."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from roost.workspaces.access import may_create_workspace
from roost.workspaces.roles import Perm
from roost.workspaces.selectors import workspaces_for_user


def navigation(request: HttpRequest) -> dict[str, Any]:
    membership = getattr(request, "membership", None)
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    perms = {p.value for p in membership.permissions} if membership else set()
    from roost.notifications.models import Notification

    return {
        "unread_count": Notification.objects.filter(recipient=user, read_at__isnull=True).count(),
        "current_workspace": getattr(request, "workspace", None),
        "current_membership": membership,
        "my_workspaces": workspaces_for_user(user),
        # Asked only when the menu shows the link (a callable: templates call it lazily).
        "can_create_workspace": lambda: may_create_workspace(user),
        "perms": perms,
        "Perm": Perm,
    }
