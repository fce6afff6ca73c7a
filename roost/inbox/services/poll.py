"""Polling: fetch each channel's inbox (network calls concurrently, outside transactions),
then store what came in.

Each channel is polled, and fails, on its own: an error while fetching or storing one
channel's inbox is logged with the channel's id, recorded on the channel (shown on its page,
counted in /health/, told to the people who manage channels) and the other channels carry
on. Channels are stored as their fetches finish, so a slow one delays nobody else.

Polls are spread out: each channel has its own next poll time, moved forward with jitter
when a round claims it (a conditional update, so two rounds never poll the same channel, and
a round that overruns the period does not overlap the next one) and further back after
failures in a row.
"""

from __future__ import annotations

import logging
import random
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from datetime import datetime, timedelta

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.db.models import F, Q

from roost.channels.models import Channel, ChannelStatus
from roost.channels.services import (
    OpenConnector,
    channel_mark_unauthorized,
    channel_record_failure,
    channel_record_success,
    connector_open,
)
from roost.core import clock
from roost.inbox.models import InboxCursor
from roost.inbox.services.ingest import Ingested, ingest
from roost.networks.base import InboxConnector, InboxPage, Outcome, Result

log = logging.getLogger("roost.inbox")
BACKOFF_CAP = timedelta(hours=1)  # a failing channel is still tried at least this often
CLAIM_LIMIT = 500  # channels per round; the rest are due in the next one


Fetched = tuple[Result, InboxPage, OpenConnector | None]


def _fetch(channel: Channel, cursor: str | None) -> Fetched:
    """The network side of one channel's poll. Runs in a pool thread: no ORM here (the
    connector is handed back so that its refreshed credentials are stored afterwards)."""
    opened = None
    try:
        opened = connector_open(channel)
        connector = opened.connector
        if not isinstance(connector, InboxConnector):
            return Result(Outcome.REJECTED, reason="no inbox"), InboxPage(), opened
        result, page = connector.fetch_inbox(cursor)
        return result, page, opened
    except Exception as exc:  # a connector bug must not stop the other channels
        log.exception("channel %s: inbox poll failed", channel.pk)
        return Result(Outcome.RETRYABLE, reason=f"Unexpected error: {exc}"), InboxPage(), opened


def next_poll_at(now: datetime, failures: int = 0) -> datetime:
    """When a channel is polled next: one period on (±20 %, which spreads channels connected
    at the same time over the period), doubling with each failure in a row, up to an hour."""
    period = timedelta(seconds=settings.ROOST_INBOX_POLL_SECONDS)
    wait = min(BACKOFF_CAP, period * 2 ** min(failures, 12)) if failures else period
    return now + wait * random.uniform(0.8, 1.2)  # noqa: S311 - jitter, not security


def claim_due(limit: int = CLAIM_LIMIT) -> list[Channel]:
    """The active channels whose poll is due, each claimed by moving its next poll time
    forward only if nobody moved it first: a channel is in at most one round at a time."""
    now = clock.now()
    candidates = list(
        Channel.objects.filter(status=ChannelStatus.ACTIVE)
        .filter(Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now))
        .select_related("workspace")
        .order_by(F("next_poll_at").asc(nulls_first=True), "pk")[:limit]
    )
    return [
        c
        for c in candidates
        if Channel.objects.filter(pk=c.pk, next_poll_at=c.next_poll_at).update(
            next_poll_at=next_poll_at(now, c.poll_failures)
        )
    ]


def _failed(channel: Channel, error: str) -> None:
    """Record a failed poll on the channel and poll it later (backing off)."""
    failures = channel_record_failure(channel_id=channel.pk, activity="poll", error=error)
    Channel.objects.filter(pk=channel.pk).update(next_poll_at=next_poll_at(clock.now(), failures))


def _store(channel: Channel, result: Result, page: InboxPage) -> Ingested | None:
    """Store one channel's fetch and record how it went. Never raises."""
    try:
        if result.outcome is Outcome.UNAUTHORIZED:
            channel_mark_unauthorized(channel_id=channel.pk, reason=result.reason)
            return None
        if result.outcome is not Outcome.OK:
            InboxCursor.objects.update_or_create(
                channel=channel,
                defaults={"last_error": result.reason[:500], "polled_at": clock.now()},
            )
            _failed(channel, result.reason)
            return None
        done = ingest(channel, page)
        if channel.poll_failures:  # (read when the round began) a streak is over
            channel_record_success(channel_id=channel.pk, activity="poll")
        return done
    except (OperationalError, InterfaceError) as exc:
        # The database itself (SQLite's write lock held past the busy timeout, a dropped
        # connection): not this channel's fault, and nowhere to record it. The cursor did
        # not move, so the next poll fetches the same items again; nothing is lost.
        log.warning(
            "channel %s: inbox not stored, the database did not answer (%s); the next poll "
            "repeats it",
            channel.pk,
            exc,
        )
        return None
    except Exception as exc:  # one channel's bad data must not stop the others
        log.exception("channel %s: storing its inbox failed", channel.pk)
        try:
            _failed(channel, f"Could not store new messages: {exc}")
        except Exception:  # pragma: no cover - the database itself is failing
            log.exception("channel %s: could not record the failure", channel.pk)
        return None


def poll_channels(channels: list[Channel], concurrency: int = 8) -> dict[int, Ingested]:
    """Poll these channels now; returns what was stored, by channel id (failed ones are
    left out and recorded on their channel)."""
    if not channels:
        return {}
    cursors = dict(
        InboxCursor.objects.filter(channel__in=channels).values_list("channel_id", "cursor")
    )
    done: dict[int, Ingested] = {}
    with ThreadPoolExecutor(max(1, min(concurrency, len(channels)))) as pool:
        futures: dict[Future[Fetched], Channel] = {
            pool.submit(_fetch, c, cursors.get(c.pk) or None): c for c in channels
        }
        for future in as_completed(futures):  # store each as soon as its fetch is back
            channel = futures[future]
            result, page, opened = future.result()  # _fetch never raises
            if opened is not None:
                opened.keep_refreshed()  # a refreshed session, before anything else
            stored = _store(channel, result, page)
            if stored is not None:
                done[channel.pk] = stored
    return done


def poll_all() -> dict[int, Ingested]:
    """One round: poll the channels that are due (see claim_due)."""
    return poll_channels(claim_due())
