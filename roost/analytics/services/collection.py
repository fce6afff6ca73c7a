"""Collection: reading published posts' counts and channels' audiences from the networks.

- A delivery is tracked when it is published (publishing's `on_published` hook, and a
  catch-up sweep for any the hook missed) with its first reading due an hour later.
- Readings come more often while a post is young: READINGS after publishing (1 h, 6 h,
  24 h, 3 d, 7 d, 30 d); after the last one `next_collect_at` is None. A run that falls
  behind takes one reading and moves on to the next point still ahead, never catching up
  one by one.
- Each channel's network calls run in a bounded thread pool (no ORM in the threads), and
  each channel fails on its own: its error is recorded on the channel (or it is marked for
  reconnecting), its unread posts wait a while (backing off as failures go on, so that a
  channel that is down never takes every run's turn), and the other channels go on.
- The audience (followers, following, posts) is read per channel a few times a day and
  kept as that channel's day in the workspace's zone (the last reading of a day wins).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction

from roost.analytics.models import PostMetrics
from roost.analytics.services.recording import (
    Reading,
    channel_day_record,
    day_of,
    metrics_track,
)
from roost.analytics.services.recording import (
    metrics_record as record_readings,
)
from roost.channels.models import Channel, ChannelStatus
from roost.channels.services import (
    OpenConnector,
    channel_mark_unauthorized,
    channel_record_failure,
    channel_record_success,
    connector_open,
)
from roost.core import clock
from roost.networks.base import Audience, Metrics, MetricsConnector, Outcome, Result
from roost.publishing.models import Delivery, DeliveryStatus

log = logging.getLogger("roost.analytics")

# When to read a post's counts, counted from its publishing.
READINGS = (
    timedelta(hours=1),
    timedelta(hours=6),
    timedelta(hours=24),
    timedelta(days=3),
    timedelta(days=7),
    timedelta(days=30),
)
BATCH = 100  # remote ids per fetch_metrics call
MAX_DUE = 5000  # readings per run; the rest are due next run
RETRY_BASE, RETRY_CAP = timedelta(minutes=5), timedelta(hours=6)  # after a failed read
CATCH_UP = timedelta(days=2)  # how far back the sweep looks for published, untracked posts


def next_reading_at(published_at: datetime, after: datetime) -> datetime | None:
    """The first reading point of a post published at `published_at` later than `after`
    (None: its readings are over)."""
    for offset in READINGS:
        at = published_at + offset
        if at > after:
            return at
    return None


def deliveries_on_published(delivery_ids: Sequence[int]) -> int:
    """Publishing's `on_published` hook: follow the deliveries just published, first
    reading an hour after each was published. Returns how many were new."""
    deliveries = Delivery.objects.filter(
        pk__in=list(delivery_ids), status=DeliveryStatus.PUBLISHED
    ).select_related("channel__workspace")
    return _track(list(deliveries))


def _track(deliveries: list[Delivery]) -> int:
    """Track deliveries, each with its own first reading (grouped by that time)."""
    by_first: dict[datetime | None, list[Delivery]] = defaultdict(list)
    for d in deliveries:
        if d.published_at is not None:
            by_first[d.published_at + READINGS[0]].append(d)
    return sum(metrics_track(deliveries=ds, next_collect_at=at) for at, ds in by_first.items())


def metrics_catch_up(*, now: datetime | None = None) -> int:
    """Track deliveries published lately that nothing tracked (the hook runs after the
    publisher's commit: a worker that died in between leaves some). Reads the recent end
    of the deliveries' (status, next_attempt_at) index only: a published delivery's last
    attempt was due shortly before it was published."""
    since = (now or clock.now()) - CATCH_UP
    missed = Delivery.objects.filter(
        status=DeliveryStatus.PUBLISHED,
        next_attempt_at__gte=since,
        published_at__isnull=False,
        analytics__isnull=True,  # no PostMetrics row
    ).select_related("channel__workspace")
    return _track(list(missed[:MAX_DUE]))


@dataclass
class CollectReport:
    """What one collection run did."""

    tracked: int = 0  # deliveries the catch-up found
    readings: int = 0  # readings stored
    finished: int = 0  # deliveries whose readings are over
    failed_channels: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class _Due:
    delivery_id: int
    channel_id: int
    remote_id: str
    published_at: datetime


Counts = tuple[Result, dict[str, Metrics]]


def _guarded[T](channel: Channel, calls: Callable[[OpenConnector], T], failed: T) -> tuple[T, Any]:
    """Open the channel's connector and make `calls` (in a pool thread: no ORM); a connector
    bug becomes `failed` instead of stopping the other channels."""
    opened = None
    try:
        opened = connector_open(channel)
        return calls(opened), opened
    except Exception:
        log.exception("channel %s: reading from its network failed", channel.pk)
        return failed, opened


def _fetch_counts(channel: Channel, batches: list[list[str]]) -> tuple[list[Counts], Any]:
    """One channel's counts, batch after batch on one connector (one call at a time per
    account); stops at the first failed batch. Runs in a pool thread: no ORM."""
    done: list[Counts] = []

    def calls(opened: OpenConnector) -> list[Counts]:
        for remote_ids in batches:
            done.append(opened.connector.fetch_metrics(remote_ids))
            if not done[-1][0].ok:
                break
        return done

    _fetched, opened = _guarded(channel, calls, done)
    if len(done) < len(batches) and (not done or done[-1][0].ok):  # a bug stopped it
        done.append(
            (Result(Outcome.RETRYABLE, reason="Unexpected error while reading counts."), {})
        )
    return done, opened


def metrics_collect(
    *,
    now: datetime | None = None,
    channel_ids: Sequence[int] | None = None,
    concurrency: int = 8,
    limit: int = MAX_DUE,
) -> CollectReport:
    """Read the counts of every tracked delivery that is due, on active channels, and store
    them (history, latest, day roll-ups); then schedule each one's next reading."""
    now = now or clock.now()
    report = CollectReport(tracked=metrics_catch_up(now=now) if channel_ids is None else 0)
    blocked = list(
        Channel.objects.exclude(status=ChannelStatus.ACTIVE).values_list("id", flat=True)
    )
    due_rows = PostMetrics.objects.filter(next_collect_at__lte=now).exclude(channel_id__in=blocked)
    if channel_ids is not None:
        due_rows = due_rows.filter(channel_id__in=list(channel_ids))
    due: dict[int, list[_Due]] = defaultdict(list)
    for delivery_id, channel_id, remote_id, published_at in due_rows.order_by(
        "next_collect_at"
    ).values_list("delivery_id", "channel_id", "delivery__remote_id", "published_at")[:limit]:
        due[channel_id].append(_Due(delivery_id, channel_id, remote_id, published_at))
    if not due:
        return report
    channels = {c.pk: c for c in Channel.objects.filter(pk__in=list(due))}
    batches = {
        cid: [items[i : i + BATCH] for i in range(0, len(items), BATCH)]
        for cid, items in due.items()
        if cid in channels
    }

    def fetch(cid: int) -> tuple[list[Counts], Any]:
        return _fetch_counts(channels[cid], [[d.remote_id for d in b] for b in batches[cid]])

    with ThreadPoolExecutor(max(1, min(concurrency, len(batches)))) as pool:
        fetched = dict(zip(batches, pool.map(fetch, batches), strict=True))
    for cid, (results, opened) in fetched.items():
        if opened is not None:
            opened.keep_refreshed()
        try:  # each channel's counts are stored, or fail, on their own
            error = _store_channel(channels[cid], batches[cid], results, now, report)
        except Exception as exc:
            log.exception("channel %s: storing counts failed", cid)
            error = f"Could not store the counts: {exc}"
        _settle(channels[cid], error, report)
    return report


def _store_channel(
    channel: Channel,
    batches: list[list[_Due]],
    results: list[Counts],
    now: datetime,
    report: CollectReport,
) -> str | None:
    """Keep one channel's readings (those it got, even when a batch failed part-way) and
    move each read delivery on to its next reading. Returns the error to record, if any
    ("" when the channel needs reconnecting: that is recorded already)."""
    readings: list[Reading] = []
    moved: list[PostMetrics] = []
    read: set[int] = set()
    error: str | None = None
    failed: Result | None = None
    for items, (result, counts) in zip(batches, results, strict=False):
        if result.outcome is Outcome.UNAUTHORIZED:
            # Not asked again until reconnected; then its posts are due at once.
            channel_mark_unauthorized(channel_id=channel.pk, reason=result.reason)
            return ""
        for item in items:
            metrics = counts.get(item.remote_id)
            if metrics is None and not result.ok:
                continue  # not read this time
            if metrics is not None:  # absent from a good answer: gone from the network
                readings.append(Reading(item.delivery_id, metrics.values(), now))
            nxt = next_reading_at(item.published_at, now)
            report.finished += nxt is None
            moved.append(PostMetrics(delivery_id=item.delivery_id, next_collect_at=nxt))
            read.add(item.delivery_id)
        if not result.ok:
            error, failed = result.reason or result.outcome.value, result
            break
    if failed is not None:
        # What was not read waits a while (longer as failures go on), so that a channel
        # whose network is down does not take every run's turn from the others.
        retry = now + _retry_delay(failed, channel.metrics_failures)
        moved += [
            PostMetrics(delivery_id=item.delivery_id, next_collect_at=retry)
            for items in batches
            for item in items
            if item.delivery_id not in read
        ]
    with transaction.atomic():
        report.readings += record_readings(readings=readings)
        PostMetrics.objects.bulk_update(moved, ["next_collect_at"], batch_size=500)
    return error


def _retry_delay(result: Result, failures: int) -> timedelta:
    """How long a channel's unread posts wait after a failed run: what the network asked
    for, else 5 minutes doubling with each failure in a row, at most RETRY_CAP."""
    if result.retry_after is not None:
        return min(timedelta(seconds=max(result.retry_after, 1.0)), RETRY_CAP)
    return min(RETRY_BASE * 2 ** min(failures, 10), RETRY_CAP)


def _settle(channel: Channel, error: str | None, report: CollectReport) -> None:
    """Record a channel's failure, or the end of its failure streak."""
    if error:
        report.failed_channels.append(channel.pk)
        channel_record_failure(channel_id=channel.pk, activity="metrics", error=error)
    elif error is None and channel.metrics_failures:
        channel_record_success(channel_id=channel.pk, activity="metrics")


def audience_collect(
    *, now: datetime | None = None, channel_ids: Sequence[int] | None = None, concurrency: int = 8
) -> int:
    """Read every active channel's audience and keep it as today's (in its workspace's
    zone). Returns how many channels were read."""
    now = now or clock.now()
    channels = Channel.objects.filter(status=ChannelStatus.ACTIVE).select_related("workspace")
    if channel_ids is not None:
        channels = channels.filter(pk__in=list(channel_ids))
    found = list(channels)
    if not found:
        return 0
    Answer = tuple[Result, Audience | None]
    unexpected: Answer = (
        Result(Outcome.RETRYABLE, reason="Unexpected error while reading the audience."),
        None,
    )

    def calls(opened: OpenConnector) -> Answer:
        connector = opened.connector
        if not isinstance(connector, MetricsConnector):
            return Result(Outcome.OK), None  # this network says nothing of its audience
        return connector.fetch_audience()

    def fetch(channel: Channel) -> tuple[Answer, Any]:
        return _guarded(channel, calls, unexpected)

    with ThreadPoolExecutor(max(1, min(concurrency, len(found)))) as pool:
        answers = list(pool.map(fetch, found))
    read = 0
    for channel, ((result, audience), opened) in zip(found, answers, strict=True):
        if opened is not None:
            opened.keep_refreshed()
        error: str | None = None
        try:
            if result.outcome is Outcome.UNAUTHORIZED:
                channel_mark_unauthorized(channel_id=channel.pk, reason=result.reason)
                continue
            if not result.ok:
                error = result.reason or result.outcome.value
            elif audience is not None:
                channel_day_record(
                    channel_id=channel.pk,
                    workspace_id=channel.workspace_id,
                    day=day_of(now, channel.workspace.timezone),
                    followers=audience.followers,
                    following=audience.following,
                    posts_total=audience.posts,
                )
                read += 1
        except Exception as exc:
            log.exception("channel %s: storing its audience failed", channel.pk)
            error = f"Could not store the audience: {exc}"
        _settle(channel, error, CollectReport())
    return read
