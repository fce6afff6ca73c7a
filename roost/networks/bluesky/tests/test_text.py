"""Grapheme counting: what a person sees as one character counts as one."""

from __future__ import annotations

import pytest

from roost.networks.bluesky.text import grapheme_count, utf8_length


@pytest.mark.parametrize(
    ("text", "graphemes", "code_points", "utf8"),
    [
        ("", 0, 0, 0),
        ("kawa", 4, 4, 4),
        ("Zażółć gęślą jaźń", 17, 17, 26),
        ("e\u0301", 1, 2, 3),  # e + combining acute accent
        ("👨‍👩‍👧", 1, 5, 18),  # man, ZWJ, woman, ZWJ, girl
        ("🇵🇱", 1, 2, 8),  # regional indicators P + L
        ("🇵🇱🇩🇪", 2, 4, 16),
        ("👍🏽", 1, 2, 8),  # skin tone modifier
        ("🏳️‍🌈", 1, 4, 14),  # flag, VS16, ZWJ, rainbow
        ("1️⃣", 1, 3, 7),  # keycap
        ("\r\n", 1, 2, 2),
    ],
)
def test_grapheme_count(text: str, graphemes: int, code_points: int, utf8: int) -> None:
    assert (grapheme_count(text), len(text), utf8_length(text)) == (graphemes, code_points, utf8)


def test_three_hundred_families_are_three_hundred_characters() -> None:
    assert grapheme_count("👨‍👩‍👧" * 300) == 300
    assert grapheme_count("👨‍👩‍👧" * 300 + "!") == 301
