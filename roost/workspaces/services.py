"""Writes for workspaces and teams: each checks permission, changes state and audits."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from roost.core import clock, references
from roost.core.bookkeeping import best_effort
from roost.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from roost.core.mail import send_email_on_commit
from roost.core.tokens import hash_secret, new_secret
from roost.workspaces import hooks
from roost.workspaces.access import may_create_workspace, require
from roost.workspaces.models import (
    ApiScope,
    ApiToken,
    AuditEntry,
    Group,
    Invite,
    Membership,
    MembershipRole,
    Workspace,
)
from roost.workspaces.roles import Perm, Role, roles_grantable_with

LANGUAGE_CODES = {code for code, _label in settings.LANGUAGES}


def audit_record(
    *,
    workspace: Workspace,
    actor: Any,
    action: str,
    target: Any = None,
    **data: Any,
) -> AuditEntry:
    return AuditEntry.objects.create(
        workspace=workspace,
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        target_type=target._meta.model_name if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        data=data,
    )


# --- workspaces -----------------------------------------------------------------------


def _clean_workspace_fields(name: str, timezone: str, language: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [_("Give the workspace a name.")]
    elif len(name) > 100:
        errors["name"] = [_("A workspace name has at most 100 characters.")]
    if timezone not in zoneinfo.available_timezones():
        errors["timezone"] = [
            _("“%(tz)s” is not a time zone; use a name such as Europe/Warsaw.") % {"tz": timezone}
        ]
    if language not in LANGUAGE_CODES:
        errors["language"] = [
            _("Roost speaks %(codes)s; “%(lang)s” is not one of them.")
            % {"codes": ", ".join(sorted(LANGUAGE_CODES)), "lang": language}
        ]
    return errors


def workspace_creation_refusal() -> str:
    """Why this account may not create a workspace, in words."""
    if settings.ROOST_WORKSPACE_CREATION == "staff":
        return _("On this Roost, only its administrators create workspaces. Ask one of them.")
    return _(
        "On this Roost, new workspaces are created by the Owners of existing ones. Ask an "
        "Owner to create it, or to invite you."
    )


def _unique_slug(name: str) -> str:
    base = slugify(name)[:50] or "workspace"
    slug, n = base, 2
    while Workspace.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def workspace_create(
    *,
    actor: Any,
    name: str,
    timezone: str = "UTC",
    language: str = "en",
    authorized: bool = False,
) -> Workspace:
    """Create a workspace; its creator becomes its first Owner. Who may is the operator's
    setting (ROOST_WORKSPACE_CREATION, see may_create_workspace); `authorized`: the caller
    has checked a permission of its own that allows this one (a hiring manager's assessment
    workspace, roost/team/services/assessment.py)."""
    if not authorized and not may_create_workspace(actor):
        raise PermissionDenied(workspace_creation_refusal())
    if errors := _clean_workspace_fields(name, timezone, language):
        raise ValidationFailed(errors)
    workspace = Workspace.objects.create(
        name=name.strip(), slug=_unique_slug(name), timezone=timezone, language=language
    )
    membership = Membership.objects.create(workspace=workspace, user=actor)
    MembershipRole.objects.create(membership=membership, role=Role.OWNER)
    audit_record(workspace=workspace, actor=actor, action="workspace.created", target=workspace)
    return workspace


@transaction.atomic
def workspace_update(*, actor: Membership, name: str, timezone: str, language: str) -> Workspace:
    require(actor, Perm.MANAGE_SETTINGS)
    if errors := _clean_workspace_fields(name, timezone, language):
        raise ValidationFailed(errors)
    workspace = actor.workspace
    before = {
        "name": workspace.name,
        "timezone": workspace.timezone,
        "language": workspace.language,
    }
    workspace.name, workspace.timezone, workspace.language = name.strip(), timezone, language
    workspace.save(update_fields=["name", "timezone", "language"])
    after = {"name": workspace.name, "timezone": workspace.timezone, "language": workspace.language}
    changed = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    audit_record(
        workspace=workspace,
        actor=actor.user,
        action="workspace.updated",
        target=workspace,
        changed=changed,
    )
    return workspace


# --- members and roles ----------------------------------------------------------------


def _clean_roles(roles: Iterable[str], field: str = "roles") -> list[str]:
    codes = sorted(set(roles))
    unknown = [c for c in codes if c not in Role.values]
    if unknown:
        raise ValidationFailed(
            {field: [_("Unknown role: %(roles)s.") % {"roles": ", ".join(unknown)}]}
        )
    if not codes:
        raise ValidationFailed({field: [_("Choose at least one role.")]})
    return codes


def _owner_count(workspace: Workspace) -> int:
    return MembershipRole.objects.filter(membership__workspace=workspace, role=Role.OWNER).count()


def _lock_team(*memberships: Membership) -> None:
    """Serialise changes to a workspace's team, then re-read the roles of the people
    involved. The workspace row is locked (SELECT … FOR UPDATE on PostgreSQL; SQLite's
    write transaction already serialises), so the last-Owner count that follows cannot
    race: two Owners demoting or removing each other at once leave one Owner. Roles read
    before the lock may be stale (the other change just committed), hence the re-read."""
    workspace_ids = {m.workspace_id for m in memberships}
    list(Workspace.objects.select_for_update().filter(pk__in=workspace_ids).values_list("pk"))
    for m in memberships:
        _forget_roles(m)


def _forget_roles(member: Membership) -> None:
    if hasattr(member, "_prefetched_objects_cache"):
        member._prefetched_objects_cache.pop("roles", None)
    member.__dict__.pop("role_codes", None)
    member.__dict__.pop("permissions", None)


def _check_owner_change(actor: Membership, member: Membership, new_roles: list[str]) -> None:
    was_owner = member.is_owner
    will_be_owner = Role.OWNER.value in new_roles
    if was_owner == will_be_owner:
        return
    if not actor.has_perm(Perm.MANAGE_OWNERS):
        raise PermissionDenied(_("Only an Owner may grant or take away the Owner role."))
    if was_owner and _owner_count(member.workspace) <= 1:
        raise Conflict(_("This is the workspace's last Owner: make someone else Owner first."))


def _check_grantable(actor: Membership, codes: Iterable[str], verb: str) -> None:
    """Nobody hands out more than they hold: each role granted, taken away or removed must
    carry only permissions the actor has. (This is what keeps an Admin from making Owners,
    and a Social Media Manager from making Admins.)"""
    grantable = roles_grantable_with(actor.permissions)
    beyond = [str(Role(code).label) for code in codes if Role(code) not in grantable]
    if beyond:
        raise PermissionDenied(
            _("Your roles do not let you %(verb)s: %(roles)s.")
            % {"verb": verb, "roles": ", ".join(sorted(beyond))}
        )


def _holds_only_grantable(actor: Membership, member: Membership) -> bool:
    grantable = roles_grantable_with(actor.permissions)
    return all(Role(code) in grantable for code in member.role_codes if code in Role.values)


def _check_manageable(actor: Membership, member: Membership) -> None:
    """A member whose roles carry a permission the actor lacks is out of the actor's reach:
    the actor may not change their roles at all, nor remove them (a Social Media Manager
    cannot touch an Admin's or an Owner's role set, even to add a small role)."""
    require(actor, Perm.MANAGE_MEMBERS)
    if not _holds_only_grantable(actor, member):
        raise PermissionDenied(
            _("%(name)s holds a role you do not have, so you cannot change their roles.")
            % {"name": member.user.display_name}
        )


def member_manageable_by(actor: Membership, member: Membership) -> bool:
    """May `actor` change this member's roles or remove them? (For showing the buttons;
    the services enforce the same rule, see _check_manageable.)"""
    if not actor.has_perm(Perm.MANAGE_MEMBERS) or member.pk == actor.pk:
        return False
    return _holds_only_grantable(actor, member)


@transaction.atomic
def member_set_roles(*, actor: Membership, member: Membership, roles: Iterable[str]) -> Membership:
    """Replace a member's roles (one or more)."""
    require(actor, Perm.MANAGE_MEMBERS)
    codes = _clean_roles(roles)
    _lock_team(actor, member)
    before = member.role_codes
    _check_manageable(actor, member)  # on fresh roles: the actor's may just have changed
    _check_owner_change(actor, member, codes)
    _check_grantable(actor, set(codes) ^ set(before), _("grant or take away these roles"))
    MembershipRole.objects.filter(membership=member).exclude(role__in=codes).delete()
    for code in set(codes) - set(before):
        MembershipRole.objects.create(membership=member, role=code)
    _forget_roles(member)
    audit_record(
        workspace=member.workspace,
        actor=actor.user,
        action="member.roles_changed",
        target=member,
        email=member.user.email,
        before=before,
        after=codes,
    )
    return member


@transaction.atomic
def member_remove(*, actor: Membership, member: Membership) -> None:
    require(actor, Perm.MANAGE_MEMBERS)
    _lock_team(actor, member)
    if not Membership.objects.filter(pk=member.pk).exists():
        raise NotFound()  # removed a moment ago by someone else
    if member.is_owner:
        if not actor.has_perm(Perm.MANAGE_OWNERS):
            raise PermissionDenied(_("Only an Owner may remove an Owner."))
        if _owner_count(member.workspace) <= 1:
            raise Conflict(
                _(
                    "This is the workspace's last Owner and cannot be removed: make someone "
                    "else Owner first."
                )
            )
    _check_manageable(actor, member)
    _check_grantable(actor, member.role_codes, _("remove a member with these roles"))
    audit_record(
        workspace=member.workspace,
        actor=actor.user,
        action="member.removed",
        target=member,
        email=member.user.email,
        roles=member.role_codes,
    )
    # Inbox rules and approval steps that name this person are cleaned up or turned off.
    references.removed(
        kind="member",
        workspace_id=member.workspace_id,
        pk=member.pk,
        reason=_("%(who)s was removed from the workspace.") % {"who": member.user.display_name},
        actor=actor.user,
    )
    member.delete()


# --- groups ---------------------------------------------------------------------------


def _group_name_taken(workspace: Workspace, name: str, exclude_pk: int | None) -> bool:
    same = Group.objects.filter(workspace=workspace, name__iexact=name)
    if exclude_pk is not None:
        same = same.exclude(pk=exclude_pk)
    return same.exists()


def _clean_group(
    workspace: Workspace, name: str, member_ids: Iterable[int], exclude_pk: int | None = None
) -> tuple[str, list[Membership]]:
    errors: dict[str, list[str]] = {}
    name = name.strip()
    if not name:
        errors["name"] = [_("Give the group a name.")]
    elif len(name) > 80:
        errors["name"] = [_("A group name has at most 80 characters.")]
    elif _group_name_taken(workspace, name, exclude_pk):
        errors["name"] = [_("There is already a group called “%(name)s”.") % {"name": name}]
    ids = set(member_ids)
    members = list(Membership.objects.filter(workspace=workspace, pk__in=ids))
    if len(members) != len(ids):
        errors["members"] = [_("Some of the chosen people are not members of this workspace.")]
    if errors:
        raise ValidationFailed(errors)
    return name, members


@transaction.atomic
def group_create(
    *, actor: Membership, name: str, description: str = "", member_ids: Iterable[int] = ()
) -> Group:
    require(actor, Perm.MANAGE_MEMBERS)
    name, members = _clean_group(actor.workspace, name, member_ids)
    group = Group.objects.create(
        workspace=actor.workspace, name=name, description=description.strip()[:255]
    )
    group.members.set(members)
    audit_record(
        workspace=actor.workspace,
        actor=actor.user,
        action="group.created",
        target=group,
        name=name,
        members=sorted(m.pk for m in members),
    )
    return group


@transaction.atomic
def group_update(
    *,
    actor: Membership,
    group: Group,
    name: str,
    description: str = "",
    member_ids: Iterable[int] = (),
) -> Group:
    require(actor, Perm.MANAGE_MEMBERS)
    name, members = _clean_group(actor.workspace, name, member_ids, exclude_pk=group.pk)
    before = sorted(group.members.values_list("pk", flat=True))
    group.name, group.description = name, description.strip()[:255]
    group.save(update_fields=["name", "description"])
    group.members.set(members)
    audit_record(
        workspace=actor.workspace,
        actor=actor.user,
        action="group.updated",
        target=group,
        name=name,
        members_before=before,
        members=sorted(m.pk for m in members),
    )
    return group


@transaction.atomic
def group_delete(*, actor: Membership, group: Group) -> None:
    require(actor, Perm.MANAGE_MEMBERS)
    audit_record(
        workspace=actor.workspace,
        actor=actor.user,
        action="group.deleted",
        target=group,
        name=group.name,
    )
    # Inbox rules routing to it and approval steps it alone approves are turned off.
    references.removed(
        kind="group",
        workspace_id=group.workspace_id,
        pk=group.pk,
        reason=_("The group “%(group)s” was deleted.") % {"group": group.name},
        actor=actor.user,
    )
    group.delete()


# --- invites --------------------------------------------------------------------------


def invite_url(token: str) -> str:
    return settings.ROOST_BASE_URL.rstrip("/") + reverse("accounts:invite", args=[token])


def invite_create(
    *,
    actor: Membership,
    email: str,
    roles: Iterable[str],
    group_ids: Iterable[int] = (),
) -> tuple[Invite, str]:
    """Invite someone by e-mail. Returns the invite and the link's secret (sent, not kept)."""
    require(actor, Perm.MANAGE_MEMBERS)
    workspace = actor.workspace
    errors: dict[str, list[str]] = {}
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = [_("“%(email)s” is not an e-mail address.") % {"email": email}]
    else:
        if Membership.objects.filter(workspace=workspace, user__email__iexact=email).exists():
            errors["email"] = [_("%(email)s is already a member.") % {"email": email}]
        elif Invite.objects.filter(
            workspace=workspace,
            email=email,
            accepted_at=None,
            revoked_at=None,
            expires_at__gt=clock.now(),
        ).exists():
            errors["email"] = [
                _("%(email)s already has an open invite; revoke it to send a new one.")
                % {"email": email}
            ]
    try:
        codes = _clean_roles(roles)
    except ValidationFailed as exc:
        errors.update(exc.errors)
        codes = []
    if Role.OWNER.value in codes and not actor.has_perm(Perm.MANAGE_OWNERS):
        errors["roles"] = [_("Only an Owner may invite another Owner.")]
    elif codes:
        try:
            _check_grantable(actor, codes, _("invite with these roles"))
        except PermissionDenied as exc:
            errors["roles"] = [exc.message]
    ids = set(group_ids)
    groups = list(Group.objects.filter(workspace=workspace, pk__in=ids))
    if len(groups) != len(ids):
        errors["groups"] = [_("Some of the chosen groups are not in this workspace.")]
    if errors:
        raise ValidationFailed(errors)

    token = new_secret("inv")
    with transaction.atomic():
        # An expired invite for the same address still blocks the unique constraint.
        Invite.objects.filter(
            workspace=workspace, email=email, accepted_at=None, revoked_at=None
        ).update(revoked_at=clock.now())
        invite = Invite.objects.create(
            workspace=workspace,
            email=email,
            roles=codes,
            token_hash=hash_secret(token),
            invited_by=actor.user,
            expires_at=clock.now() + timedelta(days=settings.ROOST_INVITE_DAYS),
        )
        invite.groups.set(groups)
        audit_record(
            workspace=workspace,
            actor=actor.user,
            action="invite.created",
            target=invite,
            email=email,
            roles=codes,
            groups=sorted(g.pk for g in groups),
        )
        _send_invite_email(invite, token)  # once this commits
    return invite, token


def _send_invite_email(invite: Invite, token: str) -> None:
    with translation.override(invite.workspace.language):
        context = {
            "invite": invite,
            "workspace": invite.workspace,
            "url": invite_url(token),
            "inviter": invite.invited_by,
        }
        subject = _("You are invited to %(workspace)s on Roost") % {
            "workspace": invite.workspace.name
        }
        body = render_to_string("workspaces/email/invite.txt", context)
    send_email_on_commit(subject=subject, body=body, to=[invite.email])


@transaction.atomic
def invite_revoke(*, actor: Membership, invite: Invite) -> Invite:
    require(actor, Perm.MANAGE_MEMBERS)
    if not invite.is_open():
        raise Conflict(
            _("This invite is %(status)s and cannot be revoked.") % {"status": invite.status}
        )
    invite.revoked_at = clock.now()
    invite.save(update_fields=["revoked_at"])
    audit_record(
        workspace=actor.workspace,
        actor=actor.user,
        action="invite.revoked",
        target=invite,
        email=invite.email,
    )
    return invite


def invite_for_token(token: str) -> Invite:
    """The open invite behind a link, or NotFound saying why it cannot be used."""
    invite = (
        Invite.objects.select_related("workspace", "invited_by")
        .filter(token_hash=hash_secret(token))
        .first()
    )
    if invite is None:
        raise NotFound(_("This invite link is not valid."))
    if invite.accepted_at:
        raise NotFound(_("This invite has already been accepted."))
    if invite.revoked_at:
        raise NotFound(_("This invite was revoked. Ask for a new one."))
    if invite.expires_at <= clock.now():
        raise NotFound(_("This invite has expired. Ask for a new one."))
    return invite


def invite_matches(invite: Invite, user: Any) -> bool:
    """Is `user` the person the invite was sent to? (E-mail addresses compared without case.)"""
    return bool(user.email) and user.email.strip().casefold() == invite.email.casefold()


def invite_accept(*, user: Any, token: str) -> Membership:
    """Join the invite's workspace as `user` with the invited roles and groups.

    Only the invited address may accept: the link alone is not enough (links get
    forwarded, scanned and logged). A new account made through the link gets the invited
    address, which receiving the link confirms."""
    with transaction.atomic():
        invite = invite_for_token(token)
        if not invite_matches(invite, user):
            raise PermissionDenied(
                _(
                    "This invitation is for %(email)s; log in as that address to accept it. "
                    "(You are logged in as %(me)s.)"
                )
                % {"email": invite.email, "me": user.email}
            )
        # The claim: only one acceptance can flip accepted_at from NULL.
        claimed = Invite.objects.filter(pk=invite.pk, accepted_at=None, revoked_at=None).update(
            accepted_at=clock.now(), accepted_by=user
        )
        if not claimed:
            raise Conflict(_("This invite has already been used."))
        membership, created = Membership.objects.get_or_create(
            workspace=invite.workspace, user=user
        )
        if created:
            for code in invite.roles:
                MembershipRole.objects.get_or_create(membership=membership, role=code)
        membership.groups.add(*invite.groups.all())
        audit_record(
            workspace=invite.workspace,
            actor=user,
            action="invite.accepted",
            target=invite,
            email=invite.email,
            user_email=user.email,
            new_member=created,
        )
        hooks.invite_accepted(invite, membership)
        if user.last_workspace_id is None:
            user.last_workspace = invite.workspace
            user.save(update_fields=["last_workspace"])
    return membership


# --- API tokens -----------------------------------------------------------------------


def token_create(
    *, actor: Membership, name: str, scopes: Iterable[str], days: int | None = None
) -> tuple[ApiToken, str]:
    """Create a personal API token. The secret is returned once and stored hashed."""
    errors: dict[str, list[str]] = {}
    name = name.strip()
    if not name:
        errors["name"] = [_("Name the token after what will use it.")]
    codes = sorted(set(scopes))
    if not codes:
        errors["scopes"] = [_("Choose at least one scope.")]
    elif unknown := [c for c in codes if c not in ApiScope.values]:
        errors["scopes"] = [_("Unknown scope: %(s)s.") % {"s": ", ".join(unknown)}]
    if days is not None and not 1 <= days <= 366:
        errors["days"] = [_("A token lives between 1 and 366 days.")]
    if actor.user.access_expires_at is not None:
        # A login that expires (a candidate's assessment login) makes no API tokens.
        raise PermissionDenied(_("This login is temporary and cannot create API tokens."))
    if errors:
        raise ValidationFailed(errors)
    secret = new_secret("roost")
    with transaction.atomic():
        token = ApiToken.objects.create(
            membership=actor,
            name=name[:80],
            prefix=secret[:12],
            token_hash=hash_secret(secret),
            scopes=codes,
            expires_at=clock.now() + timedelta(days=days) if days else None,
        )
        audit_record(
            workspace=actor.workspace,
            actor=actor.user,
            action="token.created",
            target=token,
            name=token.name,
            scopes=codes,
        )
    return token, secret


@transaction.atomic
def token_revoke(*, actor: Membership, token: ApiToken) -> None:
    if token.membership_id != actor.pk:
        raise NotFound()
    token.revoked_at = clock.now()
    token.save(update_fields=["revoked_at"])
    audit_record(
        workspace=actor.workspace,
        actor=actor.user,
        action="token.revoked",
        target=token,
        name=token.name,
    )


def token_authenticate(secret: str) -> tuple[ApiToken, Membership] | None:
    token = (
        ApiToken.objects.select_related("membership__workspace", "membership__user")
        .filter(token_hash=hash_secret(secret))
        .first()
    )
    if token is None or not token.is_active() or not token.membership.user.is_active:
        return None
    if token.membership.user.access_expires_at is not None:
        return None  # temporary logins (assessment candidates) never use the API
    _token_touch(token)
    return token, token.membership


# "Last used" is shown to the minute; writing it on every call would turn each API read
# into a write that can wait on (or fail for) the database's write lock.
TOKEN_LAST_USED_EVERY = timedelta(minutes=1)


def _token_touch(token: ApiToken) -> None:
    """Record the token's use at most once a minute, best effort: never fails the call."""
    now = clock.now()
    stale_before = now - TOKEN_LAST_USED_EVERY
    if token.last_used_at is not None and token.last_used_at > stale_before:
        return
    # Conditional, so concurrent calls with one token write it once.
    best_effort(
        "token last-used",
        lambda: ApiToken.objects.filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=stale_before), pk=token.pk
        ).update(last_used_at=now),
    )
