"""The Sandbox inbox's items and cursors, read into the network boundary's types.

The cursor is the id of the last post seen, as a string: the Sandbox's ids only grow, so
"everything after it" never skips nor repeats an item.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from roost.networks.base import Inbound, InboundKind

logger = logging.getLogger("roost.networks.sandbox")

FIRST_POLL = 50  # a channel's first poll brings the recent past only
PAGE_SIZE = 500
MAX_PAGES = 20  # per poll; the next poll goes on from where this one stopped
KINDS = {"reply": InboundKind.REPLY, "mention": InboundKind.MENTION}


def parse_cursor(cursor: str | None) -> int | None:
    """The post id a cursor names; None for a first poll, or a cursor that is no id (which
    then starts over with the recent past rather than jam the channel's inbox for good)."""
    if cursor is None:
        return None
    if cursor.isascii() and cursor.isdigit() and len(cursor) < 19:
        return int(cursor)
    logger.warning("sandbox: inbox cursor %r is not a post id; starting from recent posts", cursor)
    return None


def _id(value: Any) -> str:
    """A post or account id: digits, as a string."""
    if not (isinstance(value, str) and value.isascii() and value.isdigit()):
        raise ValueError(f"{value!r} is not an id")
    return value


def _text(value: Any, *, optional: bool = False) -> str:
    if value is None and optional:
        return ""
    if not isinstance(value, str):
        raise TypeError(f"{value!r} is not text")
    return value


def inbound(item: Any) -> Inbound | None:
    """An Inbound from one inbox item, or None (logged) when the item is malformed."""
    try:
        author = item["author"]
        if not isinstance(author, dict):
            raise TypeError("author is not an object")
        created_at = datetime.fromisoformat(_text(item["created_at"]))
        if created_at.tzinfo is None:
            created_at = created_at.replace(tzinfo=UTC)  # the Sandbox speaks UTC
        parent = item.get("reply_to")
        return Inbound(
            remote_id=_id(item["id"]),
            kind=KINDS[item["kind"]],
            text=_text(item["text"]),
            created_at=created_at,
            author_id=_id(author["id"]),
            author_handle=_text(author["handle"]),
            author_name=_text(author.get("name"), optional=True),
            url=_text(item.get("url"), optional=True),
            parent_id=_id(parent) if parent is not None else "",
            root_id=_id(item["root_id"]) if item.get("root_id") is not None else "",
            language=_text(item.get("language"), optional=True),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        logger.warning("sandbox: skipped a malformed inbox item (%r): %.200r", exc, item)
        return None
