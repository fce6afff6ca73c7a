"""Readings become history, latest counts and day roll-ups, consistently."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from roost.analytics import selectors
from roost.analytics.models import ChannelDay, MetricSnapshot, PostMetrics
from roost.analytics.selectors import Period
from roost.analytics.services.recording import channel_day_record, link_clicks_add, metrics_track
from roost.analytics.testing import published, read

T0 = datetime(2026, 11, 2, 23, 30, tzinfo=UTC)


def test_readings_keep_history_latest_and_rollup(world: Any) -> None:
    assert world.a.timezone == "Europe/Warsaw"  # 23:30 UTC is already the 3rd there
    d = published(world.a_channel, T0)
    read(d, T0 + timedelta(hours=1), likes=3, reposts=1, replies=0, quotes=0, impressions=None)
    read(d, T0 + timedelta(hours=6), likes=5, reposts=1, replies=2, quotes=0)
    read(d, T0 + timedelta(hours=24), likes=4, reposts=1, replies=2, quotes=1)  # an unlike

    assert MetricSnapshot.objects.filter(delivery_id=d.pk).count() == 3
    pm = PostMetrics.objects.get(delivery=d)
    assert (pm.likes, pm.reposts, pm.replies, pm.quotes, pm.engagements) == (4, 1, 2, 1, 8)
    assert pm.impressions is None  # never reported: not available, not 0
    assert pm.snapshots == 3
    day = ChannelDay.objects.get(channel=world.a_channel)
    assert day.day == date(2026, 11, 3)
    assert (day.posts, day.likes, day.replies, day.engagements, day.impressions) == (
        1,
        4,
        2,
        8,
        None,
    )


def test_tracking_twice_counts_one_post(world: Any) -> None:
    d = published(world.a_channel, T0)
    assert metrics_track(deliveries=[d]) == 0
    assert ChannelDay.objects.get(channel=world.a_channel).posts == 1


def test_totals_add_channels_and_say_what_is_not_available(world: Any) -> None:
    world.a.timezone = "UTC"
    world.a.save()
    d1 = published(world.a_channel, T0)
    d2 = published(world.a_channel, T0 + timedelta(days=1))
    read(d1, T0 + timedelta(hours=2), likes=10, reposts=2, impressions=400)
    read(d2, T0 + timedelta(days=1, hours=2), likes=6, reposts=0)
    link_clicks_add(delivery_id=d2.pk, clicks=3)
    channel_day_record(
        channel_id=world.a_channel.pk, workspace_id=world.a.pk, day=T0.date(), followers=100
    )
    channel_day_record(
        channel_id=world.a_channel.pk,
        workspace_id=world.a.pk,
        day=T0.date() + timedelta(days=1),
        followers=110,
    )
    period = Period(T0.date(), T0.date() + timedelta(days=1))
    t = selectors.totals(world.a, period)
    assert t.posts == 2
    assert t.values["likes"] == 16
    assert t.values["impressions"] == 400
    assert t.values["reach"] is None
    assert t.engagements == 18
    assert t.link_clicks == 3
    assert (t.followers_start, t.followers_end) == (100, 110)
    # Workspace B sees none of it.
    assert selectors.totals(world.b, period).posts == 0
    days = selectors.daily(world.a, period)
    assert [x[1].engagements for x in days] == [12, 6]
    scoped = selectors.totals_of(selectors.post_metrics(world.a, period, post_id=d1.post_id))
    assert (scoped.posts, scoped.engagements, scoped.values["impressions"]) == (1, 12, 400)
