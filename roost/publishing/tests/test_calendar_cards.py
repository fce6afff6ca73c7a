"""Calendar cards with the post's first image and an icon per network; a "+" on days and
empty hours that opens compose with that time; the queue's "no slots" error links to the
channel's settings."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from io import BytesIO
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from roost.channels.models import Channel
from roost.conftest import World, make_channel
from roost.core import clock
from roost.publishing.models import MediaAsset
from roost.publishing.services.compose import PostInput, post_compose
from roost.publishing.services.media import media_upload

# Monday 10 March 2031, 10:00 in Warsaw (the workspace's zone).
NOW = datetime(2031, 3, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOW)


def picture(world: World, alt: str) -> MediaAsset:
    buffer = BytesIO()
    Image.new("RGB", (60, 40), (10, 90, 200)).save(buffer, format="PNG")
    return media_upload(
        actor=world.members["owner"],
        upload=SimpleUploadedFile("p.png", buffer.getvalue()),
        alt_text=alt,
    )


def bluesky_channel(world: World) -> Channel:
    channel = make_channel(world.a, "Sky")
    channel.network = "bluesky"
    channel.save(update_fields=["network"])
    return channel


def card_of(html: str, post_id: int) -> str:
    found = re.search(
        rf'<article class="cal-card[^"]*" data-post="{post_id}".*?</article>', html, re.S
    )
    assert found, f"no card for post {post_id}"
    return found.group(0)


def test_cards_show_the_first_image_and_each_network_once(world: World, now: Any) -> None:
    first, second = picture(world, "Latte art"), picture(world, "Beans")
    sandbox_a, sandbox_b, sky = (
        make_channel(world.a, "Main"),
        make_channel(world.a, "Other"),
        bluesky_channel(world),
    )
    with_image = post_compose(
        actor=world.members["owner"],
        data=PostInput(
            text="Latte",
            channel_ids=[sandbox_a.pk, sandbox_b.pk, sky.pk],
            media_ids=[first.pk, second.pk],
        ),
        mode="at",
        at=datetime(2031, 3, 12, 9, 30),
    )
    plain = post_compose(
        actor=world.members["owner"],
        data=PostInput(text="Words only", channel_ids=[sandbox_a.pk]),
        mode="at",
        at=datetime(2031, 3, 12, 11, 0),
    )
    client = world.client_for("analyst")  # sees content, may not compose
    for path in (
        "/w/alpha/calendar/?month=2031-03",
        "/w/alpha/calendar/week/?week=2031-03-10",
        "/w/alpha/calendar/list/?start=2031-03-10",
    ):
        html = client.get(path).content.decode()
        card = card_of(html, with_image.pk)
        thumbs = re.findall(
            r'<img class="cal-thumb" src="([^"]+)" alt="([^"]*)" '
            r'width="40" height="40" loading="lazy"',
            card,
        )
        assert thumbs == [(f"/w/alpha/media/{first.pk}/thumb/", "Latte art")], path
        icons = re.findall(
            r'<svg class="net-icon net-(\w+)"[^>]*role="img" aria-label="([^"]+)"', card
        )
        assert icons == [("sandbox", "Sandbox"), ("bluesky", "Bluesky")], path
        plain_card = card_of(html, plain.pk)
        assert "cal-thumb" not in plain_card
        assert re.findall(r"net-icon net-(\w+)", plain_card) == ["sandbox"]
        # No "+" for a role that cannot compose.
        assert 'data-testid="cal-add"' not in html, path
    # The thumbnail answers to that role.
    response = client.get(f"/w/alpha/media/{first.pk}/thumb/")
    assert (response.status_code, response["Content-Type"]) == (200, "image/webp")


def test_the_plus_on_a_day_or_an_empty_hour_opens_compose_at_that_time(
    world: World, now: Any
) -> None:
    client = world.client_for("content_creator")
    channel = make_channel(world.a, "Main")
    busy = post_compose(
        actor=world.members["owner"],
        data=PostInput(text="Busy hour", channel_ids=[channel.pk]),
        mode="at",
        at=datetime(2031, 3, 11, 14, 0),
    )
    month = client.get("/w/alpha/calendar/?month=2031-03").content.decode()
    adds = dict(
        (label, url)
        for url, label in re.findall(
            r'<a class="cal-add" href="([^"]+)" aria-label="([^"]+)"', month
        )
    )
    # Past days get none; today offers the next full hour, later days their morning.
    assert "New post on Sunday, March 9, 2031, 09:00" not in adds
    assert (
        adds["New post on Monday, March 10, 2031, 11:00"] == "/w/alpha/compose/?at=2031-03-10T11:00"
    )
    assert (
        adds["New post on Thursday, March 20, 2031, 09:00"]
        == "/w/alpha/compose/?at=2031-03-20T09:00"
    )
    assert len(adds) == 22 + 6  # 10 to 31 March, and 1 to 6 April in the grid's last week

    week = client.get("/w/alpha/calendar/week/?week=2031-03-10").content.decode()
    hours = re.findall(r'<a class="cal-add" href="/w/alpha/compose/\?at=([^"]+)"', week)
    assert "2031-03-10T10:00" not in hours  # the hour now running
    assert min(hours) == "2031-03-10T11:00"
    assert "2031-03-11T14:00" not in hours  # the busy hour: its post is there instead
    assert "2031-03-11T15:00" in hours and "2031-03-16T23:00" in hours
    assert len(hours) == 13 + 6 * 24 - 1
    assert busy.pk

    # Compose opens with that time filled in, "Schedule at" chosen.
    html = client.get("/w/alpha/compose/?at=2031-03-20T09:00").content.decode()
    assert re.search(
        r'<input type="datetime-local" name="scheduled_at" value="2031-03-20T09:00"', html
    )
    assert re.search(r'<input type="radio" name="mode" value="at"[^>]*checked', html)
    # A value that is not a time (or is past Roost's window) is left out, never an error.
    for bad in ("tomorrow", "2031-02-30T09:00", "1999-01-01T09:00", "<script>"):
        response = client.get("/w/alpha/compose/", {"at": bad})
        assert response.status_code == 200, bad
        assert 'name="scheduled_at" value=' not in response.content.decode(), bad


def test_a_queue_without_slots_links_to_the_channels_settings(world: World, now: Any) -> None:
    channel = make_channel(world.a, "Slotless")
    data = {"text": "Queue me", "channels": [str(channel.pk)], "mode": "queue"}
    response = world.client_for("social_media_manager").post("/w/alpha/compose/", data)
    assert response.status_code == 422
    html = response.content.decode()
    assert "Slotless has no queue slots yet: add some in its settings." in html
    assert (
        f'<a href="/w/alpha/channels/{channel.pk}/#queue-slots" data-testid="add-queue-slots">'
        "Add queue slots to Slotless</a>"
    ) in html
    # Someone who may not change channel settings gets the words, not a link to a 403.
    html = world.client_for("content_creator").post("/w/alpha/compose/", data).content.decode()
    assert "Slotless has no queue slots yet" in html
    assert "add-queue-slots" not in html


def test_the_calendar_client_sees_a_fixed_number_of_queries_with_images(
    world: World, now: Any
) -> None:
    """Thumbnails cost one query for the whole page, however many cards have images."""
    channel = make_channel(world.a, "Main")
    asset = picture(world, "x")
    client: Client = world.client_for("owner")

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/w/alpha/calendar/?month=2031-03").status_code == 200
        return len(ctx.captured_queries)

    post_compose(
        actor=world.members["owner"],
        data=PostInput(text="One", channel_ids=[channel.pk], media_ids=[asset.pk]),
        mode="at",
        at=datetime(2031, 3, 12, 9, 0),
    )
    few = count()
    for day in range(13, 20):
        post_compose(
            actor=world.members["owner"],
            data=PostInput(text="More", channel_ids=[channel.pk], media_ids=[asset.pk]),
            mode="at",
            at=datetime(2031, 3, day, 9, 0),
        )
    assert count() == few


def test_a_card_in_the_autumn_hour_that_happens_twice_shows_its_offset(
    world: World, now: Any
) -> None:
    channel = make_channel(world.a, "Main")
    first, second, plain = (
        post_compose(
            actor=world.members["owner"],
            data=PostInput(text=text, channel_ids=[channel.pk]),
            mode="at",
            at=datetime(2031, 10, 20, 9, 0),
        )
        for text in ("First 02:30", "Second 02:30", "Before the change")
    )
    # Warsaw's clocks go back at 03:00 CEST on 26 October 2031: 02:30 happens twice.
    for post, at in (
        (first, datetime(2031, 10, 26, 0, 30, tzinfo=UTC)),  # 02:30 CEST
        (second, datetime(2031, 10, 26, 1, 30, tzinfo=UTC)),  # 02:30 CET
        (plain, datetime(2031, 10, 25, 23, 30, tzinfo=UTC)),  # 01:30, once
    ):
        type(post).objects.filter(pk=post.pk).update(scheduled_at=at)
    html = world.client_for("analyst").get("/w/alpha/calendar/list/?start=2031-10-20").content
    page = html.decode()
    assert "02:30 (UTC+02:00)" in card_of(page, first.pk)
    assert "02:30 (UTC+01:00)" in card_of(page, second.pk)
    assert "01:30" in card_of(page, plain.pk) and "UTC" not in card_of(page, plain.pk)
