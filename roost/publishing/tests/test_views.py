"""Compose, the post page, the media library and campaigns: what a person sees, what is
saved, and that a refused form saves nothing and says every reason."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from io import BytesIO
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from roost.channels.models import Channel, ChannelStatus
from roost.channels.services import channel_set_access
from roost.conftest import B_MARKER, World, make_channel
from roost.networks.sandbox.testing import SandboxHandle
from roost.publishing.models import (
    Campaign,
    Delivery,
    DeliveryStatus,
    MediaAsset,
    Post,
    PostStatus,
    PostVariant,
    Tag,
)
from roost.publishing.tests.conftest import drain
from roost.workspaces.models import AuditEntry

COMPOSE = "/w/alpha/compose/"
VALIDATE = "/w/alpha/compose/validate/"


def post_url(post: Post | int, action: str = "") -> str:
    pk = post if isinstance(post, int) else post.pk
    return f"/w/alpha/posts/{pk}/" + (f"{action}/" if action else "")


def text_of(response: Any) -> str:
    return response.content.decode()


def flashed(client: Client, response: Any) -> list[str]:
    """The messages a person sees on the page a redirect leads to."""
    assert response.status_code == 302, response.status_code
    page = client.get(response["Location"])
    return re.findall(r'<li class="msg-\w+">(.*?)</li>', text_of(page))


def delivery_rows(html: str) -> dict[str, str]:
    """The post page's per-channel rows, by channel name."""
    return dict(re.findall(r'<tr data-delivery="([^"]+)">(.*?)</tr>', html, flags=re.S))


def compose_errors(html: str) -> list[str]:
    box = re.search(r'data-testid="compose-errors">(.*?)</div>', html, flags=re.S)
    return re.findall(r"<p>(.*?)</p>", box.group(1)) if box else []


def png(width: int = 32, height: int = 20) -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (width, height), (250, 200, 0)).save(buffer, format="PNG")
    return buffer.getvalue()


def snapshot() -> dict[str, int]:
    return {
        "posts": Post.objects.count(),
        "deliveries": Delivery.objects.count(),
        "variants": PostVariant.objects.count(),
        "tags": Tag.objects.count(),
        "media": MediaAsset.objects.count(),
        "campaigns": Campaign.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


@pytest.fixture
def manager(world: World) -> Client:
    return world.client_for("social_media_manager")


@pytest.fixture
def second(world: World) -> Channel:
    """A second channel of workspace A, in its own time zone."""
    return make_channel(world.a, "Beta Sandbox", tz="America/New_York")


# --- compose --------------------------------------------------------------------------


def test_compose_page_lists_the_members_channels(world: World, second: Channel) -> None:
    gone = make_channel(world.a, "Gone Sandbox")
    gone.status = ChannelStatus.DISCONNECTED
    gone.save(update_fields=["status"])
    response = world.client_for("social_media_manager").get(COMPOSE)
    assert response.status_code == 200
    html = text_of(response)
    picker = html.split('data-testid="channel-picker"', 1)[1].split("</fieldset>", 1)[0]
    assert re.findall(r'name="channels" value="(\d+)"', picker) == [
        str(world.a_channel.pk),
        str(second.pk),
    ]
    assert f'<label for="variant_{second.pk}">Text for Beta Sandbox</label>' in picker
    assert "Gone Sandbox" not in html
    assert B_MARKER not in html
    assert "Times are in Europe/Warsaw" in html

    # A member limited to some channels sees only those.
    creator = world.members["content_creator"]
    channel_set_access(
        actor=world.members["owner"], member=creator, all_channels=False, channel_ids=[second.pk]
    )
    html = text_of(world.client_for("content_creator").get(COMPOSE))
    assert re.findall(r'name="channels" value="(\d+)"', html) == [str(second.pk)]
    # Roles without Compose do not get the page.
    assert world.client_for("analyst").get(COMPOSE).status_code == 403


def test_compose_schedules_at_a_wall_time_in_each_channels_zone(
    world: World, manager: Client, second: Channel
) -> None:
    campaign = Campaign.objects.create(workspace=world.a, name="Winter")
    before = snapshot()
    response = manager.post(
        COMPOSE,
        {
            "text": "Winter sale\r\nstarts now",
            "channels": [str(world.a_channel.pk), str(second.pk)],
            f"variant_{world.a_channel.pk}": "",
            f"variant_{second.pk}": "Winter sale for New York",
            "thread": "Part two\r\n---\r\nPart three",
            "tags": "sale, winter",
            "campaign": str(campaign.pk),
            "mode": "at",
            "scheduled_at": "2031-01-15T09:30",
        },
    )
    assert response.status_code == 302
    post = Post.objects.latest("id")
    assert response["Location"] == post_url(post)
    assert flashed(manager, response) == ["Post saved."]
    assert (post.text, post.thread, post.campaign, post.status) == (
        "Winter sale\nstarts now",
        ["Part two", "Part three"],
        campaign,
        PostStatus.SCHEDULED,
    )
    assert sorted(t.name for t in post.tags.all()) == ["sale", "winter"]
    assert list(post.variants.values_list("channel_id", "text")) == [
        (second.pk, "Winter sale for New York")
    ]
    due = {d.channel_id: (d.status, d.due_at) for d in post.deliveries.all()}
    assert due == {
        # 09:30 in Warsaw (CET) and 09:30 in New York (EST).
        world.a_channel.pk: (DeliveryStatus.SCHEDULED, utc(2031, 1, 15, 8, 30)),
        second.pk: (DeliveryStatus.SCHEDULED, utc(2031, 1, 15, 14, 30)),
    }
    assert post.scheduled_at == utc(2031, 1, 15, 8, 30)
    assert post.author == world.members["social_media_manager"].user
    after = snapshot()
    assert (after["posts"], after["deliveries"], after["variants"]) == (
        before["posts"] + 1,
        before["deliveries"] + 2,
        before["variants"] + 1,
    )
    assert list(
        AuditEntry.objects.filter(target_type="post", target_id=str(post.pk))
        .order_by("id")
        .values_list("action")
    ) == [("post.created",), ("post.scheduled",)]


def test_compose_with_errors_shows_every_message_and_saves_nothing(
    world: World, manager: Client, second: Channel
) -> None:
    before = snapshot()
    response = manager.post(COMPOSE, {"text": "", "mode": "draft"})
    assert response.status_code == 422
    assert compose_errors(text_of(response)) == [
        "Choose at least one channel.",
        "Write something, or add an image.",
    ]

    gone = make_channel(world.a, "Gone Sandbox")
    gone.status = ChannelStatus.DISCONNECTED
    gone.save(update_fields=["status"])
    long_text = "x" * 501
    response = manager.post(
        COMPOSE,
        {
            "text": long_text,
            "channels": [str(world.a_channel.pk), str(second.pk), str(gone.pk)],
            f"variant_{second.pk}": "Short for Beta",
            "tags": "never-saved",
            "mode": "at",
            "scheduled_at": "2020-01-01T10:00",
        },
    )
    assert response.status_code == 422
    html = text_of(response)
    assert compose_errors(html) == [
        "Gone Sandbox is disconnected; reconnect it or choose another channel.",
        "2020-01-01 10:00 (Europe/Warsaw) is in the past. Choose a later time.",
    ]
    # The channel's own problem is shown under that channel, naming the network and limit.
    assert (
        '<p class="error" role="alert">Alpha Sandbox (Sandbox): Sandbox allows 500 characters '
        "per post; this one has 501.</p>"
    ) in html
    assert html.count('<p class="error" role="alert">') == 1
    # What the person typed is kept.
    assert f">{long_text}</textarea>" in html
    assert ">Short for Beta</textarea>" in html
    assert f'value="{second.pk}" checked' in html
    assert 'value="2020-01-01T10:00"' in html
    assert snapshot() == before


def test_compose_with_an_unreadable_time_still_reports_the_content_problems(
    world: World, manager: Client
) -> None:
    before = snapshot()
    response = manager.post(
        COMPOSE, {"text": "", "channels": [], "mode": "at", "scheduled_at": "next tuesday"}
    )
    assert response.status_code == 422
    html = text_of(response)
    assert compose_errors(html) == [
        "Enter a date and time like 2026-12-24 09:30.",
        "Choose at least one channel.",
        "Write something, or add an image.",
    ]
    assert snapshot() == before


def test_validate_returns_the_checks_partial(
    world: World, manager: Client, second: Channel
) -> None:
    before = snapshot()
    response = manager.post(
        VALIDATE,
        {
            "text": "x" * 501,
            "channels": [str(world.a_channel.pk), str(second.pk)],
            f"variant_{second.pk}": "Fine for Beta",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = text_of(response).strip()
    assert html.startswith('<div id="checks"') and html.endswith("</div>")
    assert "<html" not in html
    lines = re.findall(r"<p>(.*?)</p>", html, flags=re.S)
    assert lines == [
        '<span class="bad">✗</span> Alpha Sandbox: Alpha Sandbox (Sandbox): Sandbox allows 500 '
        "characters per post; this one has 501.",
        '<span class="ok">✓</span> Beta Sandbox',
    ]
    response = manager.post(
        VALIDATE, {"text": "All good", "channels": [str(second.pk)]}, HTTP_HX_REQUEST="true"
    )
    assert re.findall(r"<p>(.*?)</p>", text_of(response)) == [
        '<span class="ok">✓</span> Beta Sandbox'
    ]
    # Another workspace's channel is never listed.
    response = manager.post(
        VALIDATE, {"text": "Hi", "channels": [str(world.b_channel.pk)]}, HTTP_HX_REQUEST="true"
    )
    assert re.findall(r"<p>(.*?)</p>", text_of(response)) == []
    assert B_MARKER not in text_of(response)
    assert manager.get(VALIDATE).status_code == 405
    assert snapshot() == before


# --- the post page --------------------------------------------------------------------


def test_post_page_shows_each_channel_and_the_published_links(
    world: World, channels: list[Channel], sandbox: SandboxHandle
) -> None:
    coffee, tea = channels
    client = world.client_for("social_media_manager")
    response = client.post(
        COMPOSE,
        {
            "text": "Fresh beans",
            "channels": [str(coffee.pk), str(tea.pk)],
            f"variant_{tea.pk}": "Fresh leaves",
            "mode": "now",
        },
    )
    assert response.status_code == 302
    post = Post.objects.latest("id")
    html = text_of(client.get(post_url(post)))
    rows = delivery_rows(html)
    assert list(rows) == ["Coffee Sandbox", "Tea Sandbox"]
    for row in rows.values():
        assert '<td class="state-scheduled">Scheduled</td>' in row
        assert "published-link" not in row

    drain()
    html = text_of(client.get(post_url(post)))
    assert '<span class="pill" data-testid="post-status">Published</span>' in html
    rows = delivery_rows(html)
    for delivery in post.deliveries.select_related("channel"):
        row = rows[delivery.channel.name]
        assert delivery.remote_url.startswith(f"{sandbox.url}/posts/")
        assert '<td class="state-published">Published</td>' in row
        assert (
            f'<a href="{delivery.remote_url}" rel="noopener" data-testid="published-link">'
            "View post</a>"
        ) in row
    # A published post offers no edit, schedule or cancel, and refuses them if sent anyway.
    assert post_url(post, "edit") not in html
    assert post_url(post, "schedule") not in html
    before = snapshot()
    response = client.post(post_url(post, "edit"), {"text": "Changed", "channels": [coffee.pk]})
    assert response.status_code == 422
    assert compose_errors(text_of(response)) == [
        "This post is already publishing or published; its content can no longer change."
    ]
    response = client.post(
        post_url(post, "schedule"), {"mode": "at", "scheduled_at": "2031-01-01T10:00"}
    )
    assert response.status_code == 422
    assert "This post is already publishing or published." in text_of(response)
    assert snapshot() == before
    post.refresh_from_db()
    assert (post.text, post.status) == ("Fresh beans", PostStatus.PUBLISHED)


def test_reschedule_and_cancel_from_the_post_page(world: World, manager: Client) -> None:
    post = world.a_post
    html = text_of(manager.get(post_url(post)))
    assert '<td class="state-pending">Not scheduled</td>' in delivery_rows(html)["Alpha Sandbox"]
    assert post_url(post, "cancel") not in html  # nothing to cancel yet

    response = manager.post(
        post_url(post, "schedule"), {"mode": "at", "scheduled_at": "2031-05-04 12:00"}
    )
    assert response.status_code == 302
    assert response["Location"] == post_url(post)
    assert flashed(manager, response) == ["Post scheduled."]
    delivery = post.deliveries.get()
    assert (delivery.status, delivery.due_at) == (
        DeliveryStatus.SCHEDULED,
        utc(2031, 5, 4, 10, 0),  # 12:00 CEST
    )
    html = text_of(manager.get(post_url(post)))
    assert '<span class="pill" data-testid="post-status">Scheduled</span>' in html
    assert post_url(post, "cancel") in html

    # Reschedule to another time.
    response = manager.post(
        post_url(post, "schedule"), {"mode": "at", "scheduled_at": "2031-12-24T09:30"}
    )
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.due_at == utc(2031, 12, 24, 8, 30)

    # A time in the past or an empty queue are refused with the reason, changing nothing.
    audit = AuditEntry.objects.count()
    for form, message in [
        (
            {"mode": "at", "scheduled_at": "2020-03-01T10:00"},
            "2020-03-01 10:00 (Europe/Warsaw) is in the past. Choose a later time.",
        ),
        ({"mode": "at", "scheduled_at": ""}, "Choose a date and time."),
        ({"mode": "queue"}, "Alpha Sandbox has no queue slots yet: add some in its settings."),
        ({"mode": "at", "scheduled_at": "soon"}, "Enter a date and time like 2026-12-24 09:30."),
    ]:
        response = manager.post(post_url(post, "schedule"), form)
        assert response.status_code == 422, form
        assert message in text_of(response), form
    delivery.refresh_from_db()
    assert (delivery.status, delivery.due_at) == (
        DeliveryStatus.SCHEDULED,
        utc(2031, 12, 24, 8, 30),
    )
    assert AuditEntry.objects.count() == audit

    response = manager.post(post_url(post, "cancel"))
    assert response.status_code == 302
    assert flashed(manager, response) == ["The post was taken off the schedule."]
    post.refresh_from_db()
    delivery.refresh_from_db()
    assert post.status == PostStatus.CANCELLED
    assert delivery.status == DeliveryStatus.CANCELLED
    html = text_of(manager.get(post_url(post)))
    assert '<td class="state-cancelled">Cancelled</td>' in delivery_rows(html)["Alpha Sandbox"]
    assert manager.get(post_url(post, "cancel")).status_code == 405


def test_post_pages_refuse_other_workspaces_and_roles(world: World, manager: Client) -> None:
    b_post = world.b_post
    for response in [
        manager.get(post_url(b_post)),
        manager.get(post_url(b_post, "edit")),
        manager.post(post_url(b_post, "schedule"), {"mode": "now"}),
        manager.post(post_url(b_post, "cancel")),
    ]:
        assert response.status_code == 404
        assert B_MARKER not in text_of(response)
    analyst = world.client_for("analyst")
    assert analyst.get(post_url(world.a_post)).status_code == 200
    assert analyst.post(post_url(world.a_post, "schedule"), {"mode": "now"}).status_code == 403
    assert analyst.post(post_url(world.a_post, "cancel")).status_code == 403
    assert Delivery.objects.get(post=world.a_post).status == DeliveryStatus.PENDING
    b_post.refresh_from_db()
    assert b_post.status == PostStatus.DRAFT


# --- media library --------------------------------------------------------------------


def test_media_library_upload_and_refusals(world: World, manager: Client) -> None:
    content = png(32, 20)
    response = manager.post(
        "/w/alpha/media/upload/",
        {"file": SimpleUploadedFile("pixel.png", content), "alt_text": "A yellow square"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/w/alpha/media/"
    assert flashed(manager, response) == ["Image added to the library."]
    asset = MediaAsset.objects.get(workspace=world.a)
    assert (asset.original_name, asset.mime_type, asset.width, asset.height, asset.size) == (
        "pixel.png",
        "image/png",
        32,
        20,
        len(content),
    )
    assert asset.alt_text == "A yellow square"
    html = text_of(manager.get("/w/alpha/media/"))
    assert "pixel.png · 32\N{MULTIPLICATION SIGN}20<br>A yellow square" in html
    # Compose offers it.
    assert f'name="media" value="{asset.pk}"' in text_of(manager.get(COMPOSE))

    before = snapshot()
    response = manager.post(
        "/w/alpha/media/upload/",
        {"file": SimpleUploadedFile("notes.png", b"Meeting notes, not a picture.\n")},
    )
    assert response.status_code == 422
    assert (
        'id="id_file-error">notes.png is not an image Roost can publish (JPEG, PNG, GIF or '
        "WebP).</p>"
    ) in text_of(response)
    response = manager.post("/w/alpha/media/upload/", {"alt_text": "nothing attached"})
    assert response.status_code == 422
    assert 'id="id_file-error">Choose an image to upload.</p>' in text_of(response)
    response = world.client_for("analyst").post(
        "/w/alpha/media/upload/", {"file": SimpleUploadedFile("pixel.png", content)}
    )
    assert response.status_code == 403
    assert snapshot() == before


# --- campaigns ------------------------------------------------------------------------


def test_campaigns_create_and_refuse_a_duplicate_name(world: World, manager: Client) -> None:
    response = manager.post(
        "/w/alpha/campaigns/new/",
        {"name": " Spring ", "utm_source": "roost", "utm_campaign": "spring-2031"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/w/alpha/campaigns/"
    assert flashed(manager, response) == ["Campaign saved."]
    campaign = Campaign.objects.get(workspace=world.a, name="Spring")
    assert campaign.utm() == {"utm_source": "roost", "utm_campaign": "spring-2031"}
    html = text_of(manager.get("/w/alpha/campaigns/"))
    assert "<td>Spring</td>" in html
    assert "utm_source=roost utm_campaign=spring-2031" in html

    before = snapshot()
    response = manager.post("/w/alpha/campaigns/new/", {"name": "spring"})
    assert response.status_code == 422
    assert 'id="id_name-error">There is already a campaign called “spring”.</p>' in (
        text_of(response)
    )
    response = manager.post("/w/alpha/campaigns/new/", {"name": "", "utm_medium": "social media"})
    assert response.status_code == 422
    html = text_of(response)
    assert 'id="id_name-error">Give the campaign a name.</p>' in html
    assert 'id="id_utm_medium-error">UTM values cannot contain spaces; use - or _ instead.</p>' in (
        html
    )
    assert snapshot() == before
    assert Campaign.objects.filter(name__iexact="spring").count() == 1
