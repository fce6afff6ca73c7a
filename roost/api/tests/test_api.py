"""The REST API: same services as the UI, JSON errors that name each field."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.core import mail
from django.test import Client

from roost.conftest import World, token_for
from roost.core import clock
from roost.workspaces.models import ApiToken, AuditEntry, Group, Invite, MembershipRole


def call(method: str, url: str, token: str | None, body: Any = None) -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return Client().generic(
        method,
        url,
        data=json.dumps(body) if body is not None else "",
        content_type="application/json",
        **headers,
    )


def test_me_says_who_the_token_acts_as(world: World) -> None:
    token = token_for(world.members["analyst"], ["read"])
    response = call("GET", "/api/v1/me", token)
    assert response.status_code == 200
    assert response.json() == {
        "email": "analyst@alpha.test",
        "name": "Alpha Social Data Analyst",
        "workspace": "alpha",
        "roles": ["analyst"],
        "scopes": ["read"],
    }


def test_members_list(world: World) -> None:
    token = token_for(world.members["customer_care"], ["read"])
    response = call("GET", "/api/v1/workspaces/alpha/members", token)
    assert response.status_code == 200
    emails = sorted(m["email"] for m in response.json())
    assert len(emails) == 9
    assert "owner@bravo.test" not in emails
    admin = next(m for m in response.json() if m["email"] == "admin@alpha.test")
    assert admin["roles"] == ["admin"]
    assert admin["groups"] == [world.a_group.pk]


def test_invite_through_the_api_sends_mail_and_audits(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    token = token_for(world.members["admin"])
    mail.outbox.clear()
    payload = {
        "email": "New.Person@Example.com",
        "roles": ["community_manager", "sales"],
        "groups": [world.a_group.pk],
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = call("POST", "/api/v1/workspaces/alpha/invites", token, payload)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["email"] == "new.person@example.com"
    assert body["roles"] == ["community_manager", "sales"]
    assert body["groups"] == [world.a_group.pk]
    assert body["status"] == "pending"
    assert [m.to for m in mail.outbox] == [["new.person@example.com"]]
    assert "/invite/inv_" in mail.outbox[0].body
    entry = AuditEntry.objects.filter(workspace=world.a, action="invite.created").first()
    assert entry is not None and entry.actor == world.members["admin"].user


def test_bad_invite_names_every_field_and_saves_nothing(world: World) -> None:
    token = token_for(world.members["owner"])
    invites, audit = Invite.objects.count(), AuditEntry.objects.count()
    mail.outbox.clear()
    response = call(
        "POST",
        "/api/v1/workspaces/alpha/invites",
        token,
        {"email": "not-an-address", "roles": ["wizard"], "groups": [world.b_group.pk]},
    )
    assert response.status_code == 422
    by_field = {item["loc"][-1]: item["msg"] for item in response.json()["detail"]}
    assert set(by_field) == {"email", "roles", "groups"}
    assert "not-an-address" in by_field["email"]
    assert "wizard" in by_field["roles"]
    assert Invite.objects.count() == invites
    assert AuditEntry.objects.count() == audit
    assert mail.outbox == []


def test_schema_errors_are_422_naming_the_field(world: World) -> None:
    token = token_for(world.members["owner"])
    response = call("POST", "/api/v1/workspaces/alpha/invites", token, {"roles": "owner"})
    assert response.status_code == 422
    fields = {tuple(item["loc"][-1:]) for item in response.json()["detail"]}
    assert ("email",) in fields and ("roles",) in fields


def test_cross_workspace_ids_with_a_valid_body_are_not_found(world: World) -> None:
    token = token_for(world.members["owner"])
    before = list(MembershipRole.objects.filter(membership=world.b_member).values_list("role"))
    response = call(
        "PUT",
        f"/api/v1/workspaces/alpha/members/{world.b_member.pk}/roles",
        token,
        {"roles": ["admin"]},
    )
    assert response.status_code == 404
    after = list(MembershipRole.objects.filter(membership=world.b_member).values_list("role"))
    assert after == before
    response = call(
        "PUT", f"/api/v1/workspaces/alpha/groups/{world.b_group.pk}", token, {"name": "Hijack"}
    )
    assert response.status_code == 404
    assert Group.objects.get(pk=world.b_group.pk).name != "Hijack"


def test_admin_cannot_make_an_owner(world: World) -> None:
    token = token_for(world.members["admin"])
    member = world.members["content_creator"]
    response = call(
        "PUT", f"/api/v1/workspaces/alpha/members/{member.pk}/roles", token, {"roles": ["owner"]}
    )
    assert response.status_code == 403
    assert "Owner" in response.json()["detail"]
    assert member.roles.get().role == "content_creator"


def test_last_owner_cannot_be_removed_or_demoted(world: World) -> None:
    owner = world.members["owner"]
    token = token_for(owner)
    response = call("DELETE", f"/api/v1/workspaces/alpha/members/{owner.pk}", token)
    assert response.status_code == 409
    assert "last Owner" in response.json()["detail"]
    response = call(
        "PUT", f"/api/v1/workspaces/alpha/members/{owner.pk}/roles", token, {"roles": ["admin"]}
    )
    assert response.status_code == 409
    assert owner.roles.get().role == "owner"


def test_set_roles_keeps_several_hats(world: World) -> None:
    token = token_for(world.members["owner"])
    member = world.members["content_creator"]
    response = call(
        "PUT",
        f"/api/v1/workspaces/alpha/members/{member.pk}/roles",
        token,
        {"roles": ["content_creator", "analyst", "paid_media"]},
    )
    assert response.status_code == 200
    assert response.json()["roles"] == ["analyst", "content_creator", "paid_media"]


def test_groups_crud(world: World) -> None:
    token = token_for(world.members["admin"])
    care = world.members["customer_care"]
    response = call(
        "POST",
        "/api/v1/workspaces/alpha/groups",
        token,
        {"name": "Customer Care", "members": [care.pk]},
    )
    assert response.status_code == 201
    group_id = response.json()["id"]
    duplicate = call("POST", "/api/v1/workspaces/alpha/groups", token, {"name": "customer care"})
    assert duplicate.status_code == 422
    assert duplicate.json()["detail"][0]["loc"][-1] == "name"
    response = call("DELETE", f"/api/v1/workspaces/alpha/groups/{group_id}", token)
    assert response.status_code == 204
    assert not Group.objects.filter(pk=group_id).exists()


def test_revoked_and_expired_tokens_are_refused(world: World) -> None:
    secret = token_for(world.members["owner"])
    token = ApiToken.objects.get(membership=world.members["owner"])
    assert call("GET", "/api/v1/me", secret).status_code == 200
    token.expires_at = clock.now() - timedelta(seconds=1)
    token.save()
    assert call("GET", "/api/v1/me", secret).status_code == 401
    token.expires_at = None
    token.revoked_at = clock.now()
    token.save()
    assert call("GET", "/api/v1/me", secret).status_code == 401


def test_tokens_are_stored_hashed(world: World) -> None:
    secret = token_for(world.members["owner"])
    token = ApiToken.objects.get(membership=world.members["owner"])
    assert secret not in token.token_hash and token.prefix == secret[:12]


def test_openapi_schema_and_docs(db: Any) -> None:
    client = Client()
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/workspaces/{slug}/members" in paths
    assert "/api/v1/workspaces/{slug}/invites" in paths
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()


def test_the_schema_has_no_key_twice(db: Any) -> None:
    """A response code given as 200 and as "200" serialises as the same JSON key twice;
    Swagger UI then refuses the whole schema ("duplicated mapping key")."""
    text = Client().get("/api/v1/openapi.json").content.decode()
    twice: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [k for k, _v in items]
        twice.extend(k for k in set(keys) if keys.count(k) > 1)
        return dict(items)

    json.loads(text, object_pairs_hook=pairs)
    assert twice == []
