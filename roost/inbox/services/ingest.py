"""Ingestion: store what a channel's poll returned — deduplicated, threaded into
conversations, run through the workspace's rules — in a few set-based statements."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Case, DateTimeField, Value, When

from roost.channels.models import Channel
from roost.core import clock
from roost.inbox.models import Conversation, InboxCursor, Message
from roost.inbox.services.bulk import among, insert_ignoring_conflicts
from roost.inbox.services.rules import apply_rules, has_rules
from roost.networks.base import Inbound, InboundKind, InboxPage

log = logging.getLogger("roost.inbox")
MAX_TEXT = 10_000  # longer texts are cut, not refused: nothing said to the brand is lost
# What ingestion writes of a message (the other columns take their defaults).
MESSAGE_COLUMNS = (
    "workspace_id",
    "channel_id",
    "conversation_id",
    "remote_id",
    "kind",
    "author_id",
    "author_handle",
    "author_name",
    "text",
    "url",
    "parent_remote_id",
    "language",
    "sent_at",
    "received_at",
)


# Seconds per stage of ingestion, summed while `stage_times()` is on (bench/inbox.py).
_stage_totals: ContextVar[dict[str, float] | None] = ContextVar("ingest_stages", default=None)


@contextmanager
def stage_times() -> Iterator[dict[str, float]]:
    """Sum the seconds ingestion spends in each stage into the dict yielded, while the block
    runs (for benchmarks: ingestion itself does not change)."""
    totals: dict[str, float] = {}
    token = _stage_totals.set(totals)
    try:
        yield totals
    finally:
        _stage_totals.reset(token)


class _Laps:
    """Adds the time since the last lap to a stage; does nothing unless stage times are on."""

    __slots__ = ("last", "totals")

    def __init__(self) -> None:
        self.totals = _stage_totals.get()
        self.last = time.perf_counter() if self.totals is not None else 0.0

    def __call__(self, stage: str) -> None:
        if self.totals is not None:
            now = time.perf_counter()
            self.totals[stage] = self.totals.get(stage, 0.0) + (now - self.last)
            self.last = now


@dataclass(frozen=True)
class Ingested:
    created: int
    duplicates: int
    skipped: int


def _clean(text: str) -> str:
    """Drop what cannot be stored (lone surrogates, NUL) and cap the length."""
    return text.encode("utf-8", "replace").decode("utf-8").replace("\x00", "")[:MAX_TEXT]


def _key(item: Inbound, known: dict[str, str]) -> str:
    """The conversation an item belongs to."""
    if item.kind is InboundKind.DIRECT and item.conversation_id:
        return f"dm:{item.conversation_id}"
    if item.root_id:
        return item.root_id
    if item.parent_id:
        return known.get(item.parent_id, item.parent_id)
    return item.remote_id


def ingest(channel: Channel, page: InboxPage, *, cursor_after: bool = True) -> Ingested:
    """Store a page of inbound items for `channel` and move its cursor, in one transaction:
    a poll that stops half-way is repeated whole, and duplicates are dropped by remote id."""
    lap = _Laps()
    skipped = page.skipped
    items: dict[str, Inbound] = {}
    for item in page.items:
        if not item.remote_id or not isinstance(item.text, str):
            skipped += 1
            continue
        items.setdefault(item.remote_id[:500], item)
    lap("prepare")
    if not items and not page.activity and cursor_after:
        # Nothing new (most polls): one UPDATE, no transaction, no read of messages.
        moved: dict[str, Any] = {"polled_at": clock.now(), "last_error": ""}
        if page.cursor is not None:
            moved["cursor"] = page.cursor[:500]
        if InboxCursor.objects.filter(channel=channel).update(**moved):
            lap("cursor")
            return Ingested(created=0, duplicates=0, skipped=skipped)
    with transaction.atomic():
        existing = set(
            Message.objects.filter(among(Message, "remote_id", items), channel=channel).values_list(
                "remote_id", flat=True
            )
        )
        fresh = [i for rid, i in items.items() if rid not in existing]
        duplicates = len(items) - len(fresh)
        lap("dedupe")
        created = _store(channel, fresh, lap) if fresh else 0
        if cursor_after:
            state, _made = InboxCursor.objects.get_or_create(channel=channel)
            if page.cursor is not None:
                state.cursor = page.cursor[:500]
            state.polled_at = clock.now()
            state.last_error = ""
            activity = dict(state.activity)
            for name, count in page.activity.items():
                activity[name] = int(activity.get(name, 0)) + int(count)
            state.activity = activity
            state.save()
            lap("cursor")
    lap("commit")
    return Ingested(created=created, duplicates=duplicates, skipped=skipped)


def _store(channel: Channel, fresh: list[Inbound], lap: _Laps) -> int:
    """Thread `fresh` into conversations and insert them; returns how many were inserted."""
    keys = _conversation_keys(channel, fresh)
    conversations = _conversations(channel, fresh, keys)
    lap("thread")
    now = clock.now()
    workspace_id, channel_id = channel.workspace_id, channel.pk
    created = insert_ignoring_conflicts(
        Message,
        MESSAGE_COLUMNS,
        [
            (
                workspace_id,
                channel_id,
                conversations[keys[i.remote_id]],
                i.remote_id[:500],
                i.kind.value,
                i.author_id[:255],
                i.author_handle[:255],
                _clean(i.author_name)[:255],
                _clean(i.text),
                i.url[:500],
                i.parent_id[:500],
                (i.language or "")[:16],
                i.created_at,
                now,
            )
            for i in fresh
        ],
    )
    lap("insert")
    if created and has_rules(channel.workspace_id):
        # Read back only for the rules (they need the rows' ids): the rows this call
        # inserted, not ones a concurrent poll of the same channel stored a moment ago.
        mine = Message.objects.filter(
            among(Message, "remote_id", [i.remote_id[:500] for i in fresh]),
            channel=channel,
            received_at=now,
        ).select_related("channel")
        try:
            # A savepoint: should the rules fail in a way they do not handle themselves,
            # their work is undone and the messages are kept all the same.
            with transaction.atomic():
                apply_rules(channel.workspace_id, list(mine))
        except Exception:
            log.exception(
                "channel %s: inbox rules failed; the messages are stored without them",
                channel.pk,
            )
        lap("rules")
    return created


def _conversation_keys(channel: Channel, fresh: list[Inbound]) -> dict[str, str]:
    """The conversation key of each item, by remote id: parents are looked up among the
    stored messages and among the items themselves (a parent before its replies)."""
    parents = {i.parent_id for i in fresh if i.parent_id and not i.root_id}
    known: dict[str, str] = {}
    if parents:
        known = dict(
            Message.objects.filter(
                among(Message, "remote_id", parents), channel=channel
            ).values_list("remote_id", "conversation__key")
        )
    keys: dict[str, str] = {}
    for i in sorted(fresh, key=lambda i: i.created_at):  # parents before their replies
        keys[i.remote_id] = known[i.remote_id] = _key(i, known)[:500]
    return keys


def _conversations(channel: Channel, fresh: list[Inbound], keys: dict[str, str]) -> dict[str, int]:
    """The conversation id for each key: existing ones moved to their newest message, the
    missing ones created (linked to our published post when they answer one)."""
    newest: dict[str, datetime] = {}
    for i in fresh:
        key = keys[i.remote_id]
        if key not in newest or i.created_at > newest[key]:
            newest[key] = i.created_at
    found = _conversation_ids(channel, list(newest))
    stored_before = list(found)
    missing = [key for key in newest if key not in found]
    if missing:
        # Only a thread's root can be a post of ours: an item that starts its own
        # conversation (a mention) is someone else's post.
        own = {i.remote_id[:500] for i in fresh}
        candidates = [k for k in missing if k not in own and not k.startswith("dm:")]
        ours: dict[str, int] = {}
        if candidates:
            from roost.publishing.models import Delivery

            ours = dict(
                Delivery.objects.filter(channel=channel, remote_id__in=candidates).values_list(
                    "remote_id", "pk"
                )
            )
        made = insert_ignoring_conflicts(
            Conversation,
            ("workspace_id", "channel_id", "key", "direct", "delivery_id", "last_message_at"),
            [
                (
                    channel.workspace_id,
                    channel.pk,
                    key,
                    key.startswith("dm:"),
                    ours.get(key),
                    newest[key],
                )
                for key in missing
            ],
        )
        found.update(_conversation_ids(channel, missing))
        if made < len(missing):  # a concurrent poll of this channel made some of them first
            stored_before += missing
    _move_forward({found[key]: newest[key] for key in stored_before})
    return found


def _conversation_ids(channel: Channel, keys: list[str]) -> dict[str, int]:
    """The ids of the channel's conversations with these keys, by key."""
    return dict(
        Conversation.objects.filter(among(Conversation, "key", keys), channel=channel).values_list(
            "key", "pk"
        )
    )


def _move_forward(newest: dict[int, datetime]) -> None:
    """Move conversations (by id) to their newest message, never back: a conditional
    update per 500, which writes only the rows that are behind."""
    pairs = list(newest.items())
    for start in range(0, len(pairs), 500):
        batch = pairs[start : start + 500]
        at = Case(
            *(When(pk=pk, then=Value(when)) for pk, when in batch), output_field=DateTimeField()
        )
        Conversation.objects.filter(
            pk__in=[pk for pk, _when in batch], last_message_at__lt=at
        ).update(last_message_at=at)
