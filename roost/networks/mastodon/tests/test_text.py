"""Counting post length the way Mastodon does, and reading a status's HTML back as text."""

from __future__ import annotations

import json

import pytest

from roost.networks.mastodon.tests.replay import EXCHANGES
from roost.networks.mastodon.text import comparable, countable_text, plain_text, status_length

LONG_URL = "https://roost.example.com/blog/2026/11/27/how-we-schedule-posts-across-networks"


def test_a_link_counts_as_23_characters() -> None:
    assert len(LONG_URL) == 79
    assert status_length(f"Read {LONG_URL}") == 5 + 23
    assert status_length("http://x.io") == 23


def test_the_instance_can_reserve_another_length_per_link() -> None:
    assert status_length(f"Read {LONG_URL}", url_chars=30) == 5 + 30


def test_a_mention_counts_only_its_user_part() -> None:
    assert countable_text("Thanks @bob@fosstodon.org and @carol!") == "Thanks @bob and @carol!"
    assert status_length("@bob@fosstodon.org") == len("@bob")


@pytest.mark.parametrize(
    ("text", "countable"),
    [
        # Trailing punctuation ends the sentence, not the link.
        (f"See {LONG_URL}.", "See " + "x" * 23 + "."),
        (f"({LONG_URL})", "(" + "x" * 23 + ")"),
        # A bracket the link opened stays in it.
        ("https://en.wikipedia.org/wiki/Roost_(bird)", "x" * 23),
        # Not links: no protocol, or glued to a word.
        ("roost.example.com", "roost.example.com"),
        ("nohttps://roost.example.com", "nohttps://roost.example.com"),
        # Not mentions: an e-mail address, a handle inside a link.
        ("mail bob@example.com", "mail bob@example.com"),
        ("https://mastodon.social/@bob@fosstodon.org", "x" * 23),
    ],
)
def test_links_and_mentions_are_found_like_mastodon(text: str, countable: str) -> None:
    assert countable_text(text) == countable


def test_characters_are_grapheme_clusters() -> None:
    assert status_length("👨‍👩‍👧‍👦") == 1  # a family emoji: seven code points
    assert status_length("e\u0301") == 1  # e and a combining acute accent
    assert status_length("🇵🇱 ok") == 4


def test_the_content_warning_counts_too() -> None:
    assert status_length("Hello", spoiler_text="Spoilers") == 13
    # Links in a content warning are not shortened: Mastodon counts it as written.
    assert status_length("", spoiler_text=LONG_URL) == 79


def test_plain_text_of_a_recorded_status() -> None:
    data = json.loads((EXCHANGES / "statuses_post_single.json").read_text())
    content = data["exchanges"][0]["response"]["json"]["content"]
    assert plain_text(content) == (
        "We launched! Read more: https://roost.example.com/blog/launch\n\n"
        "Thanks @bob for testing #roost"
    )


def test_plain_text_keeps_line_breaks_and_unescapes() -> None:
    assert plain_text("<p>Fish &amp; chips<br />at 5 &lt;sharp&gt;</p>") == (
        "Fish & chips\nat 5 <sharp>"
    )


def test_sent_text_and_rendered_text_compare_equal() -> None:
    sent = "We launched! Read more: https://roost.example.com/blog/launch\n\n"
    sent += "Thanks @bob@fosstodon.org for testing #roost"
    rendered = plain_text(
        '<p>We launched! Read more: <a href="https://roost.example.com/blog/launch">'
        '<span class="invisible">https://</span><span class="">roost.example.com/blog/launch'
        '</span><span class="invisible"></span></a></p><p>Thanks <span class="h-card">'
        '<a href="https://fosstodon.org/@bob" class="u-url mention">@<span>bob</span></a>'
        "</span> for testing #roost</p>"
    )
    assert comparable(sent) == comparable(rendered)
    assert comparable("Hello  world") != comparable("Hello world!")
