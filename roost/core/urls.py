"""Which URLs from outside (a network, a user) Roost keeps and shows as links.

A link's scheme decides what a click does: `javascript:`, `data:` and `vbscript:` run
script in Roost's origin. Only absolute http(s) URLs with a host are kept; anything else
becomes an empty string, which templates show as plain text. No normalising: a value is
either kept exactly as it came or dropped, so what is stored is what was checked.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any
from urllib.parse import urlsplit

SAFE_SCHEMES = frozenset({"http", "https"})


def _has_unsafe_char(value: str) -> bool:
    """Whitespace, control and invisible format characters, and backslashes (which
    browsers read as slashes): none belongs in a URL as sent, and each can hide a scheme."""
    for char in value:
        if char.isspace() or char == "\\" or unicodedata.category(char) in {"Cc", "Cf"}:
            return True
    return False


# The shape nearly every URL from a network has: http(s)://host[:port] then the end or
# /, ? or # — a plain ASCII host name or IPv4 address. Such a URL (of safe characters) is
# one the full check below keeps, so it is kept without parsing: every inbound message
# carries one, and parsing took ~20 µs of a message's ~200 µs budget.
_PLAIN_HTTP_URL = re.compile(r"(?i:https?)://[A-Za-z0-9.\-]+(?::([0-9]{1,5}))?(?:[/?#]|\Z)")


def safe_http_url(value: object, max_length: int = 500) -> str:
    """`value` if it is an absolute http(s) URL with a host, else "" (never raises).

    Longer than `max_length`: "" too, as a cut URL points somewhere else."""
    if not isinstance(value, str) or not value or len(value) > max_length:
        return ""
    if value.isascii():
        # `_has_unsafe_char` for ASCII: controls, whitespace and backslashes.
        if not value.isprintable() or " " in value or "\\" in value:
            return ""
        plain = _PLAIN_HTTP_URL.match(value)
        if plain is not None and (plain[1] is None or int(plain[1]) <= 65535):
            return value
    elif _has_unsafe_char(value):
        return ""
    return _parsed_http_url(value)


def _parsed_http_url(value: str) -> str:
    """The full check of a URL of safe characters: `value` if urlsplit finds an http(s)
    scheme, a host and a valid port, else ""."""
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018  (raises ValueError for a malformed port)
    except ValueError:
        return ""
    if parts.scheme.lower() not in SAFE_SCHEMES or not parts.hostname:
        return ""
    return value


def safe_local_path(value: object) -> str:
    """`value` if it is a path on this site ("/w/…"), else "". Used for links Roost built
    itself and stored (notifications), so a stored value can never become a script link
    nor point to another host ("//evil.example" and "/\\evil.example" are other hosts)."""
    if not isinstance(value, str) or not value.startswith("/"):
        return ""
    if value.startswith("//") or _has_unsafe_char(value):
        return ""
    return value


def blank_unsafe_urls(queryset: Any, field: str) -> int:
    """Set `field` to "" on every row of `queryset` whose value `safe_http_url` would not
    keep (for data migrations: rows stored before links were checked). Returns how many."""
    rows = queryset.exclude(**{field: ""}).values_list("pk", field)
    bad = [pk for pk, url in rows.iterator(chunk_size=5000) if safe_http_url(url) != url]
    for start in range(0, len(bad), 500):
        queryset.filter(pk__in=bad[start : start + 500]).update(**{field: ""})
    return len(bad)
