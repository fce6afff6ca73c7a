"""Helpers shared by the inbox pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from roost.workspaces.models import Group, Membership

CHANGED = "inbox-changed"  # htmx event: the list reloads itself


def member_of(request: HttpRequest) -> Any:
    return request.membership  # type: ignore[attr-defined]


def is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def members_of(actor: Membership) -> list[Membership]:
    return list(
        Membership.objects.filter(workspace_id=actor.workspace_id)
        .select_related("user")
        .order_by("user__name", "pk")
    )


def groups_of(actor: Membership) -> list[Group]:
    return list(Group.objects.filter(workspace_id=actor.workspace_id).order_by("name"))


def sla_label(state: str) -> str:
    return {
        "ok": _("On time"),
        "at_risk": _("At risk"),
        "breached": _("Breached"),
        "met": _("Met"),
    }.get(state, state)
