"""Engagement counts (likes, reposts, replies, quotes) fetched from the networks.

Each channel's refresh runs and fails on its own: a failure is logged with the channel's
id and recorded on the channel (see channel_record_failure), and the others go on."""

from __future__ import annotations

import logging
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from roost.channels.models import Channel, ChannelStatus
from roost.channels.services import (
    OpenConnector,
    channel_mark_unauthorized,
    channel_record_failure,
    channel_record_success,
    connector_open,
)
from roost.core import clock
from roost.networks.base import Metrics, Outcome, Result
from roost.publishing.models import Delivery, DeliveryStatus

log = logging.getLogger("roost.metrics")
WINDOW = timedelta(days=30)
BATCH = 100


Counts = tuple[Result, dict[str, Metrics]]


def _fetch(channel: Channel, batches: list[list[str]]) -> tuple[list[Counts], OpenConnector | None]:
    """One channel's counts, batch after batch on one connector (one call at a time per
    account). Runs in a pool thread: no ORM here; the connector is handed back so that its
    refreshed credentials are stored afterwards."""
    opened = None
    done: list[Counts] = []
    try:
        opened = connector_open(channel)
        for remote_ids in batches:
            done.append(opened.connector.fetch_metrics(remote_ids))
    except Exception as exc:  # a connector bug must not stop the other channels
        log.exception("channel %s: metrics failed", channel.pk)
        failed: Counts = (Result(Outcome.RETRYABLE, reason=f"Unexpected error: {exc}"), {})
        done += [failed] * (len(batches) - len(done))
    return done, opened


def metrics_refresh(*, channel_ids: list[int] | None = None, concurrency: int = 8) -> int:
    """Fetch counts for posts published in the last 30 days; returns how many were updated.
    Network calls run concurrently per channel, outside any transaction."""
    since = clock.now() - WINDOW
    deliveries = Delivery.objects.filter(
        status=DeliveryStatus.PUBLISHED,
        published_at__gte=since,
        channel__status=ChannelStatus.ACTIVE,
    ).select_related("channel__workspace")
    if channel_ids:
        deliveries = deliveries.filter(channel_id__in=channel_ids)
    by_channel: dict[int, list[Delivery]] = defaultdict(list)
    channels: dict[int, Channel] = {}
    for d in deliveries.order_by("-published_at")[:5000]:
        by_channel[d.channel_id].append(d)
        channels[d.channel_id] = d.channel
    batches = {
        cid: [items[i : i + BATCH] for i in range(0, len(items), BATCH)]
        for cid, items in by_channel.items()
    }

    def fetch(cid: int) -> tuple[list[Counts], OpenConnector | None]:
        return _fetch(channels[cid], [[d.remote_id for d in batch] for batch in batches[cid]])

    with ThreadPoolExecutor(max(1, min(concurrency, len(batches) or 1))) as pool:
        fetched = list(pool.map(fetch, batches))
    updated = 0
    now = clock.now().isoformat()
    errors: dict[int, str] = {}
    for cid, (results, opened) in zip(batches, fetched, strict=True):
        channel = channels[cid]
        if opened is not None:
            opened.keep_refreshed()
        for items, (result, counts) in zip(batches[cid], results, strict=True):
            try:  # each channel's counts are stored, or fail, on their own
                updated += _store(channel, items, result, counts, now, errors)
            except Exception as exc:
                log.exception("channel %s: storing metrics failed", channel.pk)
                errors[channel.pk] = f"Could not store the counts: {exc}"
    for channel_id in channels:
        if channel_id in errors:
            channel_record_failure(
                channel_id=channel_id, activity="metrics", error=errors[channel_id]
            )
        elif channels[channel_id].metrics_failures:  # a streak is over
            channel_record_success(channel_id=channel_id, activity="metrics")
    return updated


def _store(
    channel: Channel,
    items: list[Delivery],
    result: Result,
    counts: dict[str, Metrics],
    now: str,
    errors: dict[int, str],
) -> int:
    """Keep one batch's counts (those it got, even when the batch failed part-way)."""
    if result.outcome is Outcome.UNAUTHORIZED:
        channel_mark_unauthorized(channel_id=channel.pk, reason=result.reason)
        return 0
    if result.outcome is not Outcome.OK:
        errors[channel.pk] = result.reason or result.outcome.value
    fresh = []
    for d in items:
        m = counts.get(d.remote_id)
        if m is None:
            continue
        d.metrics = {
            "likes": m.likes,
            "reposts": m.reposts,
            "replies": m.replies,
            "quotes": m.quotes,
            "fetched_at": now,
        }
        fresh.append(d)
    Delivery.objects.bulk_update(fresh, ["metrics"])
    return len(fresh)
