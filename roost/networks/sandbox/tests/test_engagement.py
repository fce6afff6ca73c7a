"""The Sandbox's engagement model: deterministic, best hours better, decay, content."""

from __future__ import annotations

import statistics
from datetime import datetime, timedelta

from roost.networks.sandbox import engagement
from roost.networks.sandbox.engagement import PLANTED_BEST_HOURS, ZONE, PostFacts

HOUR = 3600.0
MONDAY = datetime(2026, 11, 2, tzinfo=ZONE)  # a Monday, 00:00 in Warsaw


def at(day: int, hour: int, minute: int = 15) -> float:
    """Epoch seconds of a weekday (0 = Monday) and hour in the audience's zone."""
    return (MONDAY + timedelta(days=day, hours=hour, minutes=minute)).timestamp()


def post(post_id: int, created_at: float, **facts: object) -> PostFacts:
    return PostFacts(post_id=post_id, account_id=1, created_at=created_at, **facts)  # type: ignore[arg-type]


def rate(counts: dict[str, int]) -> float:
    engaged = sum(counts[n] for n in ("likes", "reposts", "replies", "quotes", "bookmarks"))
    return engaged / counts["impressions"]


def test_the_planted_hours_are_weekday_mornings_and_evenings() -> None:
    assert (0, 9) in PLANTED_BEST_HOURS and (4, 20) in PLANTED_BEST_HOURS
    assert (0, 11) not in PLANTED_BEST_HOURS and (5, 9) not in PLANTED_BEST_HOURS
    assert len(PLANTED_BEST_HOURS) == 5 * 4
    assert engagement.hour_of_week(at(2, 19)) == (2, 19)


def test_counts_are_the_same_for_the_same_post_at_the_same_age() -> None:
    created = at(1, 14)
    one = engagement.post_counts(post(7, created, text="Hello"), created + 5 * HOUR, 1000)
    two = engagement.post_counts(post(7, created, text="Hello"), created + 5 * HOUR, 1000)
    other = engagement.post_counts(post(8, created, text="Hello"), created + 5 * HOUR, 1000)
    assert one == two
    assert one != other  # each post has its own luck
    assert set(one) == {
        "likes",
        "reposts",
        "replies",
        "quotes",
        "bookmarks",
        "impressions",
        "reach",
        "clicks",
        "video_views",
    }


def test_most_of_the_engagement_comes_in_the_first_day_and_never_goes_down() -> None:
    created = at(1, 14)
    facts = post(3, created, text="Fresh beans")
    ages = [0, 1, 6, 24, 72, 168, 720, 2000]
    counts = [engagement.post_counts(facts, created + h * HOUR, 2000) for h in ages]
    impressions = [c["impressions"] for c in counts]
    assert impressions[0] == 0
    assert impressions == sorted(impressions)  # never down by itself
    final = impressions[-1]
    assert impressions[-2] == final  # nothing more after 30 days
    assert 0.85 <= impressions[3] / final <= 0.93  # 24 h
    assert impressions[4] / final >= 0.93  # 3 days
    assert engagement.settled(24 * HOUR) > 0.85


def test_posts_at_the_planted_hours_do_better() -> None:
    """Across many posts, the engagement rate at a planted hour beats an ordinary hour and
    a night hour, and impressions follow the same order."""

    def mean_rate(day: int, hour: int) -> tuple[float, float]:
        rates, seen = [], []
        for week in range(40):
            created = at(day, hour) + week * 7 * 24 * HOUR
            counts = engagement.post_counts(
                post(1000 + week, created, text="Our espresso of the week"),
                created + 40 * 24 * HOUR,
                3000,
            )
            rates.append(rate(counts))
            seen.append(counts["impressions"])
        return statistics.mean(rates), statistics.mean(seen)

    best_rate, best_seen = mean_rate(1, 9)
    usual_rate, usual_seen = mean_rate(1, 14)
    night_rate, night_seen = mean_rate(1, 3)
    assert best_rate > 1.5 * usual_rate > 1.5 * night_rate
    assert best_seen > usual_seen > night_seen


def test_images_links_gifs_and_length() -> None:
    created = at(2, 15)
    later = created + 40 * 24 * HOUR

    def counts(**facts: object) -> dict[str, int]:
        return engagement.post_counts(post(55, created, **facts), later, 3000)

    plain = counts(text="Open today")
    image = counts(text="Open today", media=1)
    long = counts(text="x" * 300)
    link = counts(text="Menu: https://coffee.example/menu")
    gif = counts(text="Open today", media=1, gif=True)
    assert image["impressions"] > plain["impressions"] and rate(image) > rate(plain)
    assert rate(long) < rate(plain)
    assert link["clicks"] > 3 * plain["clicks"]
    assert plain["video_views"] == 0 and gif["video_views"] > 0
    assert counts(text="Open today", replies=4)["replies"] == 4  # the Sandbox's real replies


def test_audience_grows_and_is_deterministic() -> None:
    created = at(0, 8)
    first = engagement.account_audience(5, created, created, posts=3)
    later = engagement.account_audience(5, created, created + 30 * 24 * HOUR, posts=9)
    assert first == engagement.account_audience(5, created, created, posts=3)
    assert later["followers"] > first["followers"] >= 400
    assert later["following"] == first["following"]
    assert (first["posts"], later["posts"]) == (3, 9)


def test_pinned_counts_win() -> None:
    counts = {"likes": 4, "impressions": 100}
    assert engagement.with_overrides(counts, {"likes": 12}) == {"likes": 12, "impressions": 100}
