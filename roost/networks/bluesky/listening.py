"""Bluesky's public search (app.bsky.feed.searchPosts) read as PublicPost items.

`sort=latest` gives newest first; the answer's `cursor` leads to older results. Posts are read
as raw JSON, not SDK models: one malformed post is skipped and counted, not fail the page.
A post deleted since is simply no longer returned by the AppView: Bluesky's search does not
name deletions, so `ListeningPage.deleted` stays empty here.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from atproto import Client, models

from roost.networks.base import ListeningPage, PublicPost, count_of
from roost.networks.bluesky.client import BlueskyClient
from roost.networks.bluesky.inbox import (
    POST,
    Unreadable,
    display_name,
    first_language,
    parse_time,
    post_uri,
    post_url,
)
from roost.networks.bluesky.validation import MAX_TEXT_BYTES

logger = logging.getLogger(__name__)

MAX_LIMIT = 100  # searchPosts' largest page


def search_posts(
    client: BlueskyClient,
    term: str,
    *,
    cursor: str | None,
    since: datetime | None,
    language: str,
    limit: int,
) -> ListeningPage:
    """One page of searchPosts for `term`; may raise SDK errors (the connector maps them)."""
    params = models.AppBskyFeedSearchPosts.Params(
        q=term,
        sort="latest",
        since=iso(since) if since is not None else None,
        lang=language or None,
        limit=max(1, min(limit, MAX_LIMIT)),
        cursor=cursor or None,
    )

    def query(sdk: Client) -> Any:
        return sdk.invoke_query(
            "app.bsky.feed.searchPosts", params=params, output_encoding="application/json"
        )

    content = client.call(query).content
    if not isinstance(content, Mapping) or not isinstance(content.get("posts"), list):
        raise Unreadable("searchPosts answered without a list of posts")
    posts: list[PublicPost] = []
    skipped = 0
    for raw in content["posts"]:
        post = public_post(raw)
        if post is None:
            skipped += 1
            logger.info("Skipped a malformed Bluesky search result %r", _uri_of(raw))
        else:
            posts.append(post)
    next_cursor = content.get("cursor")
    # An empty page ends the search even if a cursor came with it (no loop on nothing).
    more = isinstance(next_cursor, str) and next_cursor and content["posts"]
    return ListeningPage(posts=tuple(posts), cursor=next_cursor if more else None, skipped=skipped)


def public_post(view: object) -> PublicPost | None:
    """A PublicPost from one postView; None when it is not the documented shape."""
    if not isinstance(view, Mapping):
        return None
    author, record, uri = view.get("author"), view.get("record"), view.get("uri")
    if not isinstance(author, Mapping) or not isinstance(record, Mapping):
        return None
    did, handle = author.get("did"), author.get("handle")
    if not isinstance(did, str) or not isinstance(handle, str) or not did.startswith("did:"):
        return None
    at_uri = post_uri(uri)
    if at_uri is None or at_uri.host != did or record.get("$type") != POST:
        return None
    text = record.get("text")
    if not isinstance(text, str) or len(text.encode("utf-8")) > MAX_TEXT_BYTES:
        return None
    created = parse_time(record.get("createdAt")) or parse_time(view.get("indexedAt"))
    if created is None:
        return None
    return PublicPost(
        remote_id=str(uri),
        text=text,
        created_at=created,
        author_id=did,
        author_handle=handle,
        author_name=display_name(author),
        url=post_url(did, handle, at_uri.rkey),
        language=first_language(record),
        likes=count_of(view.get("likeCount")),
        reposts=count_of(view.get("repostCount")),
        replies=count_of(view.get("replyCount")),
    )


def iso(moment: datetime) -> str:
    """A moment as Bluesky writes times: UTC, milliseconds, Z."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _uri_of(raw: object) -> object:
    return raw.get("uri") if isinstance(raw, Mapping) else None
