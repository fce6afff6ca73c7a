"""The demo's figures: readings of every published post (1 h, 6 h, 24 h, 3 d, 7 d and 30 d
after it went out, as far as they have happened, and one an hour ago) ending at the counts
the story gives it,
and ninety days of each channel's audience, so the analytics pages have something true to
the story to show (the main channel passes 10,000 followers the day of its thank-you post).

Recorded through the analytics services (metrics_track, metrics_record,
channel_day_record), the way the collector would. Deterministic: the same story gives the
same figures, whatever the ids."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta

from roost.analytics.models import PostMetrics
from roost.analytics.services.recording import (
    Reading,
    channel_day_record,
    day_of,
    metrics_record,
    metrics_track,
)
from roost.core import clock
from roost.publishing.models import Delivery, DeliveryStatus
from roost.web.demo.posts import Cast

DAYS = 90
# The story's (likes, reposts, replies, quotes) per published delivery.
Counts = dict[int, tuple[int, int, int, int]]
# When readings are taken after publishing, and how much of the final count each shows.
READINGS = ((1, 0.34), (6, 0.71), (24, 0.9), (72, 0.97), (168, 1.0), (720, 1.0))
# Followers: the main channel passes 10,000 on the thank-you post's day ("10,000 of you").
AUDIENCE = {"en": (10_004, 2), "pl": (3_412, 2)}  # followers on the anchor day, days ago
FOLLOWING = {"en": 182, "pl": 96}


def _unit(*parts: object) -> float:
    """A stable number in [0, 1) from the parts (the demo's own dice)."""
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def _final(delivery: Delivery, story: Counts) -> dict[str, int | None]:
    """What the networks report in the end: the story's counts, and (the Sandbox reports
    them) impressions, reach and clicks that follow from them."""
    likes, reposts, replies, quotes = story.get(delivery.pk, (0, 0, 0, 0))
    engagements = likes + reposts + replies + quotes
    key = (delivery.post.text[:40], delivery.channel.name)
    impressions = int(engagements * (16 + 14 * _unit("impressions", *key))) + 40
    has_link = "https://" in delivery.post.text
    return {
        "likes": likes,
        "reposts": reposts,
        "replies": replies,
        "quotes": quotes,
        "bookmarks": int(likes * (0.04 + 0.06 * _unit("bookmarks", *key))),
        "impressions": impressions,
        "reach": int(impressions * (0.62 + 0.2 * _unit("reach", *key))),
        "clicks": int(impressions * (0.018 + 0.02 * _unit("clicks", *key))) if has_link else 0,
    }


def _story_counts(deliveries: list[Delivery]) -> Counts:
    """The story's counts of each published delivery (its one reading, see posts.py)."""
    rows = PostMetrics.objects.filter(delivery__in=deliveries).values_list(
        "delivery_id", "likes", "reposts", "replies", "quotes"
    )
    return {pk: tuple(v or 0 for v in counts) for pk, *counts in rows}  # type: ignore[misc]


def _at(final: dict[str, int | None], share: float) -> dict[str, int | None]:
    return {k: (round(v * share) if v is not None else None) for k, v in final.items()}


def _published(cast: Cast) -> list[Delivery]:
    return list(
        Delivery.objects.filter(
            channel__in=[cast.en, cast.pl],
            status=DeliveryStatus.PUBLISHED,
            published_at__isnull=False,
        )
        .select_related("post", "channel__workspace")
        .order_by("published_at", "pk")
    )


def _followers(
    cast: Cast, key: str, deliveries: list[Delivery], story: Counts, today: date
) -> dict[date, int]:
    """Each day's followers: a steady trickle, a little noise (people unfollow too), and a
    bump after each post in proportion to how well it did."""
    channel = cast.en if key == "en" else cast.pl
    zone = channel.workspace.timezone
    bumps: dict[date, int] = {}
    for d in deliveries:
        if d.channel_id == channel.pk and d.published_at is not None:
            day = day_of(d.published_at, zone)
            engagements = sum(story.get(d.pk, (0, 0, 0, 0))[:2])
            bumps[day] = bumps.get(day, 0) + engagements // 6
    days = [today - timedelta(days=i) for i in range(DAYS - 1, -1, -1)]
    base = 7 if key == "en" else 3
    delta = {
        day: base + bumps.get(day, 0) + round((_unit("noise", key, day.isoformat()) - 0.4) * 8)
        for day in days
    }
    anchor_value, anchor_ago = AUDIENCE[key]
    anchor = today - timedelta(days=anchor_ago)
    out = {anchor: anchor_value}
    for day in days:  # forwards from the anchor
        if day > anchor:
            out[day] = out[day - timedelta(days=1)] + delta[day]
    for day in reversed(days):  # and backwards
        if day < anchor:
            out[day] = out[day + timedelta(days=1)] - delta[day + timedelta(days=1)]
    return out


def seed_analytics(cast: Cast, now: datetime | None = None) -> int:
    """Readings of the published posts and the channels' audience; returns the number of
    readings stored."""
    now = now or clock.now()
    deliveries = _published(cast)
    metrics_track(deliveries=deliveries)
    story = _story_counts(deliveries)
    readings = []
    for d in deliveries:
        assert d.published_at is not None
        final = _final(d, story)
        last = now - timedelta(hours=1)  # the story's counts were fetched an hour ago
        for hours, share in READINGS:
            taken = d.published_at + timedelta(hours=hours)
            if taken < last:
                readings.append(Reading(d.pk, _at(final, share), taken))
        if last > d.published_at:
            readings.append(Reading(d.pk, final, last))
    stored = metrics_record(readings=readings)
    today = now.astimezone(cast.tz).date()
    for key, channel in (("en", cast.en), ("pl", cast.pl)):
        for day, followers in sorted(_followers(cast, key, deliveries, story, today).items()):
            channel_day_record(
                channel_id=channel.pk,
                workspace_id=channel.workspace_id,
                day=day,
                followers=followers,
                following=FOLLOWING[key],
            )
    return stored
