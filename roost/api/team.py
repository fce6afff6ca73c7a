"""Workspace, members, roles, groups, invites and audit — the same services as the UI."""

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from roost.api.auth import access
from roost.api.idempotency import idempotent
from roost.api.schemas import (
    AuditOut,
    GroupIn,
    GroupOut,
    Id,
    InviteIn,
    InviteOut,
    MemberOut,
    RoleOut,
    RolesIn,
    WorkspaceIn,
    WorkspaceOut,
    responses,
)
from roost.workspaces import selectors, services
from roost.workspaces.access import access_group, access_invite, access_member
from roost.workspaces.models import ApiScope, AuditEntry, Group, Invite, Membership
from roost.workspaces.roles import MATRIX, Perm, Role

router = Router(tags=["team"])
READ, TEAM_WRITE = ApiScope.READ, ApiScope.TEAM_WRITE


def _actor(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined]


def _member_out(m: Membership) -> dict[str, Any]:
    return {
        "id": m.pk,
        "email": m.user.email,
        "name": m.user.name,
        "roles": m.role_codes,
        "groups": sorted(g.pk for g in m.groups.all()),
        "joined_at": m.created_at,
    }


def _group_out(g: Group) -> dict[str, Any]:
    return {
        "id": g.pk,
        "name": g.name,
        "description": g.description,
        "members": sorted(m.pk for m in g.members.all()),
    }


def _invite_out(i: Invite) -> dict[str, Any]:
    return {
        "id": i.pk,
        "email": i.email,
        "roles": i.roles,
        "groups": sorted(g.pk for g in i.groups.all()),
        "status": i.status,
        "created_at": i.created_at,
        "expires_at": i.expires_at,
    }


@router.get(
    "/{slug}",
    response=responses({200: WorkspaceOut}),
    summary="Get the workspace",
    auth=access(Perm.VIEW_TEAM, READ),
)
def workspace_get(request: HttpRequest, slug: str) -> Any:
    return _actor(request).workspace


@router.put(
    "/{slug}",
    response=responses({200: WorkspaceOut}, write=True),
    summary="Update settings",
    auth=access(Perm.MANAGE_SETTINGS, ApiScope.SETTINGS_WRITE),
)
def workspace_update(request: HttpRequest, slug: str, payload: WorkspaceIn) -> Any:
    return services.workspace_update(actor=_actor(request), **payload.model_dump())


@router.get(
    "/{slug}/roles",
    response=responses({200: list[RoleOut]}),
    summary="Roles and their permissions",
    auth=access(Perm.VIEW_TEAM, READ),
)
def roles_list(request: HttpRequest, slug: str) -> Any:
    return [
        {"code": r.value, "label": str(r.label), "permissions": sorted(p.value for p in MATRIX[r])}
        for r in Role
    ]


@router.get(
    "/{slug}/members",
    response=responses({200: list[MemberOut]}),
    summary="List members",
    auth=access(Perm.VIEW_TEAM, READ),
)
def members_list(request: HttpRequest, slug: str) -> Any:
    return [_member_out(m) for m in selectors.members_list(_actor(request).workspace)]


@router.get(
    "/{slug}/members/{member_id}",
    response=responses({200: MemberOut}),
    auth=access(Perm.VIEW_TEAM, READ),
)
def member_get(request: HttpRequest, slug: str, member_id: Id) -> Any:
    return _member_out(access_member(_actor(request), member_id))


@router.put(
    "/{slug}/members/{member_id}/roles",
    response=responses({200: MemberOut}, write=True),
    summary="Replace a member's roles",
    auth=access(Perm.MANAGE_MEMBERS, TEAM_WRITE),
)
def member_set_roles(request: HttpRequest, slug: str, member_id: Id, payload: RolesIn) -> Any:
    actor = _actor(request)
    member = access_member(actor, member_id, Perm.MANAGE_MEMBERS)
    services.member_set_roles(actor=actor, member=member, roles=payload.roles)
    return _member_out(access_member(actor, member_id))


@router.delete(
    "/{slug}/members/{member_id}",
    response=responses({204: None}, write=True),
    auth=access(Perm.MANAGE_MEMBERS, TEAM_WRITE),
)
def member_remove(request: HttpRequest, slug: str, member_id: Id) -> Any:
    actor = _actor(request)
    services.member_remove(actor=actor, member=access_member(actor, member_id))
    return Status(204, None)


@router.get(
    "/{slug}/groups", response=responses({200: list[GroupOut]}), auth=access(Perm.VIEW_TEAM, READ)
)
def groups_list(request: HttpRequest, slug: str) -> Any:
    return [_group_out(g) for g in selectors.groups_list(_actor(request).workspace)]


@router.post(
    "/{slug}/groups",
    response=responses({201: GroupOut}, write=True),
    auth=access(Perm.MANAGE_MEMBERS, TEAM_WRITE),
)
@idempotent
def group_create(request: HttpRequest, slug: str, payload: GroupIn) -> Any:
    group = services.group_create(
        actor=_actor(request),
        name=payload.name,
        description=payload.description,
        member_ids=payload.members,
    )
    return Status(201, _group_out(group))


@router.get(
    "/{slug}/groups/{group_id}",
    response=responses({200: GroupOut}),
    auth=access(Perm.VIEW_TEAM, READ),
)
def group_get(request: HttpRequest, slug: str, group_id: Id) -> Any:
    return _group_out(access_group(_actor(request), group_id))


@router.put(
    "/{slug}/groups/{group_id}",
    response=responses({200: GroupOut}, write=True),
    auth=access(Perm.MANAGE_MEMBERS, TEAM_WRITE),
)
def group_update(request: HttpRequest, slug: str, group_id: Id, payload: GroupIn) -> Any:
    actor = _actor(request)
    group = services.group_update(
        actor=actor,
        group=access_group(actor, group_id),
        name=payload.name,
        description=payload.description,
        member_ids=payload.members,
    )
    return _group_out(group)


@router.delete(
    "/{slug}/groups/{group_id}",
    response=responses({204: None}, write=True),
    auth=access(Perm.MANAGE_MEMBERS, TEAM_WRITE),
)
def group_delete(request: HttpRequest, slug: str, group_id: Id) -> Any:
    actor = _actor(request)
    services.group_delete(actor=actor, group=access_group(actor, group_id))
    return Status(204, None)


@router.get(
    "/{slug}/invites",
    response=responses({200: list[InviteOut]}),
    auth=access(Perm.MANAGE_MEMBERS, READ),
)
def invites_list(request: HttpRequest, slug: str) -> Any:
    return [_invite_out(i) for i in selectors.invites_open(_actor(request).workspace)]


@router.post(
    "/{slug}/invites",
    response=responses({201: InviteOut}, write=True),
    summary="Invite by e-mail",
    auth=access(Perm.MANAGE_MEMBERS, TEAM_WRITE),
)
@idempotent
def invite_create(request: HttpRequest, slug: str, payload: InviteIn) -> Any:
    invite, _token = services.invite_create(
        actor=_actor(request), email=payload.email, roles=payload.roles, group_ids=payload.groups
    )
    return Status(201, _invite_out(invite))


@router.delete(
    "/{slug}/invites/{invite_id}",
    response=responses({204: None}, write=True),
    auth=access(Perm.MANAGE_MEMBERS, TEAM_WRITE),
)
def invite_revoke(request: HttpRequest, slug: str, invite_id: Id) -> Any:
    actor = _actor(request)
    services.invite_revoke(actor=actor, invite=access_invite(actor, invite_id))
    return Status(204, None)


@router.get(
    "/{slug}/audit",
    response=responses({200: list[AuditOut]}),
    auth=access(Perm.MANAGE_MEMBERS, READ),
)
def audit_list(request: HttpRequest, slug: str) -> Any:
    entries: list[AuditEntry] = list(selectors.audit_list(_actor(request).workspace))
    return [
        {
            "id": e.pk,
            "action": e.action,
            "actor": e.actor.email if e.actor else None,
            "target_type": e.target_type,
            "target_id": e.target_id,
            "data": e.data,
            "created_at": e.created_at,
        }
        for e in entries
    ]
