"""Recording what the networks report: history, the latest counts, and the day roll-ups,
kept consistent in one transaction per batch (set-based: a batch of thousands of readings
costs a handful of statements per channel-day, not per reading)."""

from __future__ import annotations

import zoneinfo
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce

from roost.analytics.models import ENGAGEMENTS, METRICS, ChannelDay, MetricSnapshot, PostMetrics
from roost.core import clock
from roost.publishing.models import Delivery, DeliveryStatus


@dataclass(frozen=True)
class Reading:
    """One delivery's counts at `taken_at`. A metric missing or None: not available."""

    delivery_id: int
    values: Mapping[str, int | None]
    taken_at: datetime = field(default_factory=clock.now)


def engagements_of(values: Mapping[str, int | None]) -> int:
    """Interactions the network provides, added up (see models.ENGAGEMENTS)."""
    return sum(values.get(name) or 0 for name in ENGAGEMENTS)


def day_of(moment: datetime, zone: str) -> date:
    """The calendar day of `moment` in the workspace's zone (the roll-ups' day)."""
    return moment.astimezone(zoneinfo.ZoneInfo(zone)).date()


def metrics_track(
    *, deliveries: Iterable[Delivery], next_collect_at: datetime | None = None
) -> int:
    """Start following published deliveries (idempotent): one PostMetrics row each, counted
    as a post of its channel's day. Returns how many were new."""
    rows = []
    for d in deliveries:
        if d.status != DeliveryStatus.PUBLISHED or d.published_at is None:
            continue
        zone = d.channel.workspace.timezone
        rows.append(
            PostMetrics(
                delivery_id=d.pk,
                workspace_id=d.channel.workspace_id,
                channel_id=d.channel_id,
                post_id=d.post_id,
                published_at=d.published_at,
                day=day_of(d.published_at, zone),
                next_collect_at=next_collect_at,
            )
        )
    if not rows:
        return 0
    with transaction.atomic():
        known = set(
            PostMetrics.objects.filter(delivery_id__in=[r.delivery_id for r in rows]).values_list(
                "delivery_id", flat=True
            )
        )
        fresh = [r for r in rows if r.delivery_id not in known]
        PostMetrics.objects.bulk_create(fresh, ignore_conflicts=True, batch_size=500)
        per_day: dict[tuple[int, int, date], int] = defaultdict(int)
        for r in fresh:
            per_day[(r.workspace_id, r.channel_id, r.day)] += 1
        _ensure_days(per_day)
        for (_w, channel_id, day), n in per_day.items():
            ChannelDay.objects.filter(channel_id=channel_id, day=day).update(posts=F("posts") + n)
    return len(fresh)


def _ensure_days(keys: Iterable[tuple[int, int, date]]) -> None:
    ChannelDay.objects.bulk_create(
        [ChannelDay(workspace_id=w, channel_id=c, day=d) for w, c, d in keys],
        ignore_conflicts=True,
        batch_size=500,
    )


def metrics_record(*, readings: Sequence[Reading]) -> int:
    """Store readings of tracked deliveries: each becomes a snapshot, the delivery's latest
    counts, and the difference is added to its channel's day. Readings of deliveries not
    tracked (see metrics_track) are skipped. Returns how many were stored."""
    if not readings:
        return 0
    ids = {r.delivery_id for r in readings}
    with transaction.atomic():
        latest = {
            pm.delivery_id: pm
            for pm in PostMetrics.objects.select_for_update().filter(delivery_id__in=ids)
        }
        snapshots: list[MetricSnapshot] = []
        deltas: dict[tuple[int, int, date], dict[str, int]] = {}
        changed: dict[int, PostMetrics] = {}
        for reading in sorted(readings, key=lambda r: r.taken_at):
            pm = latest.get(reading.delivery_id)
            if pm is None:
                continue
            values = {name: _count(reading.values.get(name)) for name in METRICS}
            snapshots.append(
                MetricSnapshot(delivery_id=pm.delivery_id, taken_at=reading.taken_at, **values)
            )
            delta = deltas.setdefault((pm.workspace_id, pm.channel_id, pm.day), {})
            for name, new in values.items():
                if new is None:  # not reported this time: the last value stands
                    continue
                old = getattr(pm, name)
                delta[name] = delta.get(name, 0) + new - (old or 0)
                setattr(pm, name, new)
            engagements = engagements_of(pm.values())
            delta["engagements"] = delta.get("engagements", 0) + engagements - pm.engagements
            pm.engagements = engagements
            pm.snapshots += 1
            pm.collected_at = max(pm.collected_at or reading.taken_at, reading.taken_at)
            changed[pm.delivery_id] = pm
        MetricSnapshot.objects.bulk_create(snapshots, batch_size=1000)
        PostMetrics.objects.bulk_update(
            list(changed.values()),
            [*METRICS, "engagements", "snapshots", "collected_at"],
            batch_size=500,
        )
        _ensure_days(deltas)
        for (_w, channel_id, day), delta in deltas.items():
            _add_to_day(channel_id, day, delta)
    return len(snapshots)


def _add_to_day(channel_id: int, day: date, delta: Mapping[str, int]) -> None:
    """Add `delta` to a channel's day; a metric seen for the first time starts from 0."""
    changes = {
        name: Coalesce(F(name), Value(0)) + amount
        for name, amount in delta.items()
        if name in METRICS
    }
    if delta.get("engagements"):
        changes["engagements"] = F("engagements") + delta["engagements"]
    if changes:
        ChannelDay.objects.filter(channel_id=channel_id, day=day).update(**changes)


def link_clicks_add(*, delivery_id: int, clicks: int = 1) -> None:
    """Count Roost short-link clicks on a tracked delivery (and its channel's day)."""
    with transaction.atomic():
        pm = PostMetrics.objects.filter(delivery_id=delivery_id).first()
        if pm is None:
            return
        PostMetrics.objects.filter(delivery_id=delivery_id).update(
            link_clicks=F("link_clicks") + clicks
        )
        ChannelDay.objects.filter(channel_id=pm.channel_id, day=pm.day).update(
            link_clicks=F("link_clicks") + clicks
        )


def channel_day_record(
    *,
    channel_id: int,
    workspace_id: int,
    day: date,
    followers: int | None = None,
    following: int | None = None,
    posts_total: int | None = None,
) -> None:
    """The channel's audience on `day` (the last reading of the day wins)."""
    with transaction.atomic():
        _ensure_days([(workspace_id, channel_id, day)])
        values = {
            name: value
            for name, value in (
                ("followers", followers),
                ("following", following),
                ("posts_total", posts_total),
            )
            if value is not None
        }
        if values:
            ChannelDay.objects.filter(channel_id=channel_id, day=day).update(**values)


def _count(value: object) -> int | None:
    """A reported count as stored: an int, or None when not available."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    return None
