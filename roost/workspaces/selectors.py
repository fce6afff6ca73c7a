"""Reads for workspaces and teams, always scoped to one workspace."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, F, Max, Prefetch, Q, QuerySet

from roost.core import clock
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


def workspace_to_open(user: Any, now: datetime | None = None) -> Workspace | None:
    """Where `user` lands: the workspace they opened last; else (a first login, or that
    one is gone) the busiest of theirs, by what the team did there in the last 30 days
    (its audit log), so nobody lands in an empty workspace while a busy one waits; then
    by name."""
    mine = workspaces_for_user(user)
    if user.last_workspace_id is not None:
        last = mine.filter(pk=user.last_workspace_id).first()
        if last is not None:
            return last
    recent = (now or clock.now()) - timedelta(days=30)
    return (
        mine.annotate(
            activity=Count("audit", filter=Q(audit__created_at__gte=recent)),
            latest=Max("audit__created_at"),
        )
        .order_by("-activity", F("latest").desc(nulls_last=True), "name", "pk")
        .first()
    )


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
