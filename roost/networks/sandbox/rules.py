"""The Sandbox's content rules, shared by the server (which enforces them) and the connector."""

from __future__ import annotations

import re

MAX_CHARS = 500  # counted with len(): code points, like Mastodon
MAX_MEDIA = 4
MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_ALT_TEXT = 1000
MAX_PARTS = 25
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
MAX_IDEMPOTENCY_KEY = 200
# A BCP 47-ish tag: "en", "pl", "pt-BR", "zh-Hant".
LANGUAGE = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}")


def sniff_image(data: bytes) -> str | None:
    """The image type the bytes' magic number says, or None when it is no type we accept."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if len(data) >= 12 and data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "image/webp"
    return None
