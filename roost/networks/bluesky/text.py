"""Counting post text the way Bluesky does: user-perceived characters (graphemes)."""

from __future__ import annotations

import regex

# \X is one extended grapheme cluster (UAX #29): a ZWJ family emoji, a flag, or a letter
# with combining marks each count once, as they do in Bluesky's own limit.
_GRAPHEME = regex.compile(r"\X")


def grapheme_count(text: str) -> int:
    """Return how many graphemes (user-perceived characters) the text has."""
    return len(_GRAPHEME.findall(text))


def utf8_length(text: str) -> int:
    """Return the length of the text in UTF-8 bytes."""
    return len(text.encode("utf-8"))
