"""Best times from stored figures: the channel selector, the page, and the suggestions
compose and queue slots show."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from roost.analytics import besttime
from roost.analytics.testing import published, read
from roost.core import clock
from roost.publishing.suggestions import suggest_times

WARSAW = ZoneInfo("Europe/Warsaw")
TUE_10 = 24 + 10


def planted(channel: Any, weeks: int = 10) -> None:
    """Four posts a week for `weeks` weeks on `channel` (Warsaw): Tuesday 10:00 at 8 %,
    the others (Monday 09:00, Wednesday 15:00, Friday 19:00) at about 2 %."""
    rng = random.Random(3)
    today = clock.now().astimezone(WARSAW).date()
    monday = today - timedelta(days=today.weekday(), weeks=weeks)
    for week in range(weeks):
        for weekday, hour, likes in ((0, 9, 5), (1, 10, 20), (2, 15, 5), (4, 19, 5)):
            day = monday + timedelta(weeks=week, days=weekday)
            at = datetime.combine(day, time(hour, 5), tzinfo=WARSAW)
            d = published(channel, at)
            read(d, at + timedelta(hours=2), likes=likes + rng.randint(-1, 1), impressions=250)


def test_the_channel_model_reads_stored_figures(world: Any) -> None:
    planted(world.a_channel)
    model = besttime.channel_best_times(world.a_channel, now=clock.now())
    assert model.enough and model.posts == 40 and model.basis == besttime.BASIS_RATE
    assert [b.index for b in model.top(1)] == [TUE_10]
    assert model.top(1)[0].posts == 10


def test_posts_not_yet_read_or_too_young_are_left_out(world: Any) -> None:
    now = clock.now()
    published(world.a_channel, now - timedelta(days=3))  # never read
    read(published(world.a_channel, now - timedelta(hours=2)), now, likes=9)  # too young
    read(published(world.a_channel, now - timedelta(days=400)), now, likes=9)  # too old
    assert besttime.channel_observations(world.a_channel, now=now) == []


def test_suggestions_are_the_next_best_moments_with_their_reason(world: Any) -> None:
    planted(world.a_channel)
    after = datetime(2031, 3, 19, 12, tzinfo=WARSAW)  # a Wednesday
    (s,) = suggest_times([world.a_channel.pk], after)
    assert s.channel_id == world.a_channel.pk
    assert s.at == datetime(2031, 3, 25, 10, tzinfo=WARSAW)
    assert s.why.endswith("× this channel's average engagement rate, 10 posts")
    assert suggest_times([], after) == []


def test_compose_shows_suggestions_for_a_channel_with_enough_data(world: Any) -> None:
    client = world.client_for("owner")
    html = client.get("/w/alpha/compose/").content.decode()
    assert 'data-testid="time-suggestions"' not in html  # no figures: no suggestions
    planted(world.a_channel)
    html = client.get("/w/alpha/compose/").content.decode()
    assert 'data-testid="time-suggestions"' in html
    assert "Tue " in html and ", 10:00</a> · Alpha Sandbox —" in html
    assert "this channel&#x27;s average engagement rate, 10 posts" in html
    page = client.get(f"/w/alpha/channels/{world.a_channel.pk}/").content.decode()
    assert 'data-testid="time-suggestions"' in page
    assert 'data-weekday="1" data-time="10:00"' in page


def test_the_best_times_page(world: Any) -> None:
    client = world.client_for("analyst")
    html = client.get("/w/alpha/analytics/best-times/").content.decode()
    assert 'data-testid="not-enough-data"' in html
    assert "Not enough data yet: 0 posts with figures; best times need at least 20." in html
    planted(world.a_channel)
    html = client.get(f"/w/alpha/analytics/best-times/?channel={world.a_channel.pk}").content
    text = html.decode()
    assert 'data-testid="not-enough-data"' not in text
    assert 'data-testid="heatmap"' in text and 'data-bucket="167"' in text
    assert "<li>Tue 10:00 — " in text
    assert "10 posts, 95 % interval" in text
    assert (
        client.get(f"/w/alpha/analytics/best-times/?channel={world.b_channel.pk}").status_code
        == 200
    )
    assert (
        "ZZSECRETBRAVO"
        not in client.get(
            f"/w/alpha/analytics/best-times/?channel={world.b_channel.pk}"
        ).content.decode()
    )
    assert (
        world.client_for("content_creator").get("/w/alpha/analytics/best-times/").status_code == 403
    )
