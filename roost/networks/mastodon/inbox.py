"""Mastodon's inbox: notifications read as Inbound items, and what a reply needs.

The cursor is the newest notification id seen. Mastodon's `min_id` answers the notifications
just after an id (a page of the oldest newer ones, listed newest first), so a poll walks
forward from the cursor page by page until a page comes back empty: nothing is skipped, and
a poll cut short (by MAX_PAGES or an error) leaves the rest for the next one.

Direct messages are mentions in a status with visibility "direct". Their `conversation_id`
is the id of the first status of their reply chain (the root, from the status's context),
or the status's own id when it starts the chain: every message of one private thread gets
the same id, and it is an id Mastodon itself knows. (/api/v1/conversations ids would do too,
but they map only each conversation's last status, not every message in it.)
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from mastodon import Mastodon, MastodonNotFoundError

from roost.networks.base import Inbound, InboundKind, InboxPage
from roost.networks.mastodon.text import mentions, plain_text

logger = logging.getLogger(__name__)

PAGE_SIZE = 40  # Mastodon's default page; it allows up to 80
MAX_PAGES = 10  # per poll; the rest waits for the next poll
MAX_CONTENT = 100_000  # characters of HTML: far beyond any instance's limit
# Asked for explicitly: other types (polls, edits, admin reports…) are not inbox material.
TYPES = ["mention", "quote", "favourite", "reblog", "follow"]
ACTIVITY = {"favourite": "likes", "reblog": "reposts", "follow": "follows"}


def newest_id(ids: Sequence[str]) -> str:
    """The newest of some Mastodon ids (snowflakes: longer is newer, then by digits)."""
    return max(ids, key=lambda value: (len(value), value))


class InboxReader:
    """One poll of one account's notifications."""

    def __init__(self, api: Mastodon, *, domain: str, own_id: Callable[[], str]) -> None:
        self._api = api
        self._domain = domain
        self._own_id = own_id
        self._roots: dict[str, str] = {}

    def read(self, cursor: str | None) -> tuple[InboxPage, Exception | None]:
        """Everything after `cursor` (None: the newest page only), and the error that cut the
        poll short, if any. The page then holds the whole pages read before the error."""
        items: dict[str, tuple[str, Inbound]] = {}  # by status id: (notification id, item)
        activity = dict.fromkeys(ACTIVITY.values(), 0)
        skipped = 0
        seen: list[str] = []
        position = cursor
        for _round in range(MAX_PAGES if cursor else 1):
            try:
                # Oldest first: pages run oldest to newest, and so do the items in each.
                notifications = sorted(self._fetch(position), key=_notification_order)
                if not notifications:
                    break
                found = [self._read_one(n) for n in notifications]
            except Exception as exc:
                return _page(items, seen, activity, skipped), exc
            ids = [str(n["id"]) for n in notifications if _is_id(_get(n, "id"))]
            if not ids:
                skipped += len(notifications)
                break  # cannot move on without an id
            seen.extend(ids)
            position = newest_id(ids)
            for notification, kind_or_item in zip(notifications, found, strict=True):
                if isinstance(kind_or_item, Inbound):
                    # One item per status (a quote that also mentions us notifies twice).
                    items.setdefault(
                        kind_or_item.remote_id, (str(notification["id"]), kind_or_item)
                    )
                elif kind_or_item in activity:
                    activity[kind_or_item] += 1
                else:
                    skipped += 1
        return _page(items, seen, activity, skipped), None

    def _fetch(self, min_id: str | None) -> Any:
        if min_id is None:
            return self._api.notifications(types=TYPES, limit=PAGE_SIZE)
        return self._api.notifications(types=TYPES, min_id=min_id, limit=PAGE_SIZE)

    def _read_one(self, notification: Any) -> Inbound | str | None:
        """An Inbound item, an activity name ("likes"…), or None for a malformed one."""
        if not isinstance(notification, Mapping) or not _is_id(notification.get("id")):
            return None
        kind = notification.get("type")
        if kind in ACTIVITY:
            return ACTIVITY[kind]
        if kind not in ("mention", "quote"):
            return None
        item = self._inbound(notification.get("status"), quote=kind == "quote")
        if item is None:
            logger.info("Skipped a malformed Mastodon notification %s", notification.get("id"))
        return item

    def _inbound(self, status: object, *, quote: bool) -> Inbound | None:
        if not isinstance(status, Mapping) or not _is_id(status.get("id")):
            return None
        account = status.get("account")
        content = status.get("content")
        created = _when(status.get("created_at"))
        if not isinstance(account, Mapping) or not _is_id(account.get("id")):
            return None
        acct = account.get("acct")
        if not isinstance(acct, str) or not acct or created is None:
            return None
        if not isinstance(content, str) or len(content) > MAX_CONTENT:
            return None
        status_id = str(status["id"])
        parent = status.get("in_reply_to_id")
        parent_id = str(parent) if _is_id(parent) else ""
        root_id = conversation_id = ""
        if status.get("visibility") == "direct":
            kind = InboundKind.DIRECT
            conversation_id = self._root(status_id, parent_id)
            root_id = conversation_id
        elif quote:
            kind = InboundKind.QUOTE
        elif (
            parent_id
            and _is_id(status.get("in_reply_to_account_id"))
            and str(status["in_reply_to_account_id"]) == self._own_id()
        ):
            kind = InboundKind.REPLY
        else:
            kind = InboundKind.MENTION
        language = status.get("language")
        name = account.get("display_name")
        return Inbound(
            remote_id=status_id,
            kind=kind,
            text=plain_text(content),
            created_at=created,
            author_id=str(account["id"]),
            author_handle=handle(acct, self._domain),
            author_name=name if isinstance(name, str) else "",
            url=str(status.get("url") or status.get("uri") or ""),
            parent_id=parent_id,
            root_id=root_id,
            conversation_id=conversation_id,
            language=language if isinstance(language, str) else "",
        )

    def _root(self, status_id: str, parent_id: str) -> str:
        """The first status of a direct message's reply chain (see the module docstring)."""
        if not parent_id:
            return status_id
        if status_id not in self._roots:
            try:
                ancestors = self._api.status_context(status_id).get("ancestors") or []
            except MastodonNotFoundError:
                ancestors = []  # gone already: the parent is the best we know
            first = ancestors[0] if ancestors and isinstance(ancestors[0], Mapping) else {}
            root = first.get("id")
            self._roots[status_id] = str(root) if _is_id(root) else parent_id
        return self._roots[status_id]


def _page(
    items: Mapping[str, tuple[str, Inbound]],
    seen: Sequence[str],
    activity: Mapping[str, int],
    skipped: int,
) -> InboxPage:
    """Items in the order they arrived (by notification id), oldest first."""
    ordered = sorted(items.values(), key=lambda pair: (len(pair[0]), pair[0]))
    return InboxPage(
        items=tuple(item for _id, item in ordered),
        cursor=newest_id(seen) if seen else None,
        activity=dict(activity),
        skipped=skipped,
    )


def handle(acct: str, domain: str) -> str:
    """ "@user@domain", also for the instance's own users (whose acct is just "user")."""
    return f"@{acct}" if "@" in acct else f"@{acct}@{domain}"


def with_mention(text: str, acct: str, domain: str) -> str:
    """`text` starting with "@acct " unless it already mentions that account."""
    wanted = acct if "@" in acct else f"{acct}@{domain}"
    if not acct or wanted.lower() in mentions(text, domain):
        return text
    return f"@{acct} {text}"


def _notification_order(notification: object) -> tuple[int, str]:
    value = _get(notification, "id")
    text = str(value) if _is_id(value) else ""
    return (len(text), text)


def _get(value: object, key: str) -> object:
    return value.get(key) if isinstance(value, Mapping) else None


def _is_id(value: object) -> bool:
    return (isinstance(value, str) and value.isascii() and value.isalnum()) or (
        isinstance(value, int) and not isinstance(value, bool)
    )


def _when(value: object) -> datetime | None:
    """Mastodon.py gives datetimes; an unparsed string is read here."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if not isinstance(value, datetime):
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
