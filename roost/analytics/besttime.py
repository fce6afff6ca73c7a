"""Best time to post: an hour-of-week model of how well a channel's posts do.

Pure functions over `(published_at, engagements, impressions)` tuples, so the model is
testable without a database; `channel_best_times` below is the reader that feeds it from
PostMetrics. The method is written up in docs/analytics.md
("Best time to post").

- A post's value: its engagement rate (engagements ÷ impressions × 100) when the channel's
  network reports impressions for enough posts; otherwise its engagements (per post).
- Buckets: 168 hours of the week (Monday 00:00 first) in the channel's time zone.
- Shrinkage (normal–normal): a bucket's estimate is its posts' mean pulled toward the
  channel's mean as if the channel's mean were PRIOR_POSTS extra posts:
  `(n·mean_b + k·mean) / (n + k)`; its 95 % interval is `estimate ± 1.96·s/√(n + k)` with
  `s` the standard deviation of all the channel's post values.
- "Not enough data": fewer than MIN_POSTS posts, or no hour with MIN_BUCKET_POSTS posts
  that beats the channel's mean.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from roost.publishing.suggestions import Suggestion

if TYPE_CHECKING:
    from roost.channels.models import Channel

MIN_POSTS = 20  # fewer posts on the channel: "not enough data"
MIN_BUCKET_POSTS = 2  # an hour is suggested only with at least this many posts
PRIOR_POSTS = 5.0  # k: the channel's mean counts as this many posts in every bucket
Z95 = 1.96
HOURS_OF_WEEK = 168
LOOKBACK_DAYS = 180  # posts older than this say little about today's audience
SETTLE_HOURS = 24  # posts younger than this are still gathering engagements: left out

BASIS_RATE = "rate"  # engagements ÷ impressions × 100, per post
BASIS_ENGAGEMENTS = "engagements"  # engagements per post

Observation = tuple[datetime, int, int | None]  # published_at, engagements, impressions


@dataclass(frozen=True)
class Bucket:
    """One hour of the week: Monday 00:00–00:59 is 0, Sunday 23:00 is 167."""

    index: int
    posts: int
    mean: float | None  # the posts' own mean (None: no posts)
    estimate: float  # shrunk toward the channel's mean
    low: float
    high: float
    lift: float | None  # estimate ÷ channel mean (None when the mean is 0)

    @property
    def weekday(self) -> int:
        return self.index // 24

    @property
    def hour(self) -> int:
        return self.index % 24


@dataclass(frozen=True)
class BestTimes:
    posts: int  # posts the model used
    basis: str  # BASIS_RATE or BASIS_ENGAGEMENTS
    mean: float  # the channel's mean post value
    sd: float
    buckets: tuple[Bucket, ...]  # all 168, in index order (empty when posts == 0)
    enough: bool
    reason: str  # why not enough ("" when enough): "few_posts" or "no_clear_hour"

    def top(self, limit: int = 3) -> list[Bucket]:
        """The best hours: enough posts of their own and above the channel's mean."""
        if not self.enough:
            return []
        return _ranked(self.buckets, self.mean)[:limit]


def _ranked(buckets: Sequence[Bucket], mean: float) -> list[Bucket]:
    able = [b for b in buckets if b.posts >= MIN_BUCKET_POSTS and b.estimate > mean]
    return sorted(able, key=lambda b: (-b.estimate, -b.posts, b.index))


def hour_of_week(moment: datetime, zone: tzinfo) -> int:
    local = moment.astimezone(zone)
    return local.weekday() * 24 + local.hour


def _values(observations: Sequence[Observation]) -> tuple[str, list[tuple[datetime, float]]]:
    """Each post's value, and which kind: rates when at least MIN_POSTS posts (and at least
    half of them) have impressions, else engagements per post."""
    with_impressions = [(at, e, i) for at, e, i in observations if i]
    if len(with_impressions) >= MIN_POSTS and 2 * len(with_impressions) >= len(observations):
        return BASIS_RATE, [(at, e * 100.0 / i) for at, e, i in with_impressions if i]
    return BASIS_ENGAGEMENTS, [(at, float(e)) for at, e, _i in observations]


def best_times(
    observations: Iterable[Observation], zone: tzinfo, *, prior_posts: float = PRIOR_POSTS
) -> BestTimes:
    """The hour-of-week model of a channel's posts (see the module's docstring)."""
    basis, values = _values(list(observations))
    n = len(values)
    if n == 0:
        return BestTimes(0, basis, 0.0, 0.0, (), False, "few_posts")
    mean = sum(v for _at, v in values) / n
    sd = math.sqrt(sum((v - mean) ** 2 for _at, v in values) / (n - 1)) if n > 1 else 0.0
    sums = [0.0] * HOURS_OF_WEEK
    counts = [0] * HOURS_OF_WEEK
    for at, value in values:
        index = hour_of_week(at, zone)
        sums[index] += value
        counts[index] += 1
    buckets = []
    for index in range(HOURS_OF_WEEK):
        count = counts[index]
        estimate = (sums[index] + prior_posts * mean) / (count + prior_posts)
        half = Z95 * sd / math.sqrt(count + prior_posts)
        buckets.append(
            Bucket(
                index=index,
                posts=count,
                mean=sums[index] / count if count else None,
                estimate=estimate,
                low=estimate - half,
                high=estimate + half,
                lift=estimate / mean if mean else None,
            )
        )
    if n < MIN_POSTS:
        reason = "few_posts"
    elif not _ranked(buckets, mean):
        reason = "no_clear_hour"
    else:
        reason = ""
    return BestTimes(n, basis, mean, sd, tuple(buckets), not reason, reason)


def channel_observations(channel: Channel, *, now: datetime) -> list[Observation]:
    """The channel's posts the model reads: published in the last LOOKBACK_DAYS, at least
    SETTLE_HOURS ago, read at least once."""
    from roost.analytics.models import PostMetrics

    rows = PostMetrics.objects.filter(
        channel=channel,
        published_at__gte=now - timedelta(days=LOOKBACK_DAYS),
        published_at__lte=now - timedelta(hours=SETTLE_HOURS),
        snapshots__gt=0,
    ).values_list("published_at", "engagements", "impressions")
    return [(at, int(e), None if i is None else int(i)) for at, e, i in rows]


def channel_zone(channel: Channel) -> tzinfo:
    """The channel's own zone when it has one, else its workspace's."""
    return ZoneInfo(channel.tz_name)


def channel_best_times(channel: Channel, *, now: datetime) -> BestTimes:
    """The hour-of-week model of one channel (its own zone), from its posts' latest counts."""
    return best_times(channel_observations(channel, now=now), channel_zone(channel))


SUGGESTIONS_PER_CHANNEL = 3


def next_moment(after: datetime, zone: tzinfo, weekday: int, hour: int) -> datetime:
    """The first `weekday` at `hour`:00 (wall clock in `zone`) after `after`."""
    local = after.astimezone(zone)
    for offset in range(8):
        day = local.date() + timedelta(days=offset)
        if day.weekday() != weekday:
            continue
        candidate = datetime.combine(day, time(hour), tzinfo=zone)
        if candidate > after:
            return candidate
    raise AssertionError("a weekday comes within eight days")  # pragma: no cover


def why(bucket: Bucket, model: BestTimes) -> str:
    """The reason for a suggestion, in words with its numbers."""
    from django.utils.formats import number_format
    from django.utils.translation import gettext as _

    lift = number_format(round(bucket.lift or 0, 1), 1)
    if model.basis == BASIS_RATE:
        text = _("%(lift)s× this channel's average engagement rate, %(n)s posts")
    else:
        text = _("%(lift)s× this channel's average engagements per post, %(n)s posts")
    return text % {"lift": lift, "n": bucket.posts}


def suggest(channel_ids: Collection[int], after: datetime) -> list[Suggestion]:
    """Analytics' time suggester for publishing (registered in AnalyticsConfig.ready):
    each channel's best hours with enough data, as the next such moments after `after`."""
    from roost.channels.models import Channel
    from roost.core import clock

    out = []
    channels = Channel.objects.filter(pk__in=list(channel_ids)).select_related("workspace")
    for channel in channels.order_by("name", "pk"):
        model = channel_best_times(channel, now=clock.now())  # figures as they are today
        zone = channel_zone(channel)
        for bucket in model.top(SUGGESTIONS_PER_CHANNEL):
            at = next_moment(after, zone, bucket.weekday, bucket.hour)
            out.append(Suggestion(at=at, channel_id=channel.pk, why=why(bucket, model)))
    return out
