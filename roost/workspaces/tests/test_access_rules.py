"""Access between roles and accounts: invites bind to the invited address, nobody edits the
roles of someone holding a role they do not have, the last Owner survives two Owners
demoting each other at once, and who may create workspaces is the operator's setting."""

from __future__ import annotations

import importlib
import json
import threading
import time
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, connections
from django.test import Client

from roost.conftest import World, make_user, token_for
from roost.core.exceptions import Conflict, PermissionDenied
from roost.workspaces import services
from roost.workspaces.models import AuditEntry, Membership, MembershipRole, Workspace
from roost.workspaces.roles import Role

# --- invites bind to the invited address --------------------------------------------------


def test_an_invite_cannot_be_accepted_by_another_account(world: World) -> None:
    invite, token = services.invite_create(
        actor=world.members["owner"], email="Victim@Example.test", roles=["admin"]
    )
    intruder = world.members["sales"].user  # logged in, holding a forwarded link
    client = Client()
    client.force_login(intruder)
    members_before = Membership.objects.filter(workspace=world.a).count()
    audit_before = AuditEntry.objects.count()

    page = client.get(f"/invite/{token}/").content.decode()
    assert "This invitation is for victim@example.test; log in as that address" in page
    assert "Accept and join" not in page
    response = client.post(f"/invite/{token}/")
    assert response.status_code == 403
    assert "This invitation is for victim@example.test" in response.content.decode()
    with pytest.raises(PermissionDenied, match="log in as that address"):
        services.invite_accept(user=make_user("outsider@x.test"), token=token)

    assert Membership.objects.filter(workspace=world.a).count() == members_before
    assert world.members["sales"].role_codes == ["sales"]
    assert AuditEntry.objects.count() == audit_before
    invite.refresh_from_db()
    assert invite.accepted_at is None and invite.accepted_by is None

    # The invited person (the address in any case) still gets in with the same link.
    victim = make_user("victim@EXAMPLE.test")
    client.force_login(victim)
    assert "Accept and join" in client.get(f"/invite/{token}/").content.decode()
    assert client.post(f"/invite/{token}/").status_code == 302
    joined = Membership.objects.get(workspace=world.a, user=victim)
    assert joined.role_codes == ["admin"]


# --- nobody edits the roles of someone holding a role they lack ---------------------------


def test_a_manager_cannot_touch_an_owners_or_admins_roles(world: World) -> None:
    owner, admin = world.members["owner"], world.members["admin"]
    manager = world.members["social_media_manager"]
    # Adding only a small role, which a manager may hand out, is still refused.
    with pytest.raises(PermissionDenied, match="holds a role you do not have"):
        services.member_set_roles(actor=manager, member=owner, roles=["owner", "content_creator"])
    with pytest.raises(PermissionDenied):
        services.member_set_roles(actor=manager, member=admin, roles=["admin", "sales"])

    token = token_for(manager)
    response = Client().put(
        f"/api/v1/workspaces/alpha/members/{owner.pk}/roles",
        data=json.dumps({"roles": ["owner", "content_creator"]}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 403
    assert response.json()["detail"] == (
        "Alpha Owner holds a role you do not have, so you cannot change their roles."
    )

    web = world.client_for("social_media_manager")
    assert web.get(f"/w/alpha/team/members/{owner.pk}/").status_code == 403
    response = web.post(
        f"/w/alpha/team/members/{owner.pk}/", {"roles": ["owner", "content_creator"]}
    )
    assert response.status_code == 403

    assert sorted(owner.roles.values_list("role", flat=True)) == ["owner"]
    assert sorted(admin.roles.values_list("role", flat=True)) == ["admin"]
    assert not AuditEntry.objects.filter(action="member.roles_changed").exists()
    # Within their reach, a manager still runs the content team.
    creator = world.members["content_creator"]
    services.member_set_roles(actor=manager, member=creator, roles=["content_creator", "sales"])
    assert web.get(f"/w/alpha/team/members/{creator.pk}/").status_code == 200


# --- the last Owner, two Owners at once (PostgreSQL) -------------------------------------


def _someone_waits_for_a_lock() -> bool:
    probe = connections.create_connection("default")
    try:
        with probe.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            return bool(cursor.fetchone()[0])
    finally:
        probe.close()


@pytest.mark.django_db(transaction=True)
def test_last_owner_race_two_owners_demoting_each_other_leave_one(
    world: World, monkeypatch: Any
) -> None:
    if connection.vendor == "sqlite":
        pytest.skip(
            "SQLite serialises write transactions; the race runs on PostgreSQL "
            "(DATABASE_URL=postgres://…)."
        )
    owner, admin = world.members["owner"], world.members["admin"]
    services.member_set_roles(actor=owner, member=admin, roles=["owner"])
    counted: list[int] = []
    real_count = services._owner_count

    def count_then_hold(workspace: Workspace) -> int:
        """Count, then keep this transaction open until the other change has counted too,
        or is waiting for a lock this one holds: the worst interleaving, every time."""
        found = real_count(workspace)
        counted.append(found)
        deadline = time.monotonic() + 20
        while len(counted) < 2 and not _someone_waits_for_a_lock():
            assert time.monotonic() < deadline, "the other change never arrived"
            time.sleep(0.01)  # polling the state above, not waiting for time to pass
        return found

    monkeypatch.setattr(services, "_owner_count", count_then_hold)
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def demote(actor_pk: int, member_pk: int) -> None:
        try:
            actor = Membership.objects.select_related("workspace", "user").get(pk=actor_pk)
            member = Membership.objects.select_related("workspace", "user").get(pk=member_pk)
            barrier.wait(timeout=10)
            services.member_set_roles(actor=actor, member=member, roles=["admin"])
            outcomes[actor.user.email] = "done"
        except (Conflict, PermissionDenied) as exc:
            outcomes[str(actor_pk)] = type(exc).__name__
        except Exception as exc:  # shown in the assertion below
            outcomes[str(actor_pk)] = repr(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=demote, args=(owner.pk, admin.pk)),
        threading.Thread(target=demote, args=(admin.pk, owner.pk)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    owners = MembershipRole.objects.filter(membership__workspace=world.a, role=Role.OWNER)
    assert owners.count() == 1, outcomes
    assert sorted(v for v in outcomes.values() if v == "done") == ["done"], outcomes
    assert len(outcomes) == 2 and set(outcomes.values()) <= {
        "done",
        "Conflict",
        "PermissionDenied",
    }, outcomes


# --- who may create workspaces -------------------------------------------------------------

NEW = {"name": "Side Project", "timezone": "UTC", "language": "en"}


def test_by_default_only_owners_create_workspaces(world: World) -> None:
    sales = world.client_for("sales")  # a member of Alpha, Owner of nothing
    response = sales.get("/workspaces/new/")
    assert response.status_code == 302 and response["Location"] == "/"
    page = sales.get("/workspaces/new/", follow=True).content.decode()
    assert "new workspaces are created by the Owners of existing ones" in page
    assert sales.post("/workspaces/new/", NEW).status_code == 302
    with pytest.raises(PermissionDenied):
        services.workspace_create(actor=world.members["sales"].user, name="Side Project")
    assert not Workspace.objects.filter(name="Side Project").exists()
    assert 'data-testid="new-workspace"' not in sales.get("/w/alpha/team/").content.decode()

    owner = world.client_for("owner")
    assert 'data-testid="new-workspace"' in owner.get("/w/alpha/team/").content.decode()
    response = owner.post("/workspaces/new/", NEW)
    assert response["Location"] == "/w/side-project/team/"


def test_staff_only_and_anyone(world: World, settings: Any) -> None:
    settings.ROOST_WORKSPACE_CREATION = "staff"
    owner = world.members["owner"].user
    with pytest.raises(PermissionDenied, match="only its administrators"):
        services.workspace_create(actor=owner, name="Not for owners")
    operator = make_user("ops@x.test")
    operator.is_staff = True
    operator.save()
    made = services.workspace_create(actor=operator, name="Made by staff")
    assert Membership.objects.get(workspace=made, user=operator).role_codes == ["owner"]

    settings.ROOST_WORKSPACE_CREATION = "anyone"
    sales = world.client_for("sales")
    assert 'data-testid="new-workspace"' in sales.get("/w/alpha/team/").content.decode()
    assert sales.post("/workspaces/new/", NEW)["Location"] == "/w/side-project/team/"


def test_the_first_user_of_a_fresh_install_creates_the_first_workspace(
    db: Any, settings: Any
) -> None:
    settings.ROOST_WORKSPACE_CREATION = "staff"
    first = make_user("first@x.test")
    client = Client()
    client.force_login(first)
    assert client.get("/")["Location"] == "/workspaces/new/"
    assert client.post("/workspaces/new/", NEW)["Location"] == "/w/side-project/team/"
    # From then on the setting applies: a second account with no workspace is told why.
    second = make_user("second@x.test")
    client.force_login(second)
    home = client.get("/")
    assert home.status_code == 200
    assert "Ask an Owner of a workspace to invite you" in home.content.decode()
    assert client.get("/workspaces/new/")["Location"] == "/"
    assert Workspace.objects.count() == 1


def test_an_unknown_setting_value_stops_the_start(monkeypatch: Any) -> None:
    import roost.settings.workspaces as module

    monkeypatch.setenv("ROOST_WORKSPACE_CREATION", "everybody")
    with pytest.raises(ImproperlyConfigured, match="owners, staff, anyone"):
        importlib.reload(module)
    monkeypatch.setenv("ROOST_WORKSPACE_CREATION", "Staff")
    assert importlib.reload(module).ROOST_WORKSPACE_CREATION == "staff"
    monkeypatch.delenv("ROOST_WORKSPACE_CREATION")
    assert importlib.reload(module).ROOST_WORKSPACE_CREATION == "owners"
