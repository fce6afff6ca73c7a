"""Facet detection with exact UTF-8 byte offsets."""

from __future__ import annotations

import pytest

from roost.networks.bluesky.facets import Facet, Kind, detect

LINK, MENTION, TAG = Kind.LINK, Kind.MENTION, Kind.TAG


def spans(text: str) -> list[tuple[Kind, int, int, str]]:
    """Each facet as (kind, byteStart, byteEnd, value), checking the bytes it covers."""
    found = []
    for facet in detect(text):
        covered = text.encode()[facet.byte_start : facet.byte_end].decode()
        if facet.kind is MENTION:
            assert covered.lower() == f"@{facet.value}"
        elif facet.kind is TAG:
            assert covered[0] in "#\uff03" and covered[1:] == facet.value
        found.append((facet.kind, facet.byte_start, facet.byte_end, facet.value))
    return found


def test_hashtag_after_polish_diacritics() -> None:
    # "Zażółć gęślą jaźń " is 18 characters but 27 bytes.
    assert detect("Zażółć gęślą jaźń #kawa") == [Facet(TAG, 27, 32, "kawa")]


def test_offsets_after_zwj_family_and_flag() -> None:
    # 👨‍👩‍👧 is 18 bytes (three 4-byte emoji, two 3-byte ZWJ), 🇵🇱 is 8, then a space.
    assert spans("👨‍👩‍👧🇵🇱 #rodzina") == [(TAG, 27, 35, "rodzina")]
    assert spans("🏳️‍🌈👍🏽 @ala.bsky.social") == [(MENTION, 23, 39, "ala.bsky.social")]


def test_link_mention_and_tag_together() -> None:
    text = "Cześć @Ala.bsky.social! Menu: https://kawiarnia.example/menu?dzień=1. #kawa"
    assert spans(text) == [
        (MENTION, 8, 24, "ala.bsky.social"),
        (LINK, 32, 71, "https://kawiarnia.example/menu?dzień=1"),
        (TAG, 73, 78, "kawa"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("#kawa!", [(TAG, 0, 5, "kawa")]),
        ("#kawa, #herbata.", [(TAG, 0, 5, "kawa"), (TAG, 7, 15, "herbata")]),
        ("#żółw i #Kraków…", [(TAG, 0, 8, "żółw"), (TAG, 11, 19, "Kraków")]),
        ("#café_au_lait?!", [(TAG, 0, 14, "café_au_lait")]),
        ("#2024 #!!! #", []),  # digits or punctuation only: not tags
        ("#2024r", [(TAG, 0, 6, "2024r")]),
        ("#️⃣ keycap", []),
        ("ala#kawa", []),  # a tag starts a word
        ("\uff03kawa", [(TAG, 0, 7, "kawa")]),  # full-width number sign (3 bytes)
        ("#kawa\u200b#herbata", [(TAG, 0, 5, "kawa")]),  # zero-width space ends a tag
        ("#" + "a" * 64, [(TAG, 0, 65, "a" * 64)]),
        ("#" + "a" * 65, []),  # longer than 64 graphemes
    ],
)
def test_hashtags(text: str, expected: list[tuple[Kind, int, int, str]]) -> None:
    assert spans(text) == expected


def test_hashtag_inside_url_is_part_of_the_link() -> None:
    text = "https://kawiarnia.example/menu#kawa i #kawa"
    assert spans(text) == [
        (LINK, 0, 35, "https://kawiarnia.example/menu#kawa"),
        (TAG, 38, 43, "kawa"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://example.com", [(LINK, 0, 19, "https://example.com")]),
        ("http://localhost:2583/xrpc.", [(LINK, 0, 26, "http://localhost:2583/xrpc")]),
        ("(zob. https://example.com/a)", [(LINK, 6, 27, "https://example.com/a")]),
        (
            "https://pl.wikipedia.org/wiki/Kawa_(napój)",
            [(LINK, 0, 43, "https://pl.wikipedia.org/wiki/Kawa_(napój)")],
        ),
        ("„https://example.com”", []),  # a link starts a word; quotes are not whitespace
        ("Wejdź na roost.pl, proszę", [(LINK, 10, 18, "https://roost.pl")]),
        ("docs.roost.pl/start?x=1!", [(LINK, 0, 23, "https://docs.roost.pl/start?x=1")]),
        ("roost.plx a.b.c1 v1.2 plik.txt", []),  # not top-level domains
        ("napisz: kontakt@roost.pl", []),  # an e-mail address is not a link
        ("https://", []),
    ],
)
def test_links(text: str, expected: list[tuple[Kind, int, int, str]]) -> None:
    assert spans(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@ala.bsky.social", [(MENTION, 0, 16, "ala.bsky.social")]),
        ("(@ala.bsky.social)", [(MENTION, 1, 17, "ala.bsky.social")]),
        ("@ala.bsky.social.", [(MENTION, 0, 16, "ala.bsky.social")]),
        ("@ala.test", [(MENTION, 0, 9, "ala.test")]),  # local dev network handles
        ("@ala @-x.com @ala.123 @.com", []),  # not handles
        ("ala@bsky.social", []),  # an e-mail address is not a mention
    ],
)
def test_mentions(text: str, expected: list[tuple[Kind, int, int, str]]) -> None:
    assert spans(text) == expected
