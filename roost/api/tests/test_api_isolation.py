"""Every API operation, without a token, with another workspace's token, with a token
lacking the scope, and as each role. Operations are found from the URL patterns, so a new
route is covered without touching this file."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from ninja.operation import PathView

from roost.analytics.testing import report_schedule
from roost.api.auth import WorkspaceAccess
from roost.briefing.testing import action_item
from roost.conftest import B_MARKER, World, token_for
from roost.listening.testing import sample_mention, sample_topic
from roost.paid import testing as paid_testing
from roost.routes import fill, iter_routes
from roost.team import testing as team_testing
from roost.workspaces.models import ApiScope, AuditEntry
from roost.workspaces.roles import MATRIX, Role

PUBLIC = {"api/v1/", "api/v1/openapi.json", "api/v1/docs"}


def operations() -> list[tuple[str, str, Any]]:
    """(route, method, operation) for every API operation behind a URL pattern."""
    found: dict[tuple[str, str], Any] = {}
    for route, callback in iter_routes():
        if not route.startswith("api/v1/") or route in PUBLIC:
            continue
        cells = [c.cell_contents for c in (callback.__closure__ or ())]
        views = [c for c in cells if isinstance(c, PathView)]
        assert views, f"{route} is not a django-ninja operation; classify it"
        for op in views[0].operations:
            for method in op.methods:
                found[(route, method)] = op
    return [(route, method, op) for (route, method), op in found.items()]


OPS = operations()


def access_of(op: Any) -> WorkspaceAccess | None:
    checks = [a for a in op.auth_callbacks if isinstance(a, WorkspaceAccess)]
    return checks[0] if checks else None


def test_every_workspace_operation_declares_its_access() -> None:
    # /me is the only operation outside a workspace; everything else must check one.
    undeclared = [
        (route, method)
        for route, method, op in OPS
        if access_of(op) is None and route != "api/v1/me"
    ]
    assert undeclared == []
    assert len(OPS) >= 15


def _call(client: Client, method: str, url: str, token: str | None) -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    with transaction.atomic():
        response = client.generic(
            method, url, data=json.dumps({}), content_type="application/json", **headers
        )
        transaction.set_rollback(True)
    return response


def _values(world: World, workspace: str = "a") -> dict[str, Any]:
    if workspace == "a":
        return {
            "slug": world.a.slug,
            "member_id": world.members["content_creator"].pk,
            "group_id": world.a_group.pk,
            "invite_id": world.a_invite.pk,
            "post_id": world.a_post.pk,
            "request_id": world.a_request.pk,
            "message_id": world.a_inbox.message.pk,
            "channel_id": world.a_channel.pk,
            "schedule_id": report_schedule(world.members["owner"]).pk,
            "item_id": action_item(world.members["owner"]).pk,
            "topic_id": sample_topic(world.a).pk,
            "mention_id": sample_mention(world.a_channel).pk,
            **paid_testing.samples(world.a),
            **team_testing.samples(world.a),
        }
    return {
        "slug": world.b.slug,
        "member_id": world.b_member.pk,
        "group_id": world.b_group.pk,
        "invite_id": world.b_invite.pk,
        "post_id": world.b_post.pk,
        "request_id": world.b_request.pk,
        "message_id": world.b_inbox.message.pk,
        "channel_id": world.b_channel.pk,
        "schedule_id": report_schedule(world.b_owner).pk,
        "item_id": action_item(world.b_owner).pk,
        "topic_id": sample_topic(world.b, f"Topic {B_MARKER}").pk,
        "mention_id": sample_mention(world.b_channel, f"Mention {B_MARKER}").pk,
        **paid_testing.samples(world.b, B_MARKER),
        **team_testing.samples(world.b, B_MARKER),
    }


@pytest.mark.parametrize(("route", "method", "op"), OPS, ids=[f"{m} {r}" for r, m, _ in OPS])
def test_operation_isolation(world: World, route: str, method: str, op: Any) -> None:
    client = Client()
    url = fill(route, _values(world))
    check = access_of(op)
    all_scopes = list(ApiScope.values)
    tokens = {role: token_for(world.members[role.value], all_scopes) for role in Role}
    outsider = token_for(world.b_owner, all_scopes)
    audit_before = AuditEntry.objects.count()

    assert _call(client, method, url, None).status_code == 401
    assert _call(client, method, url, "roost_not-a-token").status_code == 401
    if check is None:
        return

    response = _call(client, method, url, outsider)
    assert response.status_code == 404, (method, url, "outsider")
    assert AuditEntry.objects.count() == audit_before

    for role in Role:
        response = _call(client, method, url, tokens[role])
        if check.perm in MATRIX[role]:
            assert response.status_code in {200, 201, 204, 409, 422}, (method, url, role)
            assert B_MARKER not in response.content.decode(), (method, url, role)
        else:
            assert response.status_code == 403, (method, url, role, response.status_code)
            assert AuditEntry.objects.count() == audit_before

    # The owner's token without the operation's scope is refused before anything happens.
    other_scopes = [s for s in all_scopes if s != check.scope.value]
    narrow = token_for(world.members["owner"], other_scopes)
    audit_before = AuditEntry.objects.count()
    response = _call(client, method, url, narrow)
    assert response.status_code == 403
    assert check.scope.value in response.json()["detail"]
    assert AuditEntry.objects.count() == audit_before

    # A's owner pointing at B's objects: not found.
    object_params = [
        p
        for p in (
            "member_id",
            "group_id",
            "invite_id",
            "post_id",
            "request_id",
            "message_id",
            "channel_id",
            "schedule_id",
            "item_id",
            "topic_id",
            "mention_id",
            "ad_account_id",
            "experiment_id",
        )
        if f"{p}>" in route
    ]
    if object_params:
        b_values = _values(world, "b")
        mixed = {**_values(world), **{p: b_values[p] for p in object_params}}
        response = _call(client, method, fill(route, mixed), tokens[Role.OWNER])
        # A write with an empty body is refused by the schema first (422), which tells
        # nothing about B; reads and deletes must say "not found".
        expected = {404} if method in {"GET", "DELETE"} else {404, 422}
        assert response.status_code in expected, (method, route)
        assert B_MARKER not in response.content.decode()
