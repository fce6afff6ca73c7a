"""Compose's live preview and counters: each ticked channel's parts as the network shows
them (escaped; only http/https become links), counted the network's own way."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from roost.channels.models import Channel
from roost.conftest import B_MARKER, World, make_channel
from roost.networks.base import CountingConnector, Part, PublishRequest
from roost.networks.bluesky.connector import BlueskyConnector
from roost.networks.mastodon.connector import MastodonConnector
from roost.networks.sandbox.connector import SandboxConnector
from roost.publishing.models import Delivery, MediaAsset, Post, PostVariant
from roost.publishing.services.preview import Segment, segments

PREVIEW = "/w/alpha/compose/preview/"


def snapshot() -> dict[str, int]:
    return {
        "posts": Post.objects.count(),
        "variants": PostVariant.objects.count(),
        "deliveries": Delivery.objects.count(),
        "media": MediaAsset.objects.count(),
    }


@pytest.fixture
def manager(world: World) -> Client:
    return world.client_for("social_media_manager")


@pytest.fixture
def beta(world: World) -> Channel:
    return make_channel(world.a, "Beta Sandbox")


def previews(html: str) -> dict[str, str]:
    """Each channel's preview card by channel id."""
    return dict(
        re.findall(
            r'<article class="preview-card" data-testid="preview" data-channel="(\d+)"'
            r"(.*?)</article>",
            html,
            re.S,
        )
    )


# --- the counting rule, per network -------------------------------------------------------

MASTODON_CONFIG: dict[str, Any] = {
    "instance_url": "https://mastodon.example",
    "limits": {"max_characters": 500, "characters_reserved_per_url": 23},
}


def sandbox_connector() -> SandboxConnector:
    return SandboxConnector({"base_url": "http://127.0.0.1:9"}, {"token": "t"})


def mastodon_connector() -> MastodonConnector:
    return MastodonConnector(MASTODON_CONFIG, {"access_token": "t"})


def text_problems(connector: Any, text: str, options: dict[str, Any] | None = None) -> list[str]:
    request = PublishRequest("k", (Part(text=text),), options=options or {})
    return [p.message for p in connector.validate(request) if p.field == "text"]


COMBINING_E = "e\u0301"  # one grapheme, two code points
LINK = "https://example.com/" + "a" * 60  # Mastodon counts any link as 23


@pytest.mark.parametrize(
    ("make", "text", "options", "count"),
    [
        # The Sandbox counts code points, like Python's len().
        (sandbox_connector, COMBINING_E * 250, {}, 500),
        (sandbox_connector, COMBINING_E * 250 + "!", {}, 501),
        # Bluesky counts graphemes: 300 accented letters are 300, not 600.
        (lambda: BlueskyConnector({}, {}), COMBINING_E * 300, {}, 300),
        (lambda: BlueskyConnector({}, {}), COMBINING_E * 300 + "👨‍👩‍👧", {}, 301),
        # Mastodon: a link is 23, "@user@domain" is "@user", the content warning counts.
        (mastodon_connector, LINK + " " + "x" * 476, {}, 500),
        (mastodon_connector, LINK + " " + "x" * 477, {}, 501),
        (mastodon_connector, "@ala@example.social " + "x" * 475, {}, 475 + 5),
        (mastodon_connector, "x" * 498, {"spoiler_text": "CW!"}, 501),
    ],
)
def test_each_network_counts_as_its_validation_does(
    make: Any, text: str, options: dict[str, Any], count: int
) -> None:
    connector = make()
    assert isinstance(connector, CountingConnector)
    assert connector.text_length(text, options) == count
    limit = connector.limits().max_chars
    problems = text_problems(connector, text, options)
    if count <= limit:
        assert problems == []
    else:
        assert len(problems) == 1 and f"has {count}" in problems[0], problems


# --- marking up the text ------------------------------------------------------------------


def test_segments_link_only_http_and_https_and_mark_tags_and_mentions() -> None:
    text = (
        "See https://roost.example/a?b=1. Not javascript:alert(1) nor ftp://x.example #launch @ala"
    )
    assert segments(text) == [
        Segment("See "),
        Segment("https://roost.example/a?b=1", "link", "https://roost.example/a?b=1"),
        Segment(". Not javascript:alert(1) nor ftp://x.example "),
        Segment("#launch", "tag"),
        Segment(" "),
        Segment("@ala", "mention"),
    ]
    assert segments("") == []
    assert segments("a#b c@d") == [Segment("a#b c@d")]  # not at a word's start


# --- the endpoint -------------------------------------------------------------------------


def test_preview_escapes_the_text_and_links_only_web_addresses(
    world: World, manager: Client
) -> None:
    before = snapshot()
    a = world.a_channel
    text = (
        '<script>alert("x")</script> https://roost.example/?q=<b>&x=1 javascript:alert(1) #winter'
    )
    response = manager.post(
        PREVIEW, {"text": text, "channels": [str(a.pk)]}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<div id="live"') and "<html" not in html
    card = previews(html)[str(a.pk)]
    assert "<script>" not in html and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in card
    # The link stops before "<" (not a URL character); javascript: stays text.
    assert re.findall(r'<a href="([^"]*)"', card) == ["https://roost.example/?q="]
    assert "javascript:alert(1)" in card and 'href="javascript' not in html
    assert '<span class="preview-tag">#winter</span>' in card
    count = len(text)
    assert f"{count} of 500 characters" in card
    # The counters beside the main text come along, out of band.
    assert (
        f'<p id="counters" class="counters hint" aria-live="polite" data-testid="counters" '
        f'hx-swap-oob="true"><span class="counter" data-testid="counter" data-channel="{a.pk}">'
        f"Alpha Sandbox: <span>{count}/500</span></span></p>"
    ) in html
    assert snapshot() == before


def test_preview_shows_each_channels_parts_counted_and_its_problems(
    world: World, manager: Client, beta: Channel
) -> None:
    a = world.a_channel
    response = manager.post(
        PREVIEW,
        {
            "text": "x" * 501,
            "channels": [str(a.pk), str(beta.pk)],
            "thread": "Main two",
            f"variant_{beta.pk}": "Beta first",
            f"variant_thread_{beta.pk}": "Beta two\n---\nBeta three",
        },
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    cards = previews(html)
    parts_a = re.findall(r'<p class="preview-text">(.*?)</p>', cards[str(a.pk)])
    parts_b = re.findall(r'<p class="preview-text">(.*?)</p>', cards[str(beta.pk)])
    assert parts_a == ["x" * 501, "Main two"]
    assert parts_b == ["Beta first", "Beta two", "Beta three"]
    assert re.findall(r'data-testid="part-counter">(.*?)</p>', cards[str(a.pk)]) == [
        "Part 1: 501 of 500 characters",
        "Part 2: 8 of 500 characters",
    ]
    assert '<p class="counter bad" data-testid="part-counter">Part 1:' in cards[str(a.pk)]
    checks = re.findall(
        r"<p>(.*?)</p>", html.split('data-testid="checks">')[1].split("</div>")[0], re.S
    )
    assert checks == [
        '<span class="bad">✗</span> Alpha Sandbox: Alpha Sandbox (Sandbox): Sandbox allows 500 '
        "characters per post; part 1 has 501.",
        '<span class="ok">✓</span> Beta Sandbox',
    ]


def test_preview_shows_picked_images_with_their_alt_text(world: World, manager: Client) -> None:
    from roost.publishing.tests.test_compose_upload import upload

    asset = upload(world, "latte.png")
    a = world.a_channel
    response = manager.post(
        PREVIEW,
        {
            "text": "",
            "channels": [str(a.pk)],
            "media": [str(asset.pk)],
            f"alt_{asset.pk}": "A <latte>",
        },
        HTTP_HX_REQUEST="true",
    )
    card = previews(response.content.decode())[str(a.pk)]
    assert (
        f'<img src="/w/alpha/media/{asset.pk}/file/" alt="A &lt;latte&gt;" width="120" height="120"'
    ) in card
    assert "Alt: A &lt;latte&gt;" in card
    asset.refresh_from_db()
    assert asset.alt_text == ""  # a preview changes nothing


def test_preview_refuses_other_workspaces_roles_and_gets(world: World, manager: Client) -> None:
    before = snapshot()
    # Another workspace's page: not found, nothing of it shown.
    response = manager.post("/w/beta/compose/preview/", {"text": "Hi"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 404
    assert B_MARKER not in response.content.decode()
    # Another workspace's channel posted to this workspace's preview: never previewed.
    response = manager.post(
        PREVIEW, {"text": "Hi", "channels": [str(world.b_channel.pk)]}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert previews(response.content.decode()) == {}
    assert B_MARKER not in response.content.decode()
    # A role without Compose.
    analyst = world.client_for("analyst")
    response = analyst.post(PREVIEW, {"text": "Hi", "channels": [str(world.a_channel.pk)]})
    assert response.status_code == 403
    assert manager.get(PREVIEW).status_code == 405
    assert snapshot() == before


def test_compose_page_waits_for_the_preview_and_hides_unticked_channels(
    world: World, manager: Client, beta: Channel
) -> None:
    html = manager.get("/w/alpha/compose/").content.decode()
    assert (
        'hx-post="/w/alpha/compose/preview/" hx-trigger="load, input changed delay:300ms, change"'
    ) in html
    boxes = re.findall(
        r'<div class="variant" data-variant-for="(\d+)" data-testid="variant-box" (hidden)?>', html
    )
    assert boxes == [(str(world.a_channel.pk), "hidden"), (str(beta.pk), "hidden")]
    assert '<div id="live" class="live" data-testid="live">' in html


@pytest.mark.parametrize(
    ("when", "problems"),
    [
        ({"mode": "at", "scheduled_at": ""}, []),  # nothing chosen yet: nothing to say
        ({"mode": "at", "scheduled_at": "2031-05-04T12:00"}, []),
        (
            {"mode": "at", "scheduled_at": "2020-03-01T10:00"},
            ["2020-03-01 10:00 (Europe/Warsaw) is in the past. Choose a later time."],
        ),
        ({"mode": "at", "scheduled_at": "soon"}, ["Enter a date and time like 2026-12-24 09:30."]),
        ({"mode": "queue"}, ["Alpha Sandbox has no queue slots yet: add some in its settings."]),
        ({"mode": "draft"}, []),
    ],
)
def test_preview_says_at_once_what_is_wrong_with_the_time(
    world: World, manager: Client, when: dict[str, str], problems: list[str]
) -> None:
    response = manager.post(
        PREVIEW,
        {"text": "Hi", "channels": [str(world.a_channel.pk)], **when},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    found = re.findall(r'data-testid="when-problem">(.*?)</p>', response.content.decode())
    assert found == problems
