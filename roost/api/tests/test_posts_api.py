"""The posts API: create, edit, schedule, cancel, list by range, validate, upload media —
through the same services as the compose page, with errors that name what is wrong."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from io import BytesIO
from typing import Any
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from roost.channels.models import Channel
from roost.conftest import B_MARKER, World, make_channel, token_for
from roost.networks.sandbox.testing import SandboxHandle
from roost.publishing.models import (
    Delivery,
    DeliveryStatus,
    MediaAsset,
    Post,
    PostStatus,
    PostVariant,
    Tag,
)
from roost.publishing.services.compose import PostInput, post_compose
from roost.publishing.services.scheduling import post_schedule
from roost.publishing.tests import conftest as publishing_fixtures
from roost.publishing.tests.conftest import drain
from roost.workspaces.models import AuditEntry

BASE = "/api/v1/workspaces/alpha"

# The real local Sandbox and two channels connected through it (publishing's fixtures).
sandbox = publishing_fixtures.sandbox
channels = publishing_fixtures.channels


def call(method: str, url: str, token: str, body: Any = None) -> Any:
    return Client().generic(
        method,
        url,
        data=json.dumps(body) if body is not None else "",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def png(width: int = 32, height: int = 20) -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (width, height), (30, 140, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


def upload(token: str, name: str, content: bytes, **fields: str) -> Any:
    return Client().post(
        f"{BASE}/media",
        {"file": SimpleUploadedFile(name, content), **fields},
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def parse(value: str) -> datetime:
    return datetime.fromisoformat(value)


def snapshot() -> dict[str, int]:
    """Row counts of everything a post write could touch."""
    return {
        "posts": Post.objects.count(),
        "deliveries": Delivery.objects.count(),
        "variants": PostVariant.objects.count(),
        "tags": Tag.objects.count(),
        "media": MediaAsset.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


@pytest.fixture
def manager(world: World) -> Any:
    return world.members["social_media_manager"]


@pytest.fixture
def token(manager: Any) -> str:
    return token_for(manager, ["read", "posts:write"])


@pytest.fixture
def second(world: World) -> Channel:
    """A second channel of workspace A (stored directly; nothing here publishes to it)."""
    return make_channel(world.a, "Beta Sandbox")


def scheduled(world: World, channels: list[Channel], at: datetime, text: str) -> Post:
    """A post scheduled through the services (the API's list reads them)."""
    actor = world.members["social_media_manager"]
    return post_compose(
        actor=actor,
        data=PostInput(text=text, channel_ids=[c.pk for c in channels]),
        mode="at",
        at=at,
    )


# --- create ---------------------------------------------------------------------------


def test_create_a_draft_returns_it_whole_and_audits(
    world: World, token: str, second: Channel
) -> None:
    before = snapshot()
    response = call(
        "POST",
        f"{BASE}/posts",
        token,
        {
            "text": "Spring menu is out",
            "channels": [world.a_channel.pk, second.pk],
            "variants": {str(second.pk): "Beta: spring menu", str(world.a_channel.pk): ""},
            "thread": ["More below", "  "],
            "tags": ["menu", " spring ", "menu"],
            "options": {"language": "en"},
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    post = Post.objects.get(pk=body["id"])
    assert body == {
        "id": post.pk,
        "status": "draft",
        "text": "Spring menu is out",
        "thread": ["More below"],
        "variants": {str(second.pk): "Beta: spring menu"},
        "media": [],
        "campaign": None,
        "tags": ["menu", "spring"],
        "options": {"language": "en"},
        "scheduled_at": None,
        "author": "social_media_manager@alpha.test",
        "paused": False,
        "deliveries": [
            {
                "channel": world.a_channel.pk,
                "channel_name": "Alpha Sandbox",
                "network": "sandbox",
                "status": "pending",
                "due_at": None,
                "published_at": None,
                "url": "",
                "error": "",
                "paused": False,
            },
            {
                "channel": second.pk,
                "channel_name": "Beta Sandbox",
                "network": "sandbox",
                "status": "pending",
                "due_at": None,
                "published_at": None,
                "url": "",
                "error": "",
                "paused": False,
            },
        ],
    }
    # The empty variant is not stored: that channel follows the main text.
    assert list(PostVariant.objects.filter(post=post).values_list("channel_id", "text")) == [
        (second.pk, "Beta: spring menu")
    ]
    after = snapshot()
    assert after["posts"] == before["posts"] + 1
    assert after["deliveries"] == before["deliveries"] + 2
    entry = AuditEntry.objects.get(workspace=world.a, action="post.created", target_id=post.pk)
    assert entry.actor == world.members["social_media_manager"].user
    assert entry.data == {"channels": sorted([world.a_channel.pk, second.pk])}


def test_at_without_offset_is_a_wall_clock_time_in_the_workspace_zone(
    world: World, token: str, second: Channel
) -> None:
    second.timezone = "America/New_York"
    second.save(update_fields=["timezone"])
    response = call(
        "POST",
        f"{BASE}/posts",
        token,
        {
            "text": "Winter sale",
            "channels": [world.a_channel.pk, second.pk],
            "schedule": {"mode": "at", "at": "2031-01-15T09:30:00"},
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    due = {d["channel"]: parse(d["due_at"]) for d in body["deliveries"]}
    # 09:30 in Warsaw is 08:30 UTC in winter (CET); the New York channel reads its own zone.
    assert due == {world.a_channel.pk: utc(2031, 1, 15, 8, 30), second.pk: utc(2031, 1, 15, 14, 30)}
    assert body["status"] == "scheduled"
    assert parse(body["scheduled_at"]) == utc(2031, 1, 15, 8, 30)
    stored = {d.channel_id: (d.status, d.due_at, d.next_attempt_at) for d in Delivery.objects.all()}
    assert stored[world.a_channel.pk] == (
        DeliveryStatus.SCHEDULED,
        utc(2031, 1, 15, 8, 30),
        utc(2031, 1, 15, 8, 30),
    )
    # In summer Warsaw is UTC+2 (CEST).
    response = call(
        "POST",
        f"{BASE}/posts",
        token,
        {
            "text": "Summer sale",
            "channels": [world.a_channel.pk],
            "schedule": {"mode": "at", "at": "2031-07-15T09:30:00"},
        },
    )
    assert response.status_code == 201, response.content
    assert parse(response.json()["deliveries"][0]["due_at"]) == utc(2031, 7, 15, 7, 30)


def test_at_with_an_offset_is_that_instant_for_every_channel(
    world: World, token: str, second: Channel
) -> None:
    second.timezone = "America/New_York"
    second.save(update_fields=["timezone"])
    response = call(
        "POST",
        f"{BASE}/posts",
        token,
        {
            "text": "Launch",
            "channels": [world.a_channel.pk, second.pk],
            "schedule": {"mode": "at", "at": "2031-01-15T09:30:00+05:00"},
        },
    )
    assert response.status_code == 201, response.content
    post = Post.objects.get(pk=response.json()["id"])
    assert sorted(d.due_at for d in post.deliveries.all()) == [utc(2031, 1, 15, 4, 30)] * 2
    assert post.scheduled_at == utc(2031, 1, 15, 4, 30)


def test_publish_now_goes_out_and_get_shows_the_link(
    world: World, channels: list[Channel], sandbox: SandboxHandle
) -> None:
    token = token_for(world.members["social_media_manager"], ["read", "posts:write"])
    coffee, tea = channels
    response = call(
        "POST",
        f"{BASE}/posts",
        token,
        {
            "text": "Fresh beans",
            "channels": [coffee.pk, tea.pk],
            "variants": {str(tea.pk): "Fresh leaves"},
            "schedule": {"mode": "now"},
        },
    )
    assert response.status_code == 201, response.content
    post_id = response.json()["id"]
    assert [d["status"] for d in response.json()["deliveries"]] == ["scheduled", "scheduled"]
    drain()
    response = call("GET", f"{BASE}/posts/{post_id}", token)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "published"
    assert [d["channel_name"] for d in body["deliveries"]] == ["Coffee Sandbox", "Tea Sandbox"]
    for d in body["deliveries"]:
        assert d["status"] == "published"
        assert d["url"].startswith(f"{sandbox.url}/posts/")
        assert d["published_at"] is not None
        assert d["error"] == ""
    stored = {d.channel_id: d for d in Delivery.objects.filter(post_id=post_id)}
    assert sandbox.stats()["by_key"] == {f"{d.idempotency_key}:0": 1 for d in stored.values()}
    assert {d["url"] for d in body["deliveries"]} == {d.remote_url for d in stored.values()}


def test_queue_without_slots_is_refused_naming_the_channel(world: World, token: str) -> None:
    before = snapshot()
    response = call(
        "POST",
        f"{BASE}/posts",
        token,
        {"text": "Queued", "channels": [world.a_channel.pk], "schedule": {"mode": "queue"}},
    )
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "type": "value_error",
            "loc": ["body", "payload", "scheduled_at"],
            "msg": "Alpha Sandbox has no queue slots yet: add some in its settings.",
        }
    ]
    assert snapshot() == before


def test_at_without_a_time_and_an_unknown_mode_are_refused(world: World, token: str) -> None:
    before = snapshot()
    for schedule, message in [
        ({"mode": "at"}, "Choose a date and time."),
        ({"mode": "someday"}, "Choose draft, now, a time, or the queue."),
        (
            {"mode": "at", "at": "2020-01-01T10:00:00"},
            "2020-01-01 10:00 (Europe/Warsaw) is in the past. Choose a later time.",
        ),
    ]:
        response = call(
            "POST",
            f"{BASE}/posts",
            token,
            {"text": "Hi", "channels": [world.a_channel.pk], "schedule": schedule},
        )
        assert response.status_code == 422, schedule
        assert [i["msg"] for i in response.json()["detail"]] == [message]
    assert snapshot() == before


# --- validate -------------------------------------------------------------------------


def test_validate_returns_each_channels_problems_and_saves_nothing(
    world: World, token: str, second: Channel
) -> None:
    before = snapshot()
    response = call(
        "POST",
        f"{BASE}/posts/validate",
        token,
        {
            "text": "x" * 501,
            "channels": [world.a_channel.pk, second.pk],
            "variants": {str(second.pk): "Short enough"},
        },
    )
    assert response.status_code == 200
    assert response.json() == {
        "ok": False,
        "problems": {
            f"channel:{world.a_channel.pk}": [
                "Alpha Sandbox (Sandbox): Sandbox allows 500 characters per post; this one has 501."
            ]
        },
    }
    response = call(
        "POST", f"{BASE}/posts/validate", token, {"text": "x" * 500, "channels": [second.pk]}
    )
    assert response.json() == {"ok": True, "problems": {}}
    response = call("POST", f"{BASE}/posts/validate", token, {"text": "", "channels": []})
    assert response.json() == {
        "ok": False,
        "problems": {
            "channels": ["Choose at least one channel."],
            "text": ["Write something, or add an image."],
        },
    }
    assert snapshot() == before


# --- list by range --------------------------------------------------------------------


def test_list_by_range_returns_exactly_the_posts_in_it(
    world: World, token: str, second: Channel
) -> None:
    early = scheduled(world, [world.a_channel], datetime(2031, 3, 2, 10, 0), "Early")
    both = scheduled(world, [world.a_channel, second], datetime(2031, 3, 10, 10, 0), "Both")
    only_second = scheduled(world, [second], datetime(2031, 3, 20, 10, 0), "Second")
    scheduled(world, [world.a_channel], datetime(2031, 4, 2, 10, 0), "April")
    # A post of workspace B in the same range never shows.
    post_schedule(actor=world.b_owner, post=world.b_post, mode="at", at=utc(2031, 3, 10, 9, 0))

    def ids(query: str) -> list[int]:
        response = call("GET", f"{BASE}/posts?{query}", token)
        assert response.status_code == 200, response.content
        assert B_MARKER not in response.content.decode()
        return [p["id"] for p in response.json()]

    march = "start=2031-03-01T00:00:00Z&end=2031-04-01T00:00:00Z"
    assert ids(march) == [early.pk, both.pk, only_second.pk]
    assert ids(f"{march}&channel={world.a_channel.pk}") == [early.pk, both.pk]
    assert ids(f"{march}&channel={second.pk}") == [both.pk, only_second.pk]
    assert ids(f"{march}&channel={world.b_channel.pk}") == []
    # 10:00 in Warsaw is 09:00 UTC: the end is exclusive, the start inclusive.
    assert ids("start=2031-03-10T09:00:00Z&end=2031-03-20T09:00:00Z") == [both.pk]
    # Without an offset the bounds are wall-clock times in the workspace's zone (Warsaw).
    assert ids("start=2031-03-10T10:00:00&end=2031-03-20T10:00:00") == [both.pk]
    assert ids("start=2031-03-10T10:00:00&end=2031-03-20T09:00:01Z") == [both.pk, only_second.pk]
    assert ids(urlencode({"start": "2031-03-10T11:00:00+01:00", "end": "2031-04-01"})) == [
        only_second.pk
    ]
    assert ids(f"{march}&status=draft") == []
    # Drafts have no time and are never in a range.
    assert world.a_post.pk not in ids("start=2020-01-01T00:00:00Z&end=2020-04-01T00:00:00Z")


def test_list_range_must_be_forward_and_at_most_92_days(world: World, token: str) -> None:
    message = "end must be after start, at most 92 days later."
    for query in [
        "start=2031-01-01T00:00:00Z&end=2031-04-04T00:00:00Z",  # 93 days
        "start=2031-01-01T00:00:00Z&end=2031-04-03T12:00:00Z",  # 92 days and 12 hours
        "start=2031-01-02T00:00:00Z&end=2031-01-01T00:00:00Z",
        "start=2031-01-01T00:00:00Z&end=2031-01-01T00:00:00Z",
    ]:
        response = call("GET", f"{BASE}/posts?{query}", token)
        assert response.status_code == 422, query
        assert [i["msg"] for i in response.json()["detail"]] == [message]
    exactly = call(
        "GET", f"{BASE}/posts?start=2031-01-01T00:00:00Z&end=2031-04-03T00:00:00Z", token
    )
    assert exactly.status_code == 200
    assert exactly.json() == []


# --- edit -----------------------------------------------------------------------------


def test_put_edits_content_and_variants_follow_the_main_text_until_set(
    world: World, token: str, second: Channel
) -> None:
    created = call(
        "POST",
        f"{BASE}/posts",
        token,
        {"text": "First words", "channels": [world.a_channel.pk, second.pk]},
    ).json()
    post_id = created["id"]
    url = f"{BASE}/posts/{post_id}"
    assert created["variants"] == {}

    response = call(
        "PUT",
        url,
        token,
        {
            "text": "Second words",
            "channels": [world.a_channel.pk, second.pk],
            "variants": {str(second.pk): "Beta's own words"},
            "tags": ["news"],
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["text"] == "Second words"
    assert body["variants"] == {str(second.pk): "Beta's own words"}
    assert body["tags"] == ["news"]
    post = Post.objects.get(pk=post_id)
    from roost.publishing.content import channel_text

    assert channel_text(post, world.a_channel.pk) == "Second words"
    assert channel_text(post, second.pk) == "Beta's own words"

    # Emptying the variant makes the channel follow the main text again; dropping a
    # channel removes its delivery; the delivery rows of kept channels stay the same.
    kept = Delivery.objects.get(post_id=post_id, channel=world.a_channel).pk
    response = call(
        "PUT",
        url,
        token,
        {"text": "Third words", "channels": [world.a_channel.pk], "variants": {}},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["variants"] == {}
    assert body["tags"] == []
    assert [d["channel"] for d in body["deliveries"]] == [world.a_channel.pk]
    assert list(Delivery.objects.filter(post_id=post_id).values_list("pk", flat=True)) == [kept]
    assert PostVariant.objects.filter(post_id=post_id).count() == 0
    post.refresh_from_db()
    assert channel_text(post, world.a_channel.pk) == "Third words"
    assert list(
        AuditEntry.objects.filter(target_id=post_id, action__startswith="post.")
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["post.created", "post.updated", "post.updated"]


def test_put_with_errors_changes_nothing(world: World, token: str, second: Channel) -> None:
    post = world.a_post
    before = snapshot()
    response = call(
        "PUT",
        f"{BASE}/posts/{post.pk}",
        token,
        {
            "text": "y" * 501,
            "channels": [world.a_channel.pk, second.pk],
            "variants": {str(second.pk): "fine"},
            "tags": ["new-tag"],
            "schedule": {"mode": "at", "at": "2031-01-15T09:30:00"},
        },
    )
    assert response.status_code == 422
    assert [(i["loc"][-1], i["msg"]) for i in response.json()["detail"]] == [
        (
            f"channel:{world.a_channel.pk}",
            "Alpha Sandbox (Sandbox): Sandbox allows 500 characters per post; this one has 501.",
        )
    ]
    assert snapshot() == before
    post.refresh_from_db()
    assert (post.text, post.status, post.scheduled_at) == ("Alpha news", PostStatus.DRAFT, None)
    assert list(post.deliveries.values_list("channel_id", "status")) == [
        (world.a_channel.pk, DeliveryStatus.PENDING)
    ]


def test_editing_or_rescheduling_a_published_post_is_a_conflict(
    world: World, channels: list[Channel], sandbox: SandboxHandle, token: str
) -> None:
    coffee = channels[0]
    post_id = call(
        "POST",
        f"{BASE}/posts",
        token,
        {"text": "Out now", "channels": [coffee.pk], "schedule": {"mode": "now"}},
    ).json()["id"]
    drain()
    before = snapshot()
    response = call(
        "PUT", f"{BASE}/posts/{post_id}", token, {"text": "Changed", "channels": [coffee.pk]}
    )
    assert response.status_code == 409
    assert response.json() == {
        "detail": "This post is already publishing or published; its content can no longer change."
    }
    response = call(
        "POST",
        f"{BASE}/posts/{post_id}/schedule",
        token,
        {"mode": "at", "at": "2031-01-15T09:30:00"},
    )
    assert response.status_code == 409
    assert response.json() == {"detail": "This post is already publishing or published."}
    assert snapshot() == before
    post = Post.objects.get(pk=post_id)
    assert (post.text, post.status) == ("Out now", PostStatus.PUBLISHED)
    assert sandbox.stats()["by_key"] == {f"{post.deliveries.get().idempotency_key}:0": 1}


# --- schedule and cancel --------------------------------------------------------------


def test_schedule_reschedule_cancel_and_schedule_again(world: World, token: str) -> None:
    url = f"{BASE}/posts/{world.a_post.pk}"
    response = call("POST", f"{url}/schedule", token, {"mode": "at", "at": "2031-05-04T12:00:00"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "scheduled"
    assert parse(body["scheduled_at"]) == utc(2031, 5, 4, 10, 0)  # 12:00 CEST
    assert [(d["status"], parse(d["due_at"])) for d in body["deliveries"]] == [
        ("scheduled", utc(2031, 5, 4, 10, 0))
    ]

    response = call(
        "POST", f"{url}/schedule", token, {"mode": "at", "at": "2031-05-05T08:15:00+00:00"}
    )
    assert response.status_code == 200
    assert parse(response.json()["deliveries"][0]["due_at"]) == utc(2031, 5, 5, 8, 15)

    response = call("POST", f"{url}/cancel", token)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "cancelled"
    assert [(d["status"], d["error"]) for d in body["deliveries"]] == [("cancelled", "")]

    response = call("POST", f"{url}/schedule", token, {"mode": "draft"})
    assert response.status_code == 422
    assert [i["msg"] for i in response.json()["detail"]] == [
        "Use cancel to take a post off the schedule."
    ]
    response = call("POST", f"{url}/schedule", token, {"mode": "whenever"})
    assert response.status_code == 422
    assert [i["msg"] for i in response.json()["detail"]] == [
        "Choose draft, now, a time, or the queue."
    ]
    assert Post.objects.get(pk=world.a_post.pk).status == PostStatus.CANCELLED

    response = call("POST", f"{url}/schedule", token, {"mode": "at", "at": "2031-06-01T09:00:00"})
    assert response.status_code == 200
    assert response.json()["status"] == "scheduled"
    assert response.json()["deliveries"][0]["status"] == "scheduled"
    actions = list(
        AuditEntry.objects.filter(target_id=world.a_post.pk, action__startswith="post.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "post.created",
        "post.scheduled",
        "post.scheduled",
        "post.cancelled",
        "post.scheduled",
    ]


def test_schedule_into_the_past_is_refused_and_changes_nothing(world: World, token: str) -> None:
    before = snapshot()
    response = call(
        "POST",
        f"{BASE}/posts/{world.a_post.pk}/schedule",
        token,
        {"mode": "at", "at": "2020-02-01T10:00:00"},
    )
    assert response.status_code == 422
    assert [i["msg"] for i in response.json()["detail"]] == [
        "2020-02-01 10:00 (Europe/Warsaw) is in the past. Choose a later time."
    ]
    assert snapshot() == before
    world.a_post.refresh_from_db()
    assert world.a_post.status == PostStatus.DRAFT


# --- media ----------------------------------------------------------------------------


def test_upload_a_png_to_the_library(world: World, token: str) -> None:
    content = png(32, 20)
    response = upload(token, "pixel.png", content, alt_text="  A blue square ")
    assert response.status_code == 201, response.content
    body = response.json()
    asset = MediaAsset.objects.get(pk=body["id"])
    assert body == {
        "id": asset.pk,
        "name": "pixel.png",
        "mime_type": "image/png",
        "width": 32,
        "height": 20,
        "size": len(content),
        "alt_text": "A blue square",
    }
    assert asset.workspace == world.a
    assert asset.uploaded_by == world.members["social_media_manager"].user
    with asset.file.open("rb") as handle:
        assert handle.read() == content
    # The asset can go on a post, which reports it.
    response = call(
        "POST",
        f"{BASE}/posts",
        token,
        {"text": "", "channels": [world.a_channel.pk], "media": [asset.pk]},
    )
    assert response.status_code == 201, response.content
    assert response.json()["media"] == [asset.pk]


def test_upload_refuses_what_is_not_a_usable_image(world: World, token: str) -> None:
    before = snapshot()
    response = upload(token, "notes.png", b"just some text, not a picture")
    assert response.status_code == 422
    assert [(i["loc"][-1], i["msg"]) for i in response.json()["detail"]] == [
        ("file", "notes.png is not an image Roost can publish (JPEG, PNG, GIF or WebP).")
    ]
    response = upload(token, "tiny.png", png(8, 8))
    assert response.status_code == 422
    assert [i["msg"] for i in response.json()["detail"]] == [
        "tiny.png is 8 x 8 pixels; images must be between 16 and 8000 pixels on each side."
    ]
    assert snapshot() == before


# --- who may -------------------------------------------------------------------------


def test_a_read_only_token_may_read_but_not_write(world: World, second: Channel) -> None:
    token = token_for(world.members["social_media_manager"], ["read"])
    post = world.a_post
    assert call("GET", f"{BASE}/posts/{post.pk}", token).status_code == 200
    validate = call(
        "POST", f"{BASE}/posts/validate", token, {"text": "Hi", "channels": [second.pk]}
    )
    assert validate.status_code == 200
    before = snapshot()
    body = {"text": "Nope", "channels": [world.a_channel.pk], "schedule": {"mode": "now"}}
    refused = [
        call("POST", f"{BASE}/posts", token, body),
        call("PUT", f"{BASE}/posts/{post.pk}", token, body),
        call("POST", f"{BASE}/posts/{post.pk}/schedule", token, {"mode": "now"}),
        call("POST", f"{BASE}/posts/{post.pk}/cancel", token),
        upload(token, "pixel.png", png()),
    ]
    for response in refused:
        assert response.status_code == 403
        assert response.json() == {"detail": "This token lacks the “posts:write” scope."}
    assert snapshot() == before
    post.refresh_from_db()
    assert (post.text, post.status) == ("Alpha news", PostStatus.DRAFT)


def test_a_role_without_compose_is_refused_even_with_the_scope(world: World) -> None:
    token = token_for(world.members["analyst"], ["read", "posts:write"])
    before = snapshot()
    body = {"text": "Nope", "channels": [world.a_channel.pk]}
    for response in [
        call("POST", f"{BASE}/posts", token, body),
        call("POST", f"{BASE}/posts/{world.a_post.pk}/cancel", token),
        upload(token, "pixel.png", png()),
    ]:
        assert response.status_code == 403
        assert response.json() == {"detail": "Your role in this workspace does not allow that."}
    assert snapshot() == before


def test_workspace_b_posts_are_not_found_and_its_channels_not_usable(
    world: World, token: str
) -> None:
    b_post = world.b_post
    before = snapshot()
    body = {"text": "Hijack", "channels": [world.a_channel.pk]}
    for response in [
        call("GET", f"{BASE}/posts/{b_post.pk}", token),
        call("PUT", f"{BASE}/posts/{b_post.pk}", token, body),
        call("POST", f"{BASE}/posts/{b_post.pk}/schedule", token, {"mode": "now"}),
        call("POST", f"{BASE}/posts/{b_post.pk}/cancel", token),
    ]:
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}
    # A channel of B in the body is named by id only, as one that does not exist.
    response = call(
        "POST", f"{BASE}/posts", token, {"text": "Hijack", "channels": [world.b_channel.pk]}
    )
    assert response.status_code == 422
    assert [i["msg"] for i in response.json()["detail"]] == [
        f"Channel {world.b_channel.pk} does not exist (it may have been deleted)."
    ]
    assert B_MARKER not in response.content.decode()
    # A's token on B's URL: not found, whatever the ids.
    response = call("GET", f"/api/v1/workspaces/{world.b.slug}/posts/{b_post.pk}", token)
    assert response.status_code == 404
    assert snapshot() == before
    b_post.refresh_from_db()
    assert (b_post.text, b_post.status) == (f"Post {B_MARKER}", PostStatus.DRAFT)


def test_nothing_is_half_saved_when_one_part_is_wrong(
    world: World, token: str, second: Channel
) -> None:
    before = snapshot()
    response = call(
        "POST",
        f"{BASE}/posts",
        token,
        {
            "text": "Mostly fine",
            "channels": [world.a_channel.pk, second.pk, world.b_channel.pk],
            "variants": {str(second.pk): "z" * 501},
            "tags": ["fresh"],
            "media": [999999],
            "schedule": {"mode": "at", "at": "2020-05-01T10:00:00"},
        },
    )
    assert response.status_code == 422
    by_field: dict[str, list[str]] = {}
    for item in response.json()["detail"]:
        by_field.setdefault(item["loc"][-1], []).append(item["msg"])
    assert by_field == {
        "channels": [f"Channel {world.b_channel.pk} does not exist (it may have been deleted)."],
        "media": ["Some media are not in this workspace's library."],
        f"channel:{second.pk}": [
            "Beta Sandbox (Sandbox): Sandbox allows 500 characters per post; this one has 501."
        ],
        "scheduled_at": ["2020-05-01 10:00 (Europe/Warsaw) is in the past. Choose a later time."],
    }
    assert snapshot() == before
    assert not Tag.objects.filter(name="fresh").exists()
