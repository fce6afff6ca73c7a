"""The Sandbox's public search read into the network boundary's types (see conversation.py
for what the Sandbox says in public)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from roost.networks.base import ListeningPage, PublicPost, count_of

logger = logging.getLogger("roost.networks.sandbox")

MAX_LIMIT = 500  # the Sandbox's largest page


def since_param(since: datetime | None) -> str:
    """`since` as the Sandbox takes it: ISO 8601 in UTC; "" for none."""
    if since is None:
        return ""
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return since.astimezone(UTC).isoformat()


def page_of(data: Mapping[str, Any]) -> ListeningPage:
    """A ListeningPage from a search answer (already checked for its outer shape); a
    malformed post is skipped and counted."""
    posts: list[PublicPost] = []
    skipped = 0
    for raw in data["posts"]:
        post = public_post(raw)
        if post is None:
            skipped += 1
        else:
            posts.append(post)
    return ListeningPage(
        posts=tuple(posts),
        cursor=data.get("cursor") or None,
        deleted=tuple(data.get("deleted") or ()),
        skipped=skipped,
    )


def public_post(raw: Any) -> PublicPost | None:
    """One PublicPost, or None (logged) when the item is not the documented shape."""
    try:
        author = raw["author"]
        created_at = datetime.fromisoformat(raw["created_at"])
        if created_at.tzinfo is None:
            created_at = created_at.replace(tzinfo=UTC)
        post_id, text = raw["id"], raw["text"]
        if not (isinstance(post_id, str) and post_id.isascii() and post_id.isdigit()):
            raise ValueError("id is not a post id")
        if not isinstance(text, str) or not isinstance(author, dict):
            raise TypeError("text or author of the wrong type")
        handle, author_id = author["handle"], author["id"]
        if not isinstance(handle, str) or not isinstance(author_id, str):
            raise TypeError("author without an id and handle")
        name, url, language = author.get("name"), raw.get("url"), raw.get("language")
        return PublicPost(
            remote_id=post_id,
            text=text,
            created_at=created_at,
            author_id=author_id,
            author_handle=handle,
            author_name=name if isinstance(name, str) else "",
            url=url if isinstance(url, str) else "",
            language=language if isinstance(language, str) else "",
            likes=count_of(raw.get("likes")),
            reposts=count_of(raw.get("reposts")),
            replies=count_of(raw.get("replies")),
            followers=count_of(author.get("followers")),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        logger.warning("sandbox: skipped a malformed public post (%r): %.200r", exc, raw)
        return None
