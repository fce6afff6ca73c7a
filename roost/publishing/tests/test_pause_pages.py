"""The crisis switch's pages and API: the banner on every page for every role, the switch,
the resume review, "Paused" in the calendar and on the post, and the API's routes."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from roost.conftest import World, token_for
from roost.core import clock
from roost.publishing.models import Delivery, DeliveryStatus, Post, PostStatus, PublishingPause
from roost.publishing.services.compose import PostInput, post_compose
from roost.publishing.services.pause import publishing_pause
from roost.workspaces.models import AuditEntry
from roost.workspaces.roles import MATRIX, Perm, Role

REASON = "Outage at the roastery"


def pause(world: World, **kwargs: Any) -> PublishingPause:
    return publishing_pause(
        actor=world.members["owner"], workspace=world.a, reason=REASON, **kwargs
    )


def held_post(world: World, text: str = "Held post") -> Post:
    return post_compose(
        actor=world.members["owner"],
        data=PostInput(text=text, channel_ids=[world.a_channel.pk]),
        mode="now",
    )


def banner(html: str) -> str:
    found = re.search(r'<div class="pause-banner".*?</div>', html, re.S)
    return found.group(0) if found else ""


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_the_banner_is_on_every_page_for_every_role(world: World, role: str) -> None:
    client = world.client_for(role)
    assert banner(client.get(f"/w/{world.a.slug}/").content.decode()) == ""
    pause(world)
    html = client.get(f"/w/{world.a.slug}/").content.decode()
    shown = banner(html)
    assert "Publishing is paused." in shown and REASON in shown
    assert "Paused by Alpha Owner since" in shown
    assert f'href="/w/{world.a.slug}/publishing/pause/"' in shown
    if Perm.PAUSE_PUBLISHING in MATRIX[Role(role)]:
        assert "Review and resume" in shown and "About the pause" not in shown
    else:
        assert "About the pause" in shown and "Review and resume" not in shown
    # Another page too, and the switch page itself opens for everyone.
    assert REASON in banner(client.get(f"/w/{world.a.slug}/team/").content.decode())
    switch = client.get(f"/w/{world.a.slug}/publishing/pause/")
    assert switch.status_code == 200
    assert ('data-testid="pause-form"' in switch.content.decode()) == (
        Perm.PAUSE_PUBLISHING in MATRIX[Role(role)]
    )


def test_another_workspace_sees_no_banner(world: World) -> None:
    pause(world)
    client = Client()
    client.force_login(world.b_owner.user)
    assert banner(client.get(f"/w/{world.b.slug}/").content.decode()) == ""


def test_pausing_from_the_switch_page(world: World) -> None:
    client = world.client_for("community_manager")
    url = f"/w/{world.a.slug}/publishing/pause/start/"
    refused = client.post(url, {"reason": "  "})
    assert refused.status_code == 422
    assert "This field is required." in refused.content.decode()
    assert PublishingPause.objects.count() == 0
    done = client.post(url, {"reason": REASON, "channel": str(world.a_channel.pk)})
    assert done.status_code == 302
    p = PublishingPause.objects.get()
    assert (p.channel_id, p.reason, p.started_by_id) == (
        world.a_channel.pk,
        REASON,
        world.members["community_manager"].user_id,
    )
    again = client.post(url, {"reason": REASON, "channel": str(world.a_channel.pk)})
    assert again.status_code == 422
    assert "Publishing to Alpha Sandbox is already paused." in again.content.decode()
    page = client.get(f"/w/{world.a.slug}/").content.decode()
    assert "Publishing to Alpha Sandbox is paused." in banner(page)


def test_a_member_without_the_permission_cannot_pause(world: World) -> None:
    before = AuditEntry.objects.count()
    response = world.client_for("content_creator").post(
        f"/w/{world.a.slug}/publishing/pause/start/", {"reason": REASON}
    )
    assert response.status_code == 403
    assert PublishingPause.objects.count() == 0
    assert AuditEntry.objects.count() == before


def test_the_resume_page_refuses_undecided_then_resumes(world: World) -> None:
    the_pause = pause(world)
    post = held_post(world)
    client = world.client_for("owner")
    url = f"/w/{world.a.slug}/publishing/pause/resume/"
    page = client.get(url).content.decode()
    assert f'data-testid="review-{post.pk}"' in page
    assert "Came due during the pause" in page
    assert 'value="keep"' not in page  # overdue: it cannot keep its time
    refused = client.post(url, {})
    assert refused.status_code == 422
    assert f"“Held post” (#{post.pk})" in refused.content.decode()
    assert PublishingPause.objects.get(pk=the_pause.pk).ended_at is None
    bad_time = client.post(url, {f"decision-{post.pk}": "reschedule", f"at-{post.pk}": "soon"})
    assert bad_time.status_code == 422
    assert f"Post #{post.pk}: give the new date and time." in bad_time.content.decode()
    wall = (
        (clock.now() + timedelta(days=1))
        .astimezone(world.a.tzinfo)
        .replace(second=0, microsecond=0)
    )
    done = client.post(
        url,
        {f"decision-{post.pk}": "reschedule", f"at-{post.pk}": wall.strftime("%Y-%m-%dT%H:%M")},
    )
    assert done.status_code == 302
    assert PublishingPause.objects.get(pk=the_pause.pk).ended_at is not None
    assert list(Delivery.objects.filter(post=post).values_list("next_attempt_at", flat=True)) == [
        wall
    ]
    # Nothing is paused any more: the page says so.
    assert client.get(url).status_code == 302


def test_held_posts_show_as_paused_in_the_calendar_and_on_the_post(world: World) -> None:
    at = (clock.now() + timedelta(hours=3)).replace(microsecond=0)
    post = post_compose(
        actor=world.members["owner"],
        data=PostInput(text="Tomorrow's news", channel_ids=[world.a_channel.pk]),
        mode="at",
        at=at,
    )
    client = world.client_for("owner")
    day = at.astimezone(world.a.tzinfo).date().isoformat()
    calendar = f"/w/{world.a.slug}/calendar/day/{day}/"
    assert 'data-testid="paused"' not in client.get(calendar).content.decode()
    pause(world)
    html = client.get(calendar).content.decode()
    assert html.count('data-testid="paused"') == 1 and ">Paused</span>" in html
    listing = client.get(f"/w/{world.a.slug}/calendar/list/").content.decode()
    assert 'data-testid="paused"' in listing
    detail = client.get(f"/w/{world.a.slug}/posts/{post.pk}/").content.decode()
    assert 'data-testid="delivery-paused"' in detail
    compose = client.get(f"/w/{world.a.slug}/compose/").content.decode()
    assert 'data-testid="compose-paused"' in compose


def _api(client: Client, token: str, method: str, path: str, body: Any = None) -> Any:
    return client.generic(
        method,
        f"/api/v1/workspaces/{path}",
        data=json.dumps(body) if body is not None else "",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def test_the_api_pauses_reviews_and_resumes(world: World) -> None:
    client = Client()
    token = token_for(world.members["community_manager"])
    slug = world.a.slug
    state = _api(client, token, "GET", f"{slug}/publishing/pause").json()
    assert state == {"paused": False, "reason": "", "since": None, "by": "", "channels": []}
    made = _api(client, token, "POST", f"{slug}/publishing/pause", {"reason": REASON})
    assert made.status_code == 201
    assert made.json()["paused"] is True and made.json()["by"] == "Alpha Community Manager"
    again = _api(client, token, "POST", f"{slug}/publishing/pause", {"reason": REASON})
    assert again.status_code == 409
    post = held_post(world, "API held")
    got = _api(client, token, "GET", f"{slug}/posts/{post.pk}").json()
    assert got["paused"] is True and [d["paused"] for d in got["deliveries"]] == [True]
    assert got["status"] == PostStatus.SCHEDULED
    review = _api(client, token, "GET", f"{slug}/publishing/pause/review").json()
    assert [(r["post"], r["overdue"]) for r in review] == [(post.pk, True)]
    refused = _api(client, token, "POST", f"{slug}/publishing/resume", {"decisions": []})
    assert refused.status_code == 422
    assert f"“API held” (#{post.pk})" in json.dumps(refused.json(), ensure_ascii=False)
    naive = _api(
        client,
        token,
        "POST",
        f"{slug}/publishing/resume",
        {"decisions": [{"post": post.pk, "action": "reschedule", "at": "2031-01-01T10:00:00"}]},
    )
    assert naive.status_code == 422
    done = _api(
        client,
        token,
        "POST",
        f"{slug}/publishing/resume",
        {"decisions": [{"post": post.pk, "action": "cancel"}]},
    )
    assert done.status_code == 200 and done.json()["paused"] is False
    post.refresh_from_db()
    assert post.status == PostStatus.DRAFT
    assert list(post.deliveries.values_list("status", flat=True)) == [DeliveryStatus.PENDING]
    nothing = _api(client, token, "POST", f"{slug}/publishing/resume", {})
    assert nothing.status_code == 409
    assert _api(client, token, "GET", f"{slug}/publishing/pause/review").json() == []


def test_the_api_refuses_without_the_permission(world: World) -> None:
    client = Client()
    token = token_for(world.members["content_creator"])
    response = _api(client, token, "POST", f"{world.a.slug}/publishing/pause", {"reason": "x"})
    assert response.status_code == 403
    assert PublishingPause.objects.count() == 0
