"""The best-time model: planted best hours are found, shrinkage, and "not enough data"."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from roost.analytics import besttime
from roost.analytics.besttime import BASIS_ENGAGEMENTS, BASIS_RATE, best_times, hour_of_week

WARSAW = ZoneInfo("Europe/Warsaw")
TUE_10 = 1 * 24 + 10
THU_18 = 3 * 24 + 18


def sandbox_like(seed: int = 7, weeks: int = 13) -> list[besttime.Observation]:
    """A Sandbox-shaped account: two or three posts a day between 07:00 and 22:00 (Warsaw),
    impressions in the hundreds to thousands, about 2 % engagement, and 5 % at the two
    planted hours (Tuesday 10:00 and Thursday 18:00), which get a post most weeks."""
    rng = random.Random(seed)
    start = datetime(2026, 6, 1, tzinfo=WARSAW)  # a Monday
    out = []
    for day in range(weeks * 7):
        date = start + timedelta(days=day)
        hours = rng.sample(range(7, 23), 3)
        if date.weekday() == 1:
            hours[0] = 10
        if date.weekday() == 3:
            hours[0] = 18
        for hour in set(hours):
            at = date.replace(hour=hour, minute=rng.randrange(60))
            impressions = int(rng.lognormvariate(6.7, 0.5))
            planted = hour_of_week(at, WARSAW) in {TUE_10, THU_18}
            rate = (0.05 if planted else 0.02) * rng.uniform(0.7, 1.3)
            engagements = sum(1 for _ in range(impressions) if rng.random() < rate)
            out.append((at.astimezone(UTC), engagements, impressions))
    return out


def test_the_planted_best_hours_come_out_on_top() -> None:
    model = best_times(sandbox_like(), WARSAW)
    assert model.enough and model.basis == BASIS_RATE
    top = model.top(2)
    assert {b.index for b in top} == {TUE_10, THU_18}
    for b in top:
        assert b.posts == 13
        assert b.low > model.mean  # clearly better, not only on average
        assert b.lift is not None and b.lift > 1.8


def test_hours_are_read_in_the_given_zone() -> None:
    at = datetime(2026, 6, 2, 8, 0, tzinfo=UTC)  # Tuesday 10:00 in Warsaw (summer time)
    assert hour_of_week(at, WARSAW) == TUE_10
    assert hour_of_week(at, UTC) == TUE_10 - 2


def test_a_bucket_with_one_post_is_pulled_toward_the_mean() -> None:
    monday = datetime(2026, 6, 1, 9, tzinfo=UTC)
    rows = [(monday + timedelta(weeks=w), 20, 1000) for w in range(20)]  # 2 % at Mon 09:00
    lucky = datetime(2026, 6, 3, 15, tzinfo=UTC)
    rows.append((lucky, 200, 1000))  # one post at 20 %
    model = best_times(rows, UTC)
    bucket = model.buckets[hour_of_week(lucky, UTC)]
    assert bucket.posts == 1 and bucket.mean == pytest.approx(20.0)
    mean = (20 * 2.0 + 20.0) / 21
    assert model.mean == pytest.approx(mean)
    assert bucket.estimate == pytest.approx((20.0 + 5 * mean) / 6)
    assert bucket.low < bucket.estimate < bucket.high
    assert model.top() == []  # one post is not an hour to recommend
    assert model.reason == "no_clear_hour" and not model.enough


def test_an_empty_hour_is_the_channel_mean_with_the_prior_interval() -> None:
    model = best_times(sandbox_like(weeks=4), WARSAW)
    empty = model.buckets[3 * 24 + 3]  # Thursday 03:00: nobody posts at night
    assert empty.posts == 0 and empty.mean is None
    assert empty.estimate == pytest.approx(model.mean)
    assert empty.high - empty.low == pytest.approx(2 * 1.96 * model.sd / 5**0.5)


def test_not_enough_data_below_the_minimum() -> None:
    rows = sandbox_like()[: besttime.MIN_POSTS - 1]
    model = best_times(rows, WARSAW)
    assert not model.enough and model.reason == "few_posts"
    assert model.top() == []
    empty = best_times([], WARSAW)
    assert not empty.enough and empty.buckets == ()


def test_without_impressions_engagements_per_post_are_used() -> None:
    rows = [(at, e, None) for at, e, _i in sandbox_like()]
    model = best_times(rows, WARSAW)
    assert model.basis == BASIS_ENGAGEMENTS
    assert model.mean == pytest.approx(sum(e for _at, e, _i in rows) / len(rows))


def test_next_moment_is_the_next_such_wall_clock_hour() -> None:
    after = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)  # Wednesday 13:00 in Warsaw
    assert besttime.next_moment(after, WARSAW, 1, 10) == datetime(2026, 12, 8, 10, tzinfo=WARSAW)
    assert besttime.next_moment(after, WARSAW, 2, 14) == datetime(2026, 12, 2, 14, tzinfo=WARSAW)
    assert besttime.next_moment(after, WARSAW, 2, 13) == datetime(2026, 12, 9, 13, tzinfo=WARSAW)
