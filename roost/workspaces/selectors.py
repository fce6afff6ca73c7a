"""Reads for workspaces and teams, always scoped to one workspace."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, QuerySet

from roost.workspaces.models import (
    ApiToken,
    AuditEntry,
    Group,
    Invite,
    Membership,
    MembershipRole,
    Workspace,
)
from roost.workspaces.roles import Perm


def workspaces_for_user(user: Any) -> QuerySet[Workspace]:
    if not user.is_authenticated:
        return Workspace.objects.none()
    return Workspace.objects.filter(memberships__user=user).order_by("name")


def members_list(workspace: Workspace) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(workspace=workspace)
        .select_related("user")
        .prefetch_related(
            Prefetch("roles", queryset=MembershipRole.objects.order_by("role")),
            Prefetch("groups", queryset=Group.objects.order_by("name")),
        )
        .order_by("user__name", "user__email")
    )


def groups_list(workspace: Workspace) -> QuerySet[Group]:
    return (
        Group.objects.filter(workspace=workspace)
        .annotate(member_count=Count("members"))
        .prefetch_related(Prefetch("members", queryset=Membership.objects.select_related("user")))
        .order_by("name")
    )


def invites_open(workspace: Workspace) -> QuerySet[Invite]:
    return (
        Invite.objects.filter(workspace=workspace, accepted_at=None, revoked_at=None)
        .select_related("invited_by")
        .prefetch_related("groups")
        .order_by("-created_at")
    )


def audit_list(workspace: Workspace, limit: int = 200) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(workspace=workspace).select_related("actor")[:limit]


def tokens_for(membership: Membership) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(membership=membership).order_by("-created_at")


def users_with_perm(workspace_id: int, perm: Perm) -> list[Any]:
    """The active users of a workspace whose roles grant `perm` (who to tell about it)."""
    members = (
        Membership.objects.filter(workspace_id=workspace_id, user__is_active=True)
        .select_related("user")
        .prefetch_related("roles")
    )
    return [m.user for m in members if m.has_perm(perm)]
