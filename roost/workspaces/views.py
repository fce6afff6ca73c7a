"""Team, settings, audit and API-token pages. Each view: bind, call one service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from roost.core.exceptions import PermissionDenied, RoostError
from roost.http.decorators import login_view
from roost.http.forms import apply_error
from roost.workspaces import selectors, services
from roost.workspaces.access import (
    access_group,
    access_invite,
    access_member,
    access_token,
    may_create_workspace,
)
from roost.workspaces.audit import audit_lines
from roost.workspaces.decorators import workspace_view
from roost.workspaces.forms import (
    GroupForm,
    InviteForm,
    MemberRolesForm,
    TokenForm,
    WorkspaceForm,
)
from roost.workspaces.roles import Perm


def _team_context(request: HttpRequest, invite_form: InviteForm | None = None) -> dict[str, Any]:
    actor = request.membership  # type: ignore[attr-defined]
    workspace = actor.workspace
    members = list(selectors.members_list(workspace))
    return {
        "area": "team",
        "members": [(m, services.member_manageable_by(actor, m)) for m in members],
        "member_count": len(members),
        "groups": selectors.groups_list(workspace),
        "invites": selectors.invites_open(workspace),
        "invite_form": invite_form or InviteForm(actor=actor),
    }


@workspace_view(Perm.VIEW_TEAM)
def team(request: HttpRequest) -> HttpResponse:
    return render(request, "workspaces/team.html", _team_context(request))


@workspace_view(Perm.MANAGE_MEMBERS)
@require_POST
def invite_create(request: HttpRequest) -> HttpResponse:
    form = InviteForm(request.POST, actor=request.membership)  # type: ignore[attr-defined]
    status = 200
    if form.is_valid():
        try:
            invite, _token = services.invite_create(
                actor=request.membership,  # type: ignore[attr-defined]
                email=form.cleaned_data["email"],
                roles=form.cleaned_data["roles"],
                group_ids=[g.pk for g in form.cleaned_data["groups"]],
            )
        except RoostError as exc:
            apply_error(form, exc)
            status = 422
        else:
            messages.success(request, _("Invite sent to %(email)s.") % {"email": invite.email})
            if not request.htmx:  # type: ignore[attr-defined]
                return redirect("workspaces:team", slug=request.workspace.slug)  # type: ignore[attr-defined]
            form = InviteForm(actor=request.membership)  # type: ignore[attr-defined]
    else:
        status = 422
    template = "workspaces/team.html#invites" if request.htmx else "workspaces/team.html"  # type: ignore[attr-defined]
    return render(request, template, _team_context(request, form), status=status)


@workspace_view(Perm.MANAGE_MEMBERS)
@require_POST
def invite_revoke(request: HttpRequest, invite_id: int) -> HttpResponse:
    actor = request.membership  # type: ignore[attr-defined]
    invite = access_invite(actor, invite_id)
    try:
        services.invite_revoke(actor=actor, invite=invite)
    except RoostError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Invite to %(email)s revoked.") % {"email": invite.email})
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "workspaces/team.html#invites", _team_context(request))
    return redirect("workspaces:team", slug=request.workspace.slug)  # type: ignore[attr-defined]


@workspace_view(Perm.MANAGE_MEMBERS)
def member_edit(request: HttpRequest, member_id: int) -> HttpResponse:
    actor = request.membership  # type: ignore[attr-defined]
    member = access_member(actor, member_id, Perm.MANAGE_MEMBERS)
    if member.pk != actor.pk and not services.member_manageable_by(actor, member):
        raise PermissionDenied(
            _("%(name)s holds a role you do not have, so you cannot change their roles.")
            % {"name": member.user.display_name}
        )
    form = MemberRolesForm(request.POST or None, initial={"roles": member.role_codes}, actor=actor)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.member_set_roles(
                    actor=actor, member=member, roles=form.cleaned_data["roles"]
                )
            except RoostError as exc:
                apply_error(form, exc)
            else:
                messages.success(
                    request, _("Roles of %(name)s saved.") % {"name": member.user.display_name}
                )
                return redirect("workspaces:team", slug=actor.workspace.slug)
        status = 422
    return render(
        request, "workspaces/member_edit.html", {"member": member, "form": form}, status=status
    )


@workspace_view(Perm.MANAGE_MEMBERS)
@require_POST
def member_remove(request: HttpRequest, member_id: int) -> HttpResponse:
    actor = request.membership  # type: ignore[attr-defined]
    member = access_member(actor, member_id, Perm.MANAGE_MEMBERS)
    try:
        services.member_remove(actor=actor, member=member)
    except RoostError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("%(name)s was removed from the workspace.") % {"name": member.user.display_name},
        )
    return redirect("workspaces:team", slug=actor.workspace.slug)


@workspace_view(Perm.MANAGE_MEMBERS)
def group_create(request: HttpRequest) -> HttpResponse:
    return _group_form(request, group=None)


@workspace_view(Perm.MANAGE_MEMBERS)
def group_edit(request: HttpRequest, group_id: int) -> HttpResponse:
    group = access_group(request.membership, group_id, Perm.MANAGE_MEMBERS)  # type: ignore[attr-defined]
    return _group_form(request, group=group)


def _group_form(request: HttpRequest, group: Any) -> HttpResponse:
    actor = request.membership  # type: ignore[attr-defined]
    initial = (
        {"name": group.name, "description": group.description, "members": group.members.all()}
        if group
        else {}
    )
    form = GroupForm(request.POST or None, initial=initial, workspace=actor.workspace)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            fields = {
                "name": data["name"],
                "description": data["description"],
                "member_ids": [m.pk for m in data["members"]],
            }
            try:
                if group is None:
                    services.group_create(actor=actor, **fields)
                else:
                    services.group_update(actor=actor, group=group, **fields)
            except RoostError as exc:
                apply_error(form, exc)
            else:
                messages.success(request, _("Group “%(name)s” saved.") % {"name": data["name"]})
                return redirect("workspaces:team", slug=actor.workspace.slug)
        status = 422
    return render(
        request, "workspaces/group_form.html", {"form": form, "group": group}, status=status
    )


@workspace_view(Perm.MANAGE_MEMBERS)
@require_POST
def group_delete(request: HttpRequest, group_id: int) -> HttpResponse:
    actor = request.membership  # type: ignore[attr-defined]
    group = access_group(actor, group_id, Perm.MANAGE_MEMBERS)
    services.group_delete(actor=actor, group=group)
    messages.success(request, _("Group “%(name)s” deleted.") % {"name": group.name})
    return redirect("workspaces:team", slug=actor.workspace.slug)


@workspace_view(Perm.MANAGE_SETTINGS)
def workspace_settings(request: HttpRequest) -> HttpResponse:
    actor = request.membership  # type: ignore[attr-defined]
    ws = actor.workspace
    form = WorkspaceForm(
        request.POST or None,
        initial={"name": ws.name, "timezone": ws.timezone, "language": ws.language},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.workspace_update(actor=actor, **form.cleaned_data)
            except RoostError as exc:
                apply_error(form, exc)
            else:
                messages.success(request, _("Workspace settings saved."))
                return redirect("workspaces:settings", slug=ws.slug)
        status = 422
    return render(request, "workspaces/settings.html", {"form": form}, status=status)


@workspace_view(Perm.MANAGE_MEMBERS)
def audit(request: HttpRequest) -> HttpResponse:
    entries = selectors.audit_list(request.workspace)  # type: ignore[attr-defined]
    return render(request, "workspaces/audit.html", {"lines": audit_lines(entries)})


@workspace_view(Perm.VIEW_TEAM)
def tokens(request: HttpRequest) -> HttpResponse:
    actor = request.membership  # type: ignore[attr-defined]
    form = TokenForm(request.POST or None)
    created_secret = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                _token, created_secret = services.token_create(actor=actor, **form.cleaned_data)
            except RoostError as exc:
                apply_error(form, exc)
                status = 422
            else:
                form = TokenForm()
        else:
            status = 422
    return render(
        request,
        "workspaces/tokens.html",
        {"form": form, "tokens": selectors.tokens_for(actor), "created_secret": created_secret},
        status=status,
    )


@workspace_view(Perm.VIEW_TEAM)
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    actor = request.membership  # type: ignore[attr-defined]
    token = access_token(actor, token_id)
    services.token_revoke(actor=actor, token=token)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("workspaces:tokens", slug=actor.workspace.slug)


@login_view
def workspace_create(request: HttpRequest) -> HttpResponse:
    if not may_create_workspace(request.user):
        # The operator keeps workspace creation to some people (ROOST_WORKSPACE_CREATION).
        messages.error(request, services.workspace_creation_refusal())
        return redirect("web:home")
    form = WorkspaceForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                ws = services.workspace_create(actor=request.user, **form.cleaned_data)
            except RoostError as exc:
                apply_error(form, exc)
            else:
                return redirect("workspaces:team", slug=ws.slug)
        status = 422
    return render(request, "workspaces/create.html", {"form": form}, status=status)
