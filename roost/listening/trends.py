"""What is rising: trending terms per topic and spikes in volume and negative sentiment.

Reads the hourly roll-ups (`TermHour`, `TopicHour`) and never scans mentions. The methods,
their formulas, defaults and limits are in docs/listening-trends.md.

Windows are "the last N full hours plus the current hour so far" (hours are UTC buckets on
the hour); the baseline is the `baseline_days` before the window. "Expected" is what the
baseline's rate predicts for the window's length.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence, Set
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Min, Q, Sum

from roost.core import clock
from roost.listening.models import Alert, TermHour, Topic, TopicHour

HOUR = timedelta(hours=1)
# A topic needs this much history before its window for a baseline to mean anything.
MIN_BASELINE_HOURS = 24
# Added to a baseline count, so a term never seen before has a small rate, not zero.
PSEUDO_COUNT = 1.0
# -log10 of the tail probability: 4 is p ≤ 0.0001 (a topic has many terms; see the docs).
TERM_MIN_SCORE = 4.0
TERM_MIN_RATIO = 2.0
VOLUME_MIN_COUNT = 10
VOLUME_MIN_RATIO = 2.0
VOLUME_MIN_SCORE = 4.0
NEGATIVE_MIN_COUNT = 5
NEGATIVE_MIN_RATIO = 1.5
NEGATIVE_MIN_SCORE = 3.0
_TERM_BATCH = 500  # terms per baseline query (bound parameters)
_MAX_SCORE = 300.0  # beyond what a float tail can say; keeps sorting and JSON finite
_LN10 = math.log(10)


@dataclass(frozen=True)
class Trend:
    """A term used in a topic's recent window far more than its baseline predicts."""

    topic_id: int
    term: str
    count: int  # uses in the window
    expected: float  # what the baseline rate predicts for the window
    ratio: float  # count / expected
    score: float  # -log10 P(X >= count), X ~ Poisson(expected)
    first_hour: datetime  # the first hour of the window the term appeared in


@dataclass(frozen=True)
class Spike:
    """A topic's volume, or its share of negative mentions, far above its baseline."""

    topic_id: int
    kind: str  # Alert.Kind: "volume" or "negative"
    started_at: datetime  # the first hour of the window that was itself elevated
    since: datetime  # the window's start
    minutes: int  # the window's length so far
    observed: float  # mentions (volume) or negative share 0…1 (negative)
    expected: float  # mentions or share the baseline predicts
    mentions: int  # mentions in the window
    negative: int  # negative mentions in the window
    score: float  # -log10 of the tail probability


def poisson_tail_score(k: int, lam: float) -> float:
    """-log10 P(X >= k) for X ~ Poisson(lam); 0 when k is not above the mean."""
    if k <= 0 or k <= lam:
        return 0.0
    if lam <= 0:
        return _MAX_SCORE
    log_first = -lam + k * math.log(lam) - math.lgamma(k + 1)
    # Sum the tail from k upward as ratios of consecutive terms (each lam/(j+1) < 1).
    total, term, j = 1.0, 1.0, k
    while term > 1e-17 * total and j < k + 100_000:
        j += 1
        term *= lam / j
        total += term
    return min(_MAX_SCORE, max(0.0, -(log_first + math.log(total)) / _LN10))


def binomial_tail_score(k: int, n: int, p: float) -> float:
    """-log10 P(X >= k) for X ~ Binomial(n, p); 0 when k is not above the mean."""
    if k <= 0 or k <= n * p or n <= 0:
        return 0.0
    if p <= 0:
        return _MAX_SCORE
    if p >= 1:
        return 0.0
    log_first = (
        math.lgamma(n + 1)
        - math.lgamma(k + 1)
        - math.lgamma(n - k + 1)
        + k * math.log(p)
        + (n - k) * math.log1p(-p)
    )
    odds = p / (1 - p)
    total, term = 1.0, 1.0
    for j in range(k, n):
        term *= (n - j) / (j + 1) * odds
        total += term
        if term < 1e-17 * total:
            break
    return min(_MAX_SCORE, max(0.0, -(log_first + math.log(total)) / _LN10))


def _hour(at: datetime) -> datetime:
    return at.replace(minute=0, second=0, microsecond=0)


def _window(now: datetime, hours: int) -> tuple[datetime, datetime, float]:
    """(the current hour's start, the window's start, the window's length in hours)."""
    current = _hour(now)
    elapsed = (now - current).total_seconds() / 3600
    return current, current - hours * HOUR, hours + elapsed


def _history_starts(topic_ids: Sequence[int], since: datetime) -> dict[int, datetime]:
    """Each topic's first hour with mentions on or after `since` (one index range read)."""
    rows = (
        TopicHour.objects.filter(topic_id__in=topic_ids, hour__gte=since)
        .values("topic_id")
        .annotate(first=Min("hour"))
        .order_by()
    )
    return {row["topic_id"]: row["first"] for row in rows}


def _baseline_hours(window_start: datetime, baseline_start: datetime, first: datetime) -> float:
    return (window_start - max(baseline_start, first)).total_seconds() / 3600


def trending_terms(
    topic_ids: Sequence[int],
    *,
    now: datetime | None = None,
    window_hours: int = 6,
    baseline_days: int = 7,
    min_count: int = 5,
    limit: int = 20,
    min_ratio: float = TERM_MIN_RATIO,
    min_score: float = TERM_MIN_SCORE,
) -> list[Trend]:
    """The topics' terms used in the last `window_hours` (plus the current hour so far)
    significantly more than at the same hours of day on the `baseline_days` before, best
    first."""
    ids = sorted({int(i) for i in topic_ids})
    if not ids or baseline_days < 1:
        return []
    now = now or clock.now()
    current, window_start, length = _window(now, window_hours)
    # The baseline: the same hours of day (the window's full hours) on each earlier day.
    days = [timedelta(days=d) for d in range(1, baseline_days + 1)]
    slices = [(window_start - d, current - d) for d in days]
    firsts = _history_starts(ids, slices[-1][0])
    covered = {
        topic: sum(1 for start, _ in slices if start >= first) for topic, first in firsts.items()
    }
    ready = [t for t in ids if covered.get(t, 0) > 0]
    if not ready:
        return []
    # 1. The candidates: the terms used at least `min_count` times in the window (an index
    # range on the unique (topic, hour, term): a few hours of rows).
    recent = {
        (row["topic_id"], row["term"]): (int(row["recent"]), row["first"])
        for row in TermHour.objects.filter(
            topic_id__in=ready, hour__gte=window_start, hour__lte=current
        )
        .values("topic_id", "term")
        .annotate(recent=Sum("count"), first=Min("hour"))
        .filter(recent__gte=min_count)
        .order_by()
    }
    if not recent:
        return []
    base = _slice_sums(recent.keys(), slices)
    slice_hours = window_hours + 1
    found = []
    for (topic_id, term), (count, first_hour) in recent.items():
        rate = (base.get((topic_id, term), 0) + PSEUDO_COUNT) / (covered[topic_id] * slice_hours)
        expected = rate * length
        ratio = count / expected
        if ratio < min_ratio:
            continue
        score = poisson_tail_score(count, expected)
        if score < min_score:
            continue
        found.append(
            Trend(
                topic_id=topic_id,
                term=term,
                count=count,
                expected=round(expected, 3),
                ratio=round(ratio, 2),
                score=round(score, 2),
                first_hour=first_hour,
            )
        )
    found.sort(key=lambda t: (-t.score, -t.count, t.topic_id, t.term))
    return found[: max(0, limit)]


def _slice_sums(
    candidates: Set[tuple[int, str]], slices: list[tuple[datetime, datetime]]
) -> dict[tuple[int, str], int]:
    """2. The candidates' uses in the baseline's slices: index ranges on (topic, hour),
    the terms filtered in the index, in batches of terms."""
    topics = sorted({topic for topic, _ in candidates})
    terms = sorted({term for _, term in candidates})
    in_slices = Q()
    for start, end in slices:
        in_slices |= Q(hour__gte=start, hour__lte=end)
    sums: dict[tuple[int, str], int] = {}
    for i in range(0, len(terms), _TERM_BATCH):
        rows = (
            TermHour.objects.filter(
                in_slices, topic_id__in=topics, term__in=terms[i : i + _TERM_BATCH]
            )
            .values_list("topic_id", "term")
            .annotate(base=Sum("count"))
            .order_by()
        )
        for topic_id, term, total in rows:
            if (topic_id, term) in candidates:
                sums[(topic_id, term)] = int(total)
    return sums


def rising_terms_for_workspace(
    workspace_id: int, *, now: datetime | None = None, limit: int = 10
) -> list[Trend]:
    """Trending terms across the workspace's active topics, best first."""
    ids = list(
        Topic.objects.filter(workspace_id=workspace_id, is_active=True).values_list("pk", flat=True)
    )
    return trending_terms(ids, now=now, limit=limit)


@dataclass
class _Series:
    """One topic's hourly roll-ups over the baseline and the window."""

    mentions: dict[datetime, int]
    negative: dict[datetime, int]


def _series(topic_ids: Sequence[int], since: datetime, until: datetime) -> dict[int, _Series]:
    rows = TopicHour.objects.filter(
        topic_id__in=topic_ids, hour__gte=since, hour__lte=until
    ).values_list("topic_id", "hour", "mentions", "negative")
    series: dict[int, _Series] = defaultdict(lambda: _Series({}, {}))
    for topic_id, hour, mentions, negative in rows:
        series[topic_id].mentions[hour] = mentions
        series[topic_id].negative[hour] = negative
    return series


def _expected_hour(
    s: _Series, hour: datetime, first: datetime, baseline_start: datetime, rate: float
) -> float:
    """The mentions expected in `hour`: the mean of the same hour of day over the baseline
    days, shrunk towards the plain hourly rate by one pseudo-day (day/night patterns)."""
    total, days = 0.0, 0
    back = hour - timedelta(days=1)
    while back >= baseline_start:
        if back >= first:
            total += s.mentions.get(back, 0)
            days += 1
        back -= timedelta(days=1)
    return (total + rate) / (days + 1)


def spikes(
    topic_ids: Sequence[int],
    *,
    now: datetime | None = None,
    volume_hours: int = 1,
    negative_hours: int = 3,
    baseline_days: int = 7,
    volume_min_count: int = VOLUME_MIN_COUNT,
    negative_min_count: int = NEGATIVE_MIN_COUNT,
) -> list[Spike]:
    """Volume and negative-sentiment spikes on the topics now, strongest first."""
    ids = sorted({int(i) for i in topic_ids})
    if not ids:
        return []
    now = now or clock.now()
    current, volume_start, volume_length = _window(now, volume_hours)
    _, negative_start, negative_length = _window(now, negative_hours)
    window_start = min(volume_start, negative_start)
    baseline_start = window_start - timedelta(days=baseline_days)
    elapsed = volume_length - volume_hours
    found: list[Spike] = []
    for topic_id, s in sorted(_series(ids, baseline_start, current).items()):
        baseline = [h for h in s.mentions if h < window_start]
        if not baseline:
            continue
        first = min(baseline)
        hours = _baseline_hours(window_start, baseline_start, first)
        if hours < MIN_BASELINE_HOURS:
            continue
        base_mentions = sum(s.mentions[h] for h in baseline)
        base_negative = sum(s.negative[h] for h in baseline)
        rate = (base_mentions + PSEUDO_COUNT) / hours
        volume = _volume_spike(
            topic_id,
            s,
            volume_start,
            current,
            elapsed,
            {
                h: _expected_hour(s, h, first, baseline_start, rate)
                for h in _hours(volume_start, current)
            },
            volume_min_count,
        )
        if volume:
            found.append(volume)
        negative = _negative_spike(
            topic_id,
            s,
            negative_start,
            current,
            negative_length,
            (base_negative + PSEUDO_COUNT) / (base_mentions + 2 * PSEUDO_COUNT),
            negative_min_count,
        )
        if negative:
            found.append(negative)
    found.sort(key=lambda x: (-x.score, x.topic_id, x.kind))
    return found


def _hours(start: datetime, current: datetime) -> list[datetime]:
    out, hour = [], start
    while hour <= current:
        out.append(hour)
        hour += HOUR
    return out


def _volume_spike(
    topic_id: int,
    s: _Series,
    start: datetime,
    current: datetime,
    elapsed: float,
    per_hour: dict[datetime, float],
    min_count: int,
) -> Spike | None:
    hours = _hours(start, current)
    # The current hour counts for the part of it that has passed.
    weights = {h: (elapsed if h == current else 1.0) for h in hours}
    count = sum(s.mentions.get(h, 0) for h in hours)
    expected = sum(per_hour[h] * weights[h] for h in hours)
    if count < min_count or count < VOLUME_MIN_RATIO * expected:
        return None
    score = poisson_tail_score(count, expected)
    if score < VOLUME_MIN_SCORE:
        return None
    started = next(
        (
            h
            for h in hours
            if s.mentions.get(h, 0) > 0
            and s.mentions.get(h, 0) >= VOLUME_MIN_RATIO * per_hour[h] * weights[h]
        ),
        current,
    )
    return Spike(
        topic_id=topic_id,
        kind=Alert.Kind.VOLUME.value,
        started_at=started,
        since=start,
        minutes=round((len(hours) - 1 + elapsed) * 60),
        observed=float(count),
        expected=round(expected, 2),
        mentions=count,
        negative=sum(s.negative.get(h, 0) for h in hours),
        score=round(score, 2),
    )


def _negative_spike(
    topic_id: int,
    s: _Series,
    start: datetime,
    current: datetime,
    length: float,
    base_share: float,
    min_count: int,
) -> Spike | None:
    hours = _hours(start, current)
    mentions = sum(s.mentions.get(h, 0) for h in hours)
    negative = sum(s.negative.get(h, 0) for h in hours)
    if negative < min_count or mentions <= 0:
        return None
    share = negative / mentions
    if share < NEGATIVE_MIN_RATIO * base_share:
        return None
    score = binomial_tail_score(negative, mentions, base_share)
    if score < NEGATIVE_MIN_SCORE:
        return None
    started = next(
        (
            h
            for h in hours
            if s.negative.get(h, 0) > 0
            and s.negative.get(h, 0) >= NEGATIVE_MIN_RATIO * base_share * s.mentions.get(h, 0)
        ),
        current,
    )
    return Spike(
        topic_id=topic_id,
        kind=Alert.Kind.NEGATIVE.value,
        started_at=started,
        since=start,
        minutes=round(length * 60),
        observed=round(share, 4),
        expected=round(base_share, 4),
        mentions=mentions,
        negative=negative,
        score=round(score, 2),
    )
