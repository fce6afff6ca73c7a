"""Fetch-and-authorize in one place. Every view and API route goes through here."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet

from roost.core.exceptions import NotFound, PermissionDenied
from roost.workspaces.models import (
    ApiToken,
    Group,
    Invite,
    Membership,
    MembershipRole,
    Workspace,
)
from roost.workspaces.roles import Perm, Role


def _memberships() -> QuerySet[Membership]:
    return Membership.objects.select_related("workspace", "user").prefetch_related(
        Prefetch("roles", queryset=MembershipRole.objects.order_by("role"))
    )


def access_workspace(user: Any, slug: str, perm: Perm | None = None) -> Membership:
    """The user's membership in workspace `slug`, checked for `perm`.

    A workspace the user does not belong to is reported as not found, so its existence
    does not leak.
    """
    if user is None or not user.is_authenticated:
        raise NotFound()
    membership = _memberships().filter(workspace__slug=slug, user=user).first()
    if membership is None:
        raise NotFound()
    if perm is not None:
        require(membership, perm)
    return membership


def require(membership: Membership, perm: Perm) -> None:
    if not membership.has_perm(perm):
        raise PermissionDenied()


def access_member(actor: Membership, member_id: int, perm: Perm = Perm.VIEW_TEAM) -> Membership:
    require(actor, perm)
    member = _memberships().filter(workspace_id=actor.workspace_id, pk=member_id).first()
    if member is None:
        raise NotFound()
    return member


def access_group(actor: Membership, group_id: int, perm: Perm = Perm.VIEW_TEAM) -> Group:
    require(actor, perm)
    group = Group.objects.filter(workspace_id=actor.workspace_id, pk=group_id).first()
    if group is None:
        raise NotFound()
    return group


def access_invite(actor: Membership, invite_id: int, perm: Perm = Perm.MANAGE_MEMBERS) -> Invite:
    require(actor, perm)
    invite = Invite.objects.filter(workspace_id=actor.workspace_id, pk=invite_id).first()
    if invite is None:
        raise NotFound()
    return invite


def access_token(actor: Membership, token_id: int) -> ApiToken:
    """One of the actor's own API tokens; nobody else's is visible."""
    token = ApiToken.objects.filter(pk=token_id, membership=actor).first()
    if token is None:
        raise NotFound()
    return token


def may_create_workspace(user: Any) -> bool:
    """May this account create a workspace (and become its Owner)? The operator decides
    with ROOST_WORKSPACE_CREATION: `owners` (people who own a workspace already), `staff`,
    or `anyone`. Staff always may, and so may anyone on a fresh install with no workspace
    yet (its first user sets it up)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if getattr(user, "access_expires_at", None) is not None:
        return False  # a temporary login (an assessment candidate) creates nothing
    policy = settings.ROOST_WORKSPACE_CREATION
    if policy == "anyone" or user.is_staff or user.is_superuser:
        return True
    if not Workspace.objects.exists():
        return True
    if policy == "owners":
        # Owning a candidate's assessment workspace (roost.team's hiring kit makes the
        # hiring manager its Owner) is not owning a workspace: it grants no creation.
        return MembershipRole.objects.filter(
            membership__user=user, role=Role.OWNER, membership__workspace__assessment=None
        ).exists()
    return False
