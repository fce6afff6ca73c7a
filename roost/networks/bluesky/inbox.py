"""Bluesky's inbox: notifications read as Inbound items, and replies threaded under them.

listNotifications pages backwards in time (its `cursor` leads to older notifications), so it
cannot say "what is new since last time". Roost's cursor is its own: the newest `indexedAt`
seen. A poll reads from the newest notification backwards until it reaches that moment
(at most MAX_PAGES pages), and returns what is newer, oldest first.

Notifications are read as raw JSON, not as SDK models: one malformed notification must be
skipped and counted, not fail the whole page in model validation.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from atproto import Client, models
from atproto_client.models.com.atproto.repo.strong_ref import Main as StrongRef
from atproto_core.exceptions import AtProtocolError
from atproto_core.uri import AtUri

from roost.networks.base import Inbound, InboundKind, InboxPage
from roost.networks.bluesky.client import BlueskyClient
from roost.networks.bluesky.validation import MAX_TEXT_BYTES

if TYPE_CHECKING:
    from collections.abc import Sequence

logger = logging.getLogger(__name__)

POST = "app.bsky.feed.post"
APP_URL = "https://bsky.app"
PAGE_SIZE = 100  # listNotifications' largest page
# A poll reads at most this many pages (1000 notifications) back to the stored position.
# An account that got more since the last poll loses the oldest of them; polling every few
# minutes keeps far below that.
MAX_PAGES = 10
# Asked for explicitly, so reasons added to Bluesky later ("starterpack-joined",
# "like-via-repost", …) do not arrive as unknown notifications.
REASONS = ("mention", "reply", "quote", "like", "repost", "follow")
ITEM_KINDS = {
    "mention": InboundKind.MENTION,
    "reply": InboundKind.REPLY,
    "quote": InboundKind.QUOTE,
}
ACTIVITY = {"like": "likes", "repost": "reposts", "follow": "follows"}


class Unreadable(ValueError):
    """A whole answer that is not the shape Bluesky documents (not one bad notification)."""


def read_inbox(client: BlueskyClient, cursor: str | None) -> InboxPage:
    """What arrived after `cursor` (the newest indexedAt of the last poll); may raise SDK
    errors, which the connector turns into a Result."""
    since = parse_time(cursor) if cursor else None
    if cursor and since is None:
        logger.warning("Ignoring an unreadable Bluesky inbox cursor %r", cursor)
    page_cursor: str | None = None
    fresh: list[Mapping[str, Any]] = []
    skipped = 0
    for _page in range(MAX_PAGES if since is not None else 1):
        answer = client.call(partial(_list_notifications, cursor=page_cursor))
        notifications = answer.get("notifications")
        if not isinstance(notifications, list):
            raise Unreadable("listNotifications answered without a list of notifications")
        reached = False
        for notification in notifications:
            indexed = _indexed_at(notification)
            if indexed is None:
                skipped += 1
            elif since is not None and indexed <= since:
                reached = True  # seen by an earlier poll
            else:
                fresh.append(notification)
        page_cursor = answer.get("cursor") if isinstance(answer.get("cursor"), str) else None
        if reached or not notifications or not page_cursor:
            break
    else:
        if since is not None:
            logger.warning("Bluesky inbox: more than %d new notifications", MAX_PAGES * PAGE_SIZE)
    return _page_of(fresh, skipped, client.did)


def _list_notifications(sdk: Client, *, cursor: str | None) -> Mapping[str, Any]:
    """One listNotifications page (newest first) as plain JSON."""
    params = models.AppBskyNotificationListNotifications.Params(
        limit=PAGE_SIZE, cursor=cursor, reasons=list(REASONS)
    )
    response = sdk.invoke_query(
        "app.bsky.notification.listNotifications",
        params=params,
        output_encoding="application/json",
    )
    content = response.content
    if not isinstance(content, Mapping):
        raise Unreadable("listNotifications did not answer with JSON")
    return content


def _page_of(fresh: Sequence[Mapping[str, Any]], skipped: int, own_did: str) -> InboxPage:
    """Items (oldest first, one per post), activity counts and the new cursor."""
    newest: tuple[datetime, str] | None = None
    activity = dict.fromkeys(ACTIVITY.values(), 0)
    items: dict[str, tuple[datetime, Inbound]] = {}
    for notification in fresh:
        indexed = _indexed_at(notification)
        assert indexed is not None  # only notifications with a readable time get here
        raw = str(notification["indexedAt"])
        if newest is None or indexed > newest[0]:
            newest = (indexed, raw)
        reason = notification.get("reason")
        if isinstance(reason, str) and reason in ACTIVITY:
            activity[ACTIVITY[reason]] += 1
            continue
        item = inbound(notification, own_did)
        if item is None:
            skipped += 1
            logger.info("Skipped a malformed Bluesky notification %r", notification.get("uri"))
        elif item.remote_id not in items:
            items[item.remote_id] = (indexed, item)
    ordered = sorted(items.values(), key=lambda pair: pair[0])
    return InboxPage(
        items=tuple(item for _indexed, item in ordered),
        cursor=newest[1] if newest else None,
        activity=activity,
        skipped=skipped,
    )


def inbound(notification: Mapping[str, Any], own_did: str) -> Inbound | None:
    """The Inbound item of a mention, reply or quote notification; None when malformed."""
    kind = ITEM_KINDS.get(str(notification.get("reason")))
    author = notification.get("author")
    record = notification.get("record")
    uri = notification.get("uri")
    if kind is None or not isinstance(author, Mapping) or not isinstance(record, Mapping):
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
    created = parse_time(record.get("createdAt")) or _indexed_at(notification)
    if created is None:
        return None
    parent, root = _reply_uris(record.get("reply"))
    if parent is None or root is None:
        return None  # a reply field that is not two at:// URIs
    if kind is InboundKind.MENTION and parent and _repo_of(parent) == own_did:
        # A reply to our post that also @mentions us arrives as "mention" only: it is a reply.
        kind = InboundKind.REPLY
    return Inbound(
        remote_id=str(uri),
        kind=kind,
        text=text,
        created_at=created,
        author_id=did,
        author_handle=handle,
        author_name=display_name(author),
        url=post_url(did, handle, at_uri.rkey),
        parent_id=parent,
        root_id=root,
        language=first_language(record),
    )


def first_language(record: Mapping[str, Any]) -> str:
    """The first language the author declared on the post, or ""."""
    langs = record.get("langs")
    language = langs[0] if isinstance(langs, list) and langs and isinstance(langs[0], str) else ""
    return language[:20]


def display_name(author: Mapping[str, Any]) -> str:
    name = author.get("displayName")
    return name if isinstance(name, str) else ""


def post_url(did: str, handle: str, rkey: str) -> str:
    """The post's bsky.app page. A handle that no longer verifies is "handle.invalid";
    the DID always makes a link."""
    profile = did if handle == "handle.invalid" else handle
    return f"{APP_URL}/profile/{profile}/post/{rkey}"


def _reply_uris(reply: object) -> tuple[str | None, str | None]:
    """(parent, root) URIs of a record's reply field; ("", "") when it is not a reply."""
    if reply is None:
        return "", ""
    if not isinstance(reply, Mapping):
        return None, None
    uris = []
    for key in ("parent", "root"):
        ref = reply.get(key)
        value = ref.get("uri") if isinstance(ref, Mapping) else None
        uris.append(str(value) if post_uri(value) is not None else None)
    return uris[0], uris[1]


def post_uri(value: object) -> AtUri | None:
    """An at:// URI of a post, or None."""
    if not isinstance(value, str) or not value.startswith("at://"):
        return None
    try:
        uri = AtUri.from_str(value)
    except (AtProtocolError, ValueError):
        return None
    return uri if uri.collection == POST and uri.rkey else None


def _repo_of(uri: str) -> str:
    """The DID (or handle) whose repository holds the record at `uri`."""
    parsed = post_uri(uri)
    return parsed.host if parsed is not None else ""


def _indexed_at(notification: object) -> datetime | None:
    """When Bluesky indexed the notification, or None when it says nothing readable."""
    if not isinstance(notification, Mapping):
        return None
    return parse_time(notification.get("indexedAt"))


def parse_time(value: object) -> datetime | None:
    """An aware datetime from Bluesky's ISO 8601 timestamps; None when unreadable or naive."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


# Replying.


def thread_refs(client: BlueskyClient, parent_uri: str) -> models.AppBskyFeedPost.ReplyRef | None:
    """Root and parent strong refs for a reply to `parent_uri` (one getPosts); None when
    the parent cannot be seen (deleted, or blocked)."""
    params = models.AppBskyFeedGetPosts.Params(uris=[parent_uri])
    response = client.call(
        lambda sdk: sdk.invoke_query(
            "app.bsky.feed.getPosts", params=params, output_encoding="application/json"
        )
    )
    content = response.content
    posts = content.get("posts") if isinstance(content, Mapping) else None
    post = next(
        (p for p in posts or () if isinstance(p, Mapping) and p.get("uri") == parent_uri), None
    )
    if post is None or not isinstance(post.get("cid"), str):
        return None
    parent = StrongRef(uri=parent_uri, cid=post["cid"])
    record = post.get("record")
    reply = record.get("reply") if isinstance(record, Mapping) else None
    root_ref = reply.get("root") if isinstance(reply, Mapping) else None
    root = parent
    if (
        isinstance(root_ref, Mapping)
        and post_uri(root_ref.get("uri")) is not None
        and isinstance(root_ref.get("cid"), str)
    ):
        # The parent is itself a reply: its own root is the thread's root.
        root = StrongRef(uri=root_ref["uri"], cid=root_ref["cid"])
    return models.AppBskyFeedPost.ReplyRef(root=root, parent=parent)
