"""Trending terms and spikes on synthetic hourly series (the roll-ups filled directly)."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta

import pytest

from roost.conftest import World
from roost.listening.models import TermHour, Topic, TopicHour
from roost.listening.trends import (
    binomial_tail_score,
    poisson_tail_score,
    rising_terms_for_workspace,
    spikes,
    trending_terms,
)

NOW = datetime(2026, 11, 30, 12, 30, tzinfo=UTC)  # the window: 06:00 … 12:30 (6.5 h)
CURRENT = datetime(2026, 11, 30, 12, tzinfo=UTC)
WINDOW_START = CURRENT - timedelta(hours=6)
FIRST = WINDOW_START - timedelta(days=7)  # the baseline: 7 days before the window
HOURS = [FIRST + timedelta(hours=i) for i in range(7 * 24 + 7)]  # up to the current hour


def topic(world: World, name: str = "Demo Coffee", **kw: object) -> Topic:
    return Topic.objects.create(workspace=world.a, name=name, query="coffee", **kw)


def steady_topic_hours(t: Topic, mentions: int = 20) -> None:
    """A baseline for the topic (trends need one), steady volume."""
    TopicHour.objects.bulk_create(
        TopicHour(topic=t, hour=h, mentions=mentions, neutral=mentions) for h in HOURS
    )


def terms(t: Topic, term: str, counts: dict[datetime, int]) -> None:
    TermHour.objects.bulk_create(
        TermHour(topic=t, hour=h, term=term, count=c) for h, c in counts.items() if c
    )


def flat(per_hour: int, hours: list[datetime] = HOURS) -> dict[datetime, int]:
    return dict.fromkeys(hours, per_hour)


def test_tail_scores_match_closed_forms() -> None:
    # P(X >= 1 | Poisson(1)) = 1 - e^-1; P(X >= 2 | Bin(2, .5)) = .25
    assert poisson_tail_score(1, 0.5) == pytest.approx(-math.log10(1 - math.exp(-0.5)))
    assert binomial_tail_score(2, 2, 0.5) == pytest.approx(-math.log10(0.25))
    assert poisson_tail_score(3, 5.0) == 0.0  # not above the mean
    assert poisson_tail_score(5, 0.0) == 300.0
    # P(X >= 10 | Poisson(2)) = 4.6498e-05
    assert poisson_tail_score(10, 2.0) == pytest.approx(-math.log10(4.6498e-05), abs=1e-3)
    assert poisson_tail_score(100_000, 1.0) == 300.0  # capped, finite


def test_a_planted_burst_is_found_with_its_figures(world: World) -> None:
    t = topic(world)
    steady_topic_hours(t)
    base = flat(1, HOURS[: 7 * 24])  # one an hour in the baseline
    burst = {WINDOW_START + timedelta(hours=i): c for i, c in enumerate([0, 0, 0, 9, 12, 8, 3])}
    terms(t, "#outage", base | burst)
    terms(t, "latte", flat(2))  # steady: twice an hour, also in the window

    found = trending_terms([t.pk], now=NOW)

    assert [(x.term, x.count, x.first_hour) for x in found] == [
        ("#outage", 32, WINDOW_START + timedelta(hours=3))
    ]
    trend = found[0]
    # The same 7 hours (06:00–12:59) on each of the 7 days before: 49 uses in 49 hours,
    # plus one pseudo-use, over the window's 6.5 hours.
    expected = (49 + 1) / 49 * 6.5
    assert trend.expected == round(expected, 3)
    assert trend.ratio == round(32 / expected, 2)
    assert trend.score == round(poisson_tail_score(32, expected), 2)
    assert trend.topic_id == t.pk


def test_a_steady_series_trends_nothing(world: World) -> None:
    t = topic(world)
    steady_topic_hours(t)
    terms(t, "coffee", flat(30))
    terms(t, "latte", flat(3))
    assert trending_terms([t.pk], now=NOW) == []


def test_a_term_busy_at_the_same_hours_every_day_does_not_trend(world: World) -> None:
    """Breakfast talk every morning is not a trend (a plain daily rate would call it one)."""
    t = topic(world)
    steady_topic_hours(t)
    terms(t, "breakfast", {h: 10 for h in HOURS if 6 <= h.hour <= 12})
    assert trending_terms([t.pk], now=NOW) == []


def test_below_the_minimum_count_nothing_trends(world: World) -> None:
    t = topic(world)
    steady_topic_hours(t)
    # A term never used before, four times now: a huge ratio, still below the minimum 5.
    terms(t, "rare", {WINDOW_START + timedelta(hours=2): 4})
    assert trending_terms([t.pk], now=NOW) == []
    TermHour.objects.filter(term="rare").update(count=5)
    assert [x.count for x in trending_terms([t.pk], now=NOW)] == [5]
    assert trending_terms([t.pk], now=NOW, min_count=6) == []


def test_a_topic_without_a_days_history_has_no_trends_yet(world: World) -> None:
    t = topic(world)
    recent = [h for h in HOURS if h >= WINDOW_START - timedelta(hours=23)]
    TopicHour.objects.bulk_create(TopicHour(topic=t, hour=h, mentions=5) for h in recent)
    terms(t, "#launch", {CURRENT: 40})
    assert trending_terms([t.pk], now=NOW) == []
    TopicHour.objects.create(topic=t, hour=WINDOW_START - timedelta(hours=24), mentions=5)
    assert [x.term for x in trending_terms([t.pk], now=NOW)] == ["#launch"]


def test_ranked_by_score_limited_and_only_the_asked_topics(world: World) -> None:
    a, b, other = topic(world, "A"), topic(world, "B"), topic(world, "Other")
    for t in (a, b, other):
        steady_topic_hours(t)
    terms(a, "small", {CURRENT: 8})
    terms(b, "big", {CURRENT: 50})
    terms(other, "elsewhere", {CURRENT: 90})

    assert [x.term for x in trending_terms([a.pk, b.pk], now=NOW)] == ["big", "small"]
    assert [x.term for x in trending_terms([a.pk, b.pk], now=NOW, limit=1)] == ["big"]
    assert trending_terms([], now=NOW) == []


def test_rising_terms_for_a_workspace_reads_its_active_topics_only(world: World) -> None:
    mine, paused = topic(world, "Mine"), topic(world, "Paused", is_active=False)
    theirs = Topic.objects.create(workspace=world.b, name="Theirs", query="x")
    for t in (mine, paused, theirs):
        steady_topic_hours(t)
        terms(t, f"term-{t.name.lower()}", {CURRENT: 30})

    found = rising_terms_for_workspace(world.a.pk, now=NOW)

    assert [(x.topic_id, x.term) for x in found] == [(mine.pk, "term-mine")]


def _poisson(rng: random.Random, lam: float) -> int:
    """Knuth's method (small rates), from the seeded generator."""
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def test_planted_bursts_in_200_seeded_series_recall_and_false_alarms(world: World) -> None:
    """200 term series over 4 topics, Poisson noise at rates 0.1–4 an hour; 100 get a burst
    in the last 1–6 hours that makes the window's uses 3–6 times the usual (at least 6
    extra uses). Recall and false alarms are printed and pinned (the generator is seeded)."""
    rng = random.Random(13)
    topics = [topic(world, f"Topic {i}") for i in range(4)]
    for t in topics:
        steady_topic_hours(t)
    rows, planted = [], set()
    for i in range(200):
        t = topics[i % 4]
        rate = rng.uniform(0.1, 4.0)
        counts = {h: _poisson(rng, rate) for h in HOURS}
        if i % 2 == 0:
            planted.add((t.pk, f"term{i}"))
            hours = rng.randint(1, 6)
            factor = rng.uniform(3.0, 6.0)
            extra = max(6.0, (factor - 1) * rate * 6.5)
            for h in HOURS[-hours:]:
                counts[h] += _poisson(rng, extra / hours)
        rows += [TermHour(topic=t, hour=h, term=f"term{i}", count=c) for h, c in counts.items()]
    TermHour.objects.bulk_create([r for r in rows if r.count])

    found = {
        (x.topic_id, x.term) for x in trending_terms([t.pk for t in topics], now=NOW, limit=500)
    }

    hits, false_alarms = len(found & planted), len(found - planted)
    print(f"planted 100, found {hits} (recall {hits / 100:.2f}), false alarms {false_alarms}")
    assert (hits, false_alarms) == (97, 0)


# --- spikes ---------------------------------------------------------------------------------


def hours_series(
    t: Topic, mentions: int, negative: int, override: dict[datetime, tuple[int, int]]
) -> None:
    TopicHour.objects.bulk_create(
        TopicHour(
            topic=t,
            hour=h,
            mentions=override.get(h, (mentions, negative))[0],
            negative=override.get(h, (mentions, negative))[1],
            neutral=override.get(h, (mentions, negative))[0]
            - override.get(h, (mentions, negative))[1],
        )
        for h in HOURS
    )


def test_a_volume_spike_with_its_figures(world: World) -> None:
    t = topic(world)
    hours_series(t, 6, 1, {CURRENT: (48, 8)})

    found = spikes([t.pk], now=NOW)

    assert [(s.kind, s.mentions, s.started_at, s.minutes) for s in found] == [
        ("volume", 54, CURRENT, 90)
    ]
    # each hour: (6 a day × 7 days + the plain rate) / 8, over 1.5 hours
    rate = (6 * 175 + 1) / 175
    assert found[0].expected == round((6 * 7 + rate) / 8 * 1.5, 2)
    assert found[0].since == CURRENT - timedelta(hours=1)


def test_steady_volume_and_sentiment_spike_nothing(world: World) -> None:
    t = topic(world)
    hours_series(t, 6, 1, {})
    assert spikes([t.pk], now=NOW) == []


def test_below_the_minimum_count_no_volume_spike(world: World) -> None:
    t = topic(world)
    hours_series(t, 0, 0, {CURRENT: (9, 0), HOURS[0]: (1, 0)})
    assert spikes([t.pk], now=NOW) == []
    TopicHour.objects.filter(topic=t, hour=CURRENT).update(mentions=10, neutral=10)
    assert [s.kind for s in spikes([t.pk], now=NOW)] == ["volume"]


def test_a_negative_spike_at_steady_volume_is_only_negative(world: World) -> None:
    t = topic(world)
    last3 = {CURRENT - timedelta(hours=i): (6, 4) for i in range(4)}
    hours_series(t, 6, 1, last3)

    found = spikes([t.pk], now=NOW)

    assert [(s.kind, s.negative, s.mentions, s.started_at) for s in found] == [
        ("negative", 16, 24, CURRENT - timedelta(hours=3))
    ]
    assert found[0].observed == round(16 / 24, 4)
    # (negatives + 1) / (mentions + 2) over the baseline: 172 hours of 1 in 6
    assert found[0].expected == round(173 / (6 * 172 + 2), 4)


def test_a_few_negative_mentions_are_below_the_minimum(world: World) -> None:
    t = topic(world)
    hours_series(t, 6, 0, {CURRENT: (6, 4)})
    assert spikes([t.pk], now=NOW) == []
    TopicHour.objects.filter(topic=t, hour=CURRENT - timedelta(hours=1)).update(negative=1)
    assert [s.kind for s in spikes([t.pk], now=NOW)] == ["negative"]
