"""safe_http_url keeps the common URL shape without parsing it: that shortcut must keep
exactly what the full check keeps, and drop exactly what it drops."""

from __future__ import annotations

import random
from urllib.parse import urlsplit

import pytest

from roost.core.urls import SAFE_SCHEMES, _has_unsafe_char, safe_http_url


def full_check(value: object, max_length: int = 500) -> str:
    """The check without the shortcut (what safe_http_url did before it had one)."""
    if not isinstance(value, str) or not value or len(value) > max_length:
        return ""
    if _has_unsafe_char(value):
        return ""
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018
    except ValueError:
        return ""
    if parts.scheme.lower() not in SAFE_SCHEMES or not parts.hostname:
        return ""
    return value


SHAPES = [
    "http://127.0.0.1:8025/posts/1",
    "https://example.com",
    "HTTPS://Example.COM/a?b#c",
    "https://example.com?x",
    "https://example.com#x",
    "https://example.com:0/",
    "https://example.com:65535/",
    "https://example.com:65536/",
    "https://example.com:99999/",
    "https://example.com:/",
    "https://example.com:8a/",
    "https://example.com:123456/",
    "https://./",
    "https://-/",
    "https:///path",
    "https://user@example.com/",
    "https://user:pw@example.com/",
    "https://a.b@evil.example/",
    "https://a.b:80@evil.example/",
    "https://[::1]:80/",
    "https://[::1/",
    "https://exa_mple.com/",
    "https://example.com/ x",
    "https://example.com/\tx",
    "https://example.com\\@evil/",
    "https://example.com/\x7f",
    "https://example.com/\x00",
    "https://bücher.example/",
    "https://example.com/\u200b",
    "https://example.com/caf\u00e9",
    "javascript://example.com/%0Aalert(1)",
    "httpx://example.com/",
    "http:example.com",
    "ftp://example.com/",
    " https://example.com/",
    "https://" + "a" * 600,
    "",
    None,
    42,
]


@pytest.mark.parametrize("value", SHAPES)
def test_the_shortcut_agrees_with_the_full_check(value: object) -> None:
    assert safe_http_url(value) == full_check(value)


def test_the_shortcut_agrees_on_random_urls() -> None:
    rng = random.Random(7)
    pieces = ["http", "https", "HTTP", "://", ":", "/", "?", "#", "@", "[", "]", "\\", " "]
    pieces += ["a", "b.c", "-", ".", "0", "80", "65535", "65536", "99999", "é", "\t", "\x00"]
    for _ in range(20_000):
        value = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 9)))
        assert safe_http_url(value) == full_check(value), value
        prefixed = rng.choice(["http://", "https://"]) + value
        assert safe_http_url(prefixed) == full_check(prefixed), prefixed


def test_a_long_url_is_dropped_whatever_its_shape() -> None:
    url = "https://example.com/" + "a" * 480
    assert safe_http_url(url) == url
    assert safe_http_url(url, max_length=100) == ""
