"""Ingestion: store what a channel's poll returned — deduplicated, threaded into
conversations, run through the workspace's rules — in a few set-based statements."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from roost.channels.models import Channel
from roost.core import clock
from roost.inbox.models import Conversation, InboxCursor, Message
from roost.inbox.services.rules import apply_rules, has_rules
from roost.networks.base import Inbound, InboundKind, InboxPage

log = logging.getLogger("roost.inbox")
MAX_TEXT = 10_000  # longer texts are cut, not refused: nothing said to the brand is lost


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
    with transaction.atomic():
        existing = set(
            Message.objects.filter(channel=channel, remote_id__in=list(items)).values_list(
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
    from roost.publishing.models import Delivery

    # Conversations we already know for the parents of these items.
    parents = {i.parent_id for i in fresh if i.parent_id}
    known = dict(
        Message.objects.filter(channel=channel, remote_id__in=list(parents)).values_list(
            "remote_id", "conversation__key"
        )
    )
    keys: dict[str, str] = {}
    for i in sorted(fresh, key=lambda i: i.created_at):  # parents before their replies
        keys[i.remote_id] = known[i.remote_id] = _key(i, known)
    by_key = {
        c.key: c for c in Conversation.objects.filter(channel=channel, key__in=set(keys.values()))
    }
    newest: dict[str, Any] = {}
    for i in fresh:
        k = keys[i.remote_id][:500]
        if k not in newest or i.created_at > newest[k]:
            newest[k] = i.created_at
    missing = set(keys.values()) - set(by_key)
    if missing:
        ours = {
            d.remote_id: d
            for d in Delivery.objects.filter(channel=channel, remote_id__in=list(missing))
        }
        Conversation.objects.bulk_create(
            [
                Conversation(
                    workspace_id=channel.workspace_id,
                    channel=channel,
                    key=key[:500],
                    direct=key.startswith("dm:"),
                    delivery=ours.get(key),
                    last_message_at=newest[key[:500]],
                )
                for key in missing
            ],
            ignore_conflicts=True,
        )
        by_key = {
            c.key: c
            for c in Conversation.objects.filter(channel=channel, key__in=set(keys.values()))
        }
    lap("thread")
    now = clock.now()
    rows = [
        Message(
            workspace_id=channel.workspace_id,
            channel=channel,
            conversation=by_key[keys[i.remote_id][:500]],
            remote_id=i.remote_id[:500],
            kind=i.kind.value,
            author_id=i.author_id[:255],
            author_handle=i.author_handle[:255],
            author_name=_clean(i.author_name)[:255],
            text=_clean(i.text),
            url=i.url[:500],
            parent_remote_id=i.parent_id[:500],
            language=(i.language or "")[:16],
            sent_at=i.created_at,
            received_at=now,
        )
        for i in fresh
    ]
    Message.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    lap("insert")
    mine = Message.objects.filter(
        channel=channel, remote_id__in=[r.remote_id for r in rows], received_at=now
    )
    # Conversations that existed before this page move to their newest message (new ones
    # were created with it).
    for key in set(keys.values()) - missing:
        Conversation.objects.filter(
            channel=channel, key=key[:500], last_message_at__lt=newest[key[:500]]
        ).update(last_message_at=newest[key[:500]])
    lap("thread")
    if has_rules(channel.workspace_id):
        try:
            # A savepoint: should the rules fail in a way they do not handle themselves,
            # their work is undone and the messages are kept all the same.
            with transaction.atomic():
                apply_rules(channel.workspace_id, list(mine.select_related("channel")))
        except Exception:
            log.exception(
                "channel %s: inbox rules failed; the messages are stored without them",
                channel.pk,
            )
    lap("rules")
    count = mine.count()
    lap("count")
    return count
