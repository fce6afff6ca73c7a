"""Every web route, as anonymous, as an outsider, and as each role: the right answer, and
never another workspace's data. A new route is covered without touching this file; one
that cannot be classified fails the test."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from PIL import Image

from roost.analytics.testing import report_schedule
from roost.briefing.testing import action_item
from roost.conftest import B_MARKER, World
from roost.listening import testing as listening_testing
from roost.paid import testing as paid_testing
from roost.publishing.models import MediaAsset
from roost.publishing.services.media import media_upload
from roost.routes import fill, iter_routes, params
from roost.team import testing as team_testing
from roost.workspaces import services
from roost.workspaces.models import AuditEntry, Membership
from roost.workspaces.roles import MATRIX, Role

API_PREFIX = "api/v1/"
ADMIN_PREFIX = "admin/"


def web_routes() -> list[tuple[str, Any]]:
    return [
        (route, cb)
        for route, cb in iter_routes()
        if not route.startswith((API_PREFIX, ADMIN_PREFIX))
    ]


def kind(callback: Any) -> str:
    if hasattr(callback, "roost_perm"):
        return "workspace"
    if getattr(callback, "roost_login_only", False):
        return "login"
    if getattr(callback, "roost_public", False):
        return "public"
    view_class = getattr(callback, "view_class", None)
    if view_class is not None and getattr(view_class, "roost_public", False):
        return "public"
    return "unclassified"


def _task(message: Any) -> Any:
    """A task on the message (made here, so no other test sees it)."""
    from roost.inbox.models import Task

    task, _made = Task.objects.get_or_create(
        workspace_id=message.workspace_id, message=message, kind="other"
    )
    return task


def _saved_reply(member: Membership) -> Any:
    """A personal saved reply of `member` (one they may change), made here once."""
    from roost.inbox.models import SavedReply

    saved, _made = SavedReply.objects.get_or_create(
        workspace_id=member.workspace_id, owner=member, name="Mine", defaults={"text": "Hi"}
    )
    return saved


def _media(owner: Membership, name: str) -> MediaAsset:
    """An image in the workspace's library (made here, once, through the real service)."""
    found = MediaAsset.objects.filter(workspace_id=owner.workspace_id).first()
    if found is not None:
        return found
    buffer = BytesIO()
    Image.new("P", (16, 16), 0).save(buffer, format="GIF")
    return media_upload(actor=owner, upload=SimpleUploadedFile(name, buffer.getvalue()))


def _goal(workspace: Any) -> Any:
    """A goal of the workspace (made here, once)."""
    from datetime import date

    from roost.analytics.models import Goal

    goal, _made = Goal.objects.get_or_create(
        workspace=workspace,
        kpi_key="engagements",
        defaults={
            "kpi_version": 1,
            "target": 100,
            "start": date(2031, 3, 1),
            "end": date(2031, 3, 31),
        },
    )
    return goal


def _campaign(workspace: Any) -> Any:
    """A campaign of the workspace (made here, once)."""
    from roost.publishing.models import Campaign

    campaign, _made = Campaign.objects.get_or_create(workspace=workspace, name="Isolation")
    return campaign


def _tag(workspace: Any) -> Any:
    """A tag of the workspace (made here, once)."""
    from roost.publishing.models import Tag

    tag, _made = Tag.objects.get_or_create(workspace=workspace, name="isolation")
    return tag


def _report_share(owner: Membership) -> Any:
    """A report link of the owner's workspace (made here, once, by the service)."""
    from datetime import date

    from roost.analytics.models import ReportShare
    from roost.analytics.selectors import Period
    from roost.analytics.services.reports import share_create

    found = ReportShare.objects.filter(workspace_id=owner.workspace_id).first()
    if found is not None:
        return found
    period = Period(date(2031, 3, 1), date(2031, 3, 7))
    return share_create(actor=owner, sections=["daily"], period=period, days=7)[0]


def samples(world: World, actor: Membership | None, workspace: str = "a") -> dict[str, Any]:
    """Sample values for URL parameters, all pointing into workspace `workspace`."""
    if workspace == "a":
        token_owner = actor if actor is not None else world.members["owner"]
        values = {
            "slug": world.a.slug,
            "member_id": world.members["content_creator"].pk,
            "group_id": world.a_group.pk,
            "invite_id": world.a_invite.pk,
            "channel_id": world.a_channel.pk,
            "post_id": world.a_post.pk,
            "request_id": world.a_request.pk,
            "workflow_id": world.a_workflow.pk,
            "message_id": world.a_inbox.message.pk,
            "task_id": _task(world.a_inbox.message).pk,
            "rule_id": world.a_inbox.rule.pk,
            "endpoint_id": world.a_inbox.endpoint.pk,
            "delivery_id": world.a_inbox.delivery.pk,
            "media_id": _media(world.members["owner"], "alpha.gif").pk,
            "saved_reply_id": _saved_reply(actor or world.members["owner"]).pk,
            "goal_id": _goal(world.a).pk,
            "campaign_id": _campaign(world.a).pk,
            "tag_id": _tag(world.a).pk,
            "schedule_id": report_schedule(world.members["owner"]).pk,
            "share_id": _report_share(world.members["owner"]).pk,
            "item_id": action_item(world.members["owner"]).pk,
            **listening_testing.samples(world.a),
            **paid_testing.samples(world.a),
            **team_testing.samples(world.a),
        }
    else:
        token_owner = world.b_owner
        values = {
            "slug": world.b.slug,
            "member_id": world.b_member.pk,
            "group_id": world.b_group.pk,
            "invite_id": world.b_invite.pk,
            "channel_id": world.b_channel.pk,
            "post_id": world.b_post.pk,
            "request_id": world.b_request.pk,
            "workflow_id": world.b_workflow.pk,
            "message_id": world.b_inbox.message.pk,
            "task_id": _task(world.b_inbox.message).pk,
            "rule_id": world.b_inbox.rule.pk,
            "endpoint_id": world.b_inbox.endpoint.pk,
            "delivery_id": world.b_inbox.delivery.pk,
            "media_id": _media(world.b_owner, f"{B_MARKER}.gif").pk,
            "saved_reply_id": _saved_reply(world.b_owner).pk,
            "goal_id": _goal(world.b).pk,
            "campaign_id": _campaign(world.b).pk,
            "tag_id": _tag(world.b).pk,
            "schedule_id": report_schedule(world.b_owner).pk,
            "share_id": _report_share(world.b_owner).pk,
            "item_id": action_item(world.b_owner).pk,
            **listening_testing.samples(world.b, B_MARKER),
            **paid_testing.samples(world.b, B_MARKER),
            **team_testing.samples(world.b, B_MARKER),
        }
    token, _secret = services.token_create(actor=token_owner, name="iso", scopes=["read"])
    values.update(
        token_id=token.pk,
        token="inv_not-a-real-token",
        uidb64="MQ",
        network="sandbox",
        day="2031-03-20",
        code="NoSuchCode",  # a short link (/l/<code>) that does not exist: a 404 page
    )
    return values


def test_every_route_is_classified() -> None:
    unclassified = [route for route, cb in web_routes() if kind(cb) == "unclassified"]
    assert unclassified == [], "mark these with workspace_view/login_view/public_view"


def test_every_route_parameter_has_a_sample(world: World) -> None:
    values = samples(world, None)
    missing = {p for route, _cb in web_routes() for p in params(route)} - set(values)
    assert missing == set(), "add sample values for these URL parameters in samples()"


def _text(response: Any) -> str:
    """The body as text, also for streamed answers (files); bytes that are not UTF-8 are
    replaced, which keeps the B marker findable."""
    if response.streaming:
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def _request(client: Client, method: str, url: str) -> Any:
    """One request whose effects are rolled back, so every role sees the same world."""
    with transaction.atomic():
        response = client.get(url) if method == "get" else client.post(url, {})
        transaction.set_rollback(True)
    return response


WORKSPACE_ROUTES = [(r, cb) for r, cb in web_routes() if kind(cb) == "workspace"]


@pytest.mark.parametrize(
    ("route", "callback"), WORKSPACE_ROUTES, ids=[r for r, _ in WORKSPACE_ROUTES]
)
def test_workspace_route(world: World, route: str, callback: Any) -> None:
    perm = callback.roost_perm
    anonymous = Client()
    outsider = Client()
    outsider.force_login(world.b_owner.user)

    role_urls = {role: fill(route, samples(world, world.members[role.value])) for role in Role}
    a_values = samples(world, world.members["owner"])
    b_values = samples(world, world.b_owner, workspace="b")
    url = fill(route, samples(world, None))
    audit_before = AuditEntry.objects.count()

    for method in ("get", "post"):
        response = _request(anonymous, method, url)
        assert response.status_code == 302, (method, url, "anonymous")
        assert response["Location"].startswith("/login/")

        # The owner of workspace B knows nothing of A: same answer as a missing page.
        response = _request(outsider, method, url)
        assert response.status_code == 404, (method, url, "outsider")
        assert AuditEntry.objects.count() == audit_before

        for role in Role:
            client = world.client_for(role.value)
            response = _request(client, method, role_urls[role])
            allowed = perm in MATRIX[role]
            if allowed:
                assert response.status_code in {200, 302, 405, 409, 422}, (method, url, role)
                body = _text(response)
                assert B_MARKER not in body, (method, url, role, "leaked workspace B")
            else:
                assert response.status_code == 403, (method, url, role, response.status_code)
                assert AuditEntry.objects.count() == audit_before, (method, url, role)

        # A's member pointing at B's objects through A's slug: not found, never shown.
        object_params = [p for p in params(route) if p not in {"slug", "network", "day"}]
        if object_params:
            mixed = {**a_values, **{p: b_values[p] for p in object_params}}
            response = _request(world.client_for("owner"), method, fill(route, mixed))
            assert response.status_code in {404, 405}, (method, route, "cross-workspace id")
            assert B_MARKER not in _text(response)


LOGIN_ROUTES = [(r, cb) for r, cb in web_routes() if kind(cb) == "login"]


@pytest.mark.parametrize(("route", "callback"), LOGIN_ROUTES, ids=[r for r, _ in LOGIN_ROUTES])
def test_login_route(world: World, route: str, callback: Any) -> None:
    url = fill(route, samples(world, None))
    response = _request(Client(), "get", url)
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    for role in (Role.OWNER, Role.CUSTOMER_CARE):
        response = _request(world.client_for(role.value), "get", url)
        assert response.status_code in {200, 302, 405}
        assert B_MARKER not in _text(response)


# Public by design, besides login, invites, health and the like: the short-link redirect
# `l/<slug:code>` (analytics:short_link) — anyone who sees a post may follow its links; it
# answers a redirect or a 404 page, stores nothing about who clicked and shows no data.
PUBLIC_ROUTES = [(r, cb) for r, cb in web_routes() if kind(cb) == "public"]


@pytest.mark.parametrize(("route", "callback"), PUBLIC_ROUTES, ids=[r for r, _ in PUBLIC_ROUTES])
def test_public_route(world: World, route: str, callback: Any) -> None:
    url = fill(route, samples(world, None))
    for client in (Client(), world.client_for("owner")):
        for method in ("get", "post"):
            response = _request(client, method, url)
            # 503 is the health page saying the worker is down: an answer, not an error.
            assert response.status_code < 500 or response.status_code == 503, (method, url)
            assert B_MARKER not in _text(response)


def test_admin_is_for_staff_only(world: World) -> None:
    for client in (Client(), world.client_for("owner")):
        response = client.get("/admin/")
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
