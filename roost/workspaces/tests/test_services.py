"""Team services: invites, roles, groups, owners; each audited, none half-done."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail

from roost.conftest import World, make_user
from roost.core import clock
from roost.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from roost.workspaces import services
from roost.workspaces.models import AuditEntry, Group, Invite, Membership, Workspace
from roost.workspaces.roles import Perm, Role, roles_doc


def actions(workspace: Workspace) -> list[str]:
    return list(
        AuditEntry.objects.filter(workspace=workspace)
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_workspace_create_makes_the_creator_owner(db: Any) -> None:
    user = make_user("founder@x.test")
    ws = services.workspace_create(actor=user, name="Demo Coffee Co.", timezone="Europe/Warsaw")
    assert ws.slug == "demo-coffee-co"
    member = Membership.objects.get(workspace=ws, user=user)
    assert member.role_codes == ["owner"]
    assert actions(ws) == ["workspace.created"]
    again = services.workspace_create(actor=user, name="Demo Coffee Co.")
    assert again.slug == "demo-coffee-co-2"


def test_workspace_create_rejects_bad_fields_and_saves_nothing(db: Any) -> None:
    user = make_user("founder@x.test")
    with pytest.raises(ValidationFailed) as exc:
        services.workspace_create(actor=user, name=" ", timezone="Mars/Olympus", language="xx")
    assert set(exc.value.errors) == {"name", "timezone", "language"}
    assert "Mars/Olympus" in exc.value.errors["timezone"][0]
    assert Workspace.objects.count() == 0 and Membership.objects.count() == 0


def test_invite_accept_joins_with_roles_and_groups(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    owner = world.members["owner"]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        invite, token = services.invite_create(
            actor=owner,
            email="Joiner@Alpha.test",
            roles=["community_manager", "customer_care"],
            group_ids=[world.a_group.pk],
        )
    assert invite.email == "joiner@alpha.test"
    assert len(mail.outbox) == 1 and token in mail.outbox[0].body
    assert token not in invite.token_hash

    joiner = make_user("joiner@alpha.test")
    membership = services.invite_accept(user=joiner, token=token)
    assert membership.workspace == world.a
    assert membership.role_codes == ["community_manager", "customer_care"]
    assert list(membership.groups.all()) == [world.a_group]
    invite.refresh_from_db()
    assert invite.accepted_by == joiner and invite.accepted_at is not None
    assert actions(world.a)[-2:] == ["invite.created", "invite.accepted"]

    with pytest.raises(NotFound, match="already been accepted"):
        services.invite_accept(user=make_user("other@x.test"), token=token)


def test_expired_and_revoked_invites_cannot_be_used(world: World) -> None:
    owner = world.members["owner"]
    invite, token = services.invite_create(actor=owner, email="late@x.test", roles=["sales"])
    Invite.objects.filter(pk=invite.pk).update(expires_at=clock.now() - timedelta(minutes=1))
    with pytest.raises(NotFound, match="expired"):
        services.invite_accept(user=make_user("late@x.test"), token=token)

    invite2, token2 = services.invite_create(actor=owner, email="late@x.test", roles=["sales"])
    services.invite_revoke(actor=owner, invite=invite2)
    with pytest.raises(NotFound, match="revoked"):
        services.invite_for_token(token2)
    with pytest.raises(Conflict):
        services.invite_revoke(actor=owner, invite=invite2)
    with pytest.raises(NotFound, match="not valid"):
        services.invite_for_token("inv_made-up")


def test_invite_refuses_members_duplicates_and_owner_from_admin(world: World) -> None:
    admin = world.members["admin"]
    with pytest.raises(ValidationFailed) as exc:
        services.invite_create(actor=admin, email="creator@bravo.test", roles=["owner"])
    assert exc.value.errors["roles"] == ["Only an Owner may invite another Owner."]
    with pytest.raises(ValidationFailed) as exc:
        services.invite_create(actor=admin, email="analyst@alpha.test", roles=["sales"])
    assert "already a member" in exc.value.errors["email"][0]
    with pytest.raises(ValidationFailed) as exc:
        services.invite_create(actor=admin, email="newbie@alpha.test", roles=["sales"])
    assert "open invite" in exc.value.errors["email"][0]
    with pytest.raises(ValidationFailed) as exc:
        services.invite_create(actor=admin, email="x@y.test", roles=[])
    assert exc.value.errors == {"roles": ["Choose at least one role."]}


def test_denied_roles_change_nothing(world: World) -> None:
    before = AuditEntry.objects.count()
    creator = world.members["content_creator"]
    with pytest.raises(PermissionDenied):
        services.invite_create(actor=creator, email="x@y.test", roles=["sales"])
    with pytest.raises(PermissionDenied):
        services.member_set_roles(actor=creator, member=creator, roles=["owner"])
    with pytest.raises(PermissionDenied):
        services.group_create(actor=creator, name="Mine")
    with pytest.raises(PermissionDenied):
        services.workspace_update(actor=creator, name="Hacked", timezone="UTC", language="en")
    assert AuditEntry.objects.count() == before
    assert creator.roles.get().role == "content_creator"
    assert not Group.objects.filter(name="Mine").exists()


def test_owner_rules(world: World) -> None:
    owner, admin = world.members["owner"], world.members["admin"]
    with pytest.raises(Conflict, match="last Owner"):
        services.member_remove(actor=owner, member=owner)
    with pytest.raises(PermissionDenied):
        services.member_remove(actor=admin, member=owner)
    # A second owner makes the first removable.
    services.member_set_roles(actor=owner, member=admin, roles=["owner", "admin"])
    admin = Membership.objects.get(pk=admin.pk)
    assert admin.is_owner and admin.has_perm(Perm.MANAGE_OWNERS)
    services.member_remove(actor=admin, member=owner)
    assert not Membership.objects.filter(pk=owner.pk).exists()
    assert actions(world.a)[-2:] == ["member.roles_changed", "member.removed"]


def test_roles_change_is_audited_with_before_and_after(world: World) -> None:
    owner, member = world.members["owner"], world.members["paid_media"]
    services.member_set_roles(actor=owner, member=member, roles=["paid_media", "analyst"])
    entry = AuditEntry.objects.filter(action="member.roles_changed").get()
    assert entry.data["before"] == ["paid_media"]
    assert entry.data["after"] == ["analyst", "paid_media"]
    with pytest.raises(ValidationFailed):
        services.member_set_roles(actor=owner, member=member, roles=["pilot"])
    assert sorted(member.roles.values_list("role", flat=True)) == ["analyst", "paid_media"]


def test_groups_are_scoped_to_their_workspace(world: World) -> None:
    owner = world.members["owner"]
    with pytest.raises(ValidationFailed) as exc:
        services.group_create(actor=owner, name="Sales", member_ids=[world.b_member.pk])
    assert "not members of this workspace" in exc.value.errors["members"][0]
    assert not Group.objects.filter(workspace=world.a, name="Sales").exists()
    group = services.group_create(actor=owner, name="Sales", member_ids=[world.members["sales"].pk])
    services.group_update(actor=owner, group=group, name="Sales team", member_ids=[])
    group.refresh_from_db()
    assert group.name == "Sales team" and group.members.count() == 0


def test_each_role_permissions_match_the_matrix(world: World) -> None:
    care = world.members["customer_care"]
    assert care.has_perm(Perm.INBOX_READ_ROUTED) and not care.has_perm(Perm.INBOX_READ_ALL)
    assert not care.has_perm(Perm.VIEW_CONTENT)
    manager = world.members["social_media_manager"]
    assert manager.has_perm(Perm.PUBLISH_WITHOUT_APPROVAL)
    assert not world.members["content_creator"].has_perm(Perm.PUBLISH_WITHOUT_APPROVAL)
    assert world.members["paid_media"].has_perm(Perm.MANAGE_BUDGETS)


def test_docs_roles_md_matches_the_code(settings: Any) -> None:
    doc = (settings.BASE_DIR / "docs" / "roles.md").read_text(encoding="utf-8")
    assert doc == roles_doc(), "run `roost roles_doc --write`"
    for role in Role:
        assert str(role.label) in doc


def test_nobody_hands_out_more_than_they_hold(world: World) -> None:
    manager = world.members["social_media_manager"]
    creator = world.members["content_creator"]
    # A manager runs the content team…
    invite, _token = services.invite_create(actor=manager, email="c2@x.test", roles=["analyst"])
    assert invite.roles == ["analyst"]
    services.member_set_roles(actor=manager, member=creator, roles=["content_creator", "sales"])
    # …but cannot make Admins or budget holders, nor remove them.
    with pytest.raises(PermissionDenied, match="Admin"):
        services.member_set_roles(actor=manager, member=creator, roles=["admin"])
    with pytest.raises(ValidationFailed) as exc:
        services.invite_create(actor=manager, email="p@x.test", roles=["paid_media"])
    assert "Paid Media Specialist" in exc.value.errors["roles"][0]
    with pytest.raises(PermissionDenied):
        services.member_remove(actor=manager, member=world.members["admin"])
    assert sorted(creator.roles.values_list("role", flat=True)) == ["content_creator", "sales"]
    assert Membership.objects.filter(pk=world.members["admin"].pk).exists()
