"""Spike alerts: once per spike, a cool-down after it, the right people told, the inbox
when asked, and one workspace's failure never stopping another's."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import override_settings

from roost.conftest import World
from roost.core import clock, jobs
from roost.inbox.models import Message
from roost.listening import trends
from roost.listening.models import Alert, Topic, TopicHour
from roost.listening.services import alerts
from roost.listening.services.alerts import alerts_check
from roost.listening.tasks import check_alerts
from roost.notifications.models import Notification

NOW = datetime(2026, 11, 30, 12, 30, tzinfo=UTC)
CURRENT = datetime(2026, 11, 30, 12, tzinfo=UTC)
START = CURRENT - timedelta(days=8)
# Everyone in A with VIEW_LISTENING (world fixture: one member per role).
LISTENERS = [
    "admin@alpha.test",
    "analyst@alpha.test",
    "community_manager@alpha.test",
    "owner@alpha.test",
    "paid_media@alpha.test",
    "social_media_manager@alpha.test",
]


def topic(world: World, name: str = "Demo Coffee", workspace: Any = None, **kw: Any) -> Topic:
    return Topic.objects.create(workspace=workspace or world.a, name=name, query="coffee", **kw)


def series(t: Topic, override: dict[datetime, tuple[int, int]], until: datetime = CURRENT) -> None:
    """Eight days of 6 mentions an hour (1 negative), with `override` (mentions, negative)."""
    hours, hour = [], START
    while hour <= until:
        hours.append(hour)
        hour += timedelta(hours=1)
    TopicHour.objects.bulk_create(
        TopicHour(
            topic=t,
            hour=h,
            mentions=override.get(h, (6, 1))[0],
            negative=override.get(h, (6, 1))[1],
            neutral=override.get(h, (6, 1))[0] - override.get(h, (6, 1))[1],
        )
        for h in hours
    )


def volume_spike(t: Topic, at: datetime = CURRENT, until: datetime = CURRENT) -> None:
    series(t, {at: (48, 1)}, until)


def told(kind: str) -> list[str]:
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient__email", flat=True))


def test_a_volume_spike_fires_one_alert_and_tells_the_listeners(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    t = topic(world)
    volume_spike(t)

    with django_capture_on_commit_callbacks(execute=True):
        fired = alerts_check(now=NOW)

    assert [(a.topic_id, a.kind, a.started_at) for a in fired] == [(t.pk, "volume", CURRENT)]
    alert = fired[0]
    assert alert.workspace_id == world.a.pk
    assert alert.observed == 54.0
    assert alert.quiet_until == NOW + timedelta(hours=6)
    assert alert.detail["mentions"] == 54
    assert told("listening.volume_spike") == LISTENERS
    note = Notification.objects.filter(kind="listening.volume_spike").first()
    assert note is not None
    assert (
        note.text == "Volume spike on “Demo Coffee”: 54 mentions in the last 90 minutes, usually 9"
    )
    assert note.url == f"/w/{world.a.slug}/listening/topics/{t.pk}/"
    assert note.key == f"listening:alert:{alert.pk}"
    assert sorted(to for m in mail.outbox for to in m.to) == LISTENERS
    assert told("listening.negative_spike") == []
    assert Message.objects.filter(kind="alert").count() == 0  # not asked for the inbox


def test_a_spike_going_on_over_several_checks_is_one_alert(world: World) -> None:
    t = topic(world)
    series(
        t, {CURRENT: (48, 1), CURRENT + timedelta(hours=1): (60, 1)}, CURRENT + timedelta(hours=1)
    )

    first = alerts_check(now=NOW)
    again = [alerts_check(now=NOW + timedelta(minutes=m)) for m in (5, 10, 40, 60)]

    assert len(first) == 1
    assert again == [[], [], [], []]
    assert Alert.objects.count() == 1
    assert Notification.objects.filter(kind="listening.volume_spike").count() == len(LISTENERS)
    # The cool-down counts from the last check that saw the spike.
    alert = Alert.objects.get()
    assert alert.quiet_until == NOW + timedelta(minutes=60) + timedelta(hours=6)


def test_after_the_spike_a_cool_down_then_a_new_alert(world: World) -> None:
    t = topic(world)
    later = CURRENT + timedelta(hours=7)
    series(t, {CURRENT: (48, 1), later: (50, 1)}, later)

    assert len(alerts_check(now=NOW)) == 1
    # The spike is over by 14:30 (the window 13:00–14:30 is back to normal).
    assert alerts_check(now=NOW + timedelta(hours=2)) == []
    # 18:25: a new spike at 18:00 but still within 6 h of the last check that saw one.
    with override_settings(ROOST_LISTENING_ALERT_COOLDOWN_HOURS=6):
        assert alerts_check(now=CURRENT + timedelta(hours=6, minutes=25)) == []
    assert Alert.objects.count() == 1
    # 19:35: past the cool-down (12:30 + 6 h, extended by nothing since): a new alert.
    fired = alerts_check(now=later + timedelta(minutes=35))
    assert [(a.kind, a.started_at) for a in fired] == [("volume", later)]
    assert Alert.objects.count() == 2


def test_the_cool_down_follows_the_setting(world: World) -> None:
    t = topic(world)
    later = CURRENT + timedelta(hours=3)
    series(t, {CURRENT: (48, 1), later: (50, 1)}, later)
    with override_settings(ROOST_LISTENING_ALERT_COOLDOWN_HOURS=2):
        assert len(alerts_check(now=NOW)) == 1
        fired = alerts_check(now=later + timedelta(minutes=35))
    assert [a.started_at for a in fired] == [later]
    assert fired[0].quiet_until == later + timedelta(minutes=35) + timedelta(hours=2)


def test_two_checks_at_once_fire_one_alert(world: World, monkeypatch: Any) -> None:
    """The second check ran before the first committed (it saw no quiet alert): the unique
    (topic, kind, started_at) lets only one through, and nobody is told twice."""
    t = topic(world)
    volume_spike(t)
    assert len(alerts_check(now=NOW)) == 1
    monkeypatch.setattr(alerts, "_still_quiet", lambda *a: False)

    assert alerts_check(now=NOW + timedelta(minutes=1)) == []

    assert Alert.objects.count() == 1
    assert Alert.objects.get().quiet_until == NOW + timedelta(minutes=1, hours=6)
    assert told("listening.volume_spike") == LISTENERS


@pytest.mark.django_db(transaction=True)
def test_two_workers_checking_at_the_same_moment_fire_one_alert(world: World) -> None:
    if connection.vendor == "sqlite":
        pytest.skip(
            "The SQLite test database is an in-memory shared cache: a second connection "
            "writing at once fails instead of waiting. The race runs on PostgreSQL."
        )
    t = topic(world)
    volume_spike(t)
    barrier = threading.Barrier(2)
    results: list[Any] = []

    def check() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(len(alerts_check(now=NOW)))
        except Exception as exc:  # shown in the assertion below
            results.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=check) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(results) == [0, 1], results
    assert Alert.objects.count() == 1
    assert told("listening.volume_spike") == LISTENERS


def test_a_negative_spike_at_steady_volume_fires_only_the_negative_alert(
    world: World,
) -> None:
    t = topic(world)
    series(t, {CURRENT - timedelta(hours=i): (6, 4) for i in range(4)})

    fired = alerts_check(now=NOW)

    assert [(a.kind, a.started_at) for a in fired] == [("negative", CURRENT - timedelta(hours=3))]
    assert told("listening.volume_spike") == []
    assert told("listening.negative_spike") == LISTENERS
    note = Notification.objects.filter(kind="listening.negative_spike").first()
    assert note is not None
    assert note.text == (
        "Negative spike on “Demo Coffee”: 67% of 24 mentions negative in the last "
        "210 minutes, usually 17%"
    )


def test_topics_that_do_not_want_that_alert_or_are_paused_get_none(world: World) -> None:
    quiet = topic(world, "No volume alerts", alert_volume=False)
    paused = topic(world, "Paused", is_active=False)
    for t in (quiet, paused):
        volume_spike(t)
    assert alerts_check(now=NOW) == []
    assert Alert.objects.count() == 0


def test_alert_to_inbox_files_one_item_in_the_inbox(world: World) -> None:
    t = topic(world, alert_to_inbox=True)
    volume_spike(t)

    fired = alerts_check(now=NOW)

    item = Message.objects.get(kind="alert")
    assert fired[0].inbox_message_id == item.pk
    assert Alert.objects.get().inbox_message_id == item.pk
    assert item.workspace_id == world.a.pk
    assert item.channel_id == world.a_channel.pk
    assert item.remote_id == f"listening-alert:{fired[0].pk}"
    assert item.text.startswith("Volume spike on “Demo Coffee”: 54 mentions")
    assert item.priority == 2  # high


def test_alert_to_inbox_without_a_channel_still_alerts(world: World) -> None:
    from roost.channels.models import Channel

    Channel.objects.filter(workspace=world.a).update(status="disconnected")
    t = topic(world, alert_to_inbox=True)
    volume_spike(t)
    fired = alerts_check(now=NOW)
    assert [a.inbox_message_id for a in fired] == [None]
    assert told("listening.volume_spike") == LISTENERS


def test_one_broken_workspace_does_not_stop_the_others(
    world: World, monkeypatch: Any, caplog: Any
) -> None:
    broken = topic(world, "Broken")
    fine = topic(world, "Fine", workspace=world.b)
    for t in (broken, fine):
        volume_spike(t)
    real = trends.spikes

    def spikes(topic_ids: list[int], **kw: Any) -> Any:
        if broken.pk in topic_ids:
            raise ValueError("corrupt roll-up")
        return real(topic_ids, **kw)

    monkeypatch.setattr(alerts, "spikes", spikes)
    with caplog.at_level(logging.ERROR, logger="roost.listening.alerts"):
        fired = alerts_check(now=NOW)

    assert [(a.workspace_id, a.topic_id) for a in fired] == [(world.b.pk, fine.pk)]
    assert f"workspace {world.a.pk} failed" in caplog.text
    assert told("listening.volume_spike") == ["creator@bravo.test", "owner@bravo.test"]


def test_the_job_runs_the_check_every_five_minutes(world: World, monkeypatch: Any) -> None:
    job = {j.name: j for j in jobs.registered()}["listening.alerts"]
    assert job.period() == timedelta(minutes=5)
    assert job.run is check_alerts
    monkeypatch.setattr(clock, "now", lambda: NOW)
    t = topic(world)
    volume_spike(t)
    assert Alert.objects.count() == 0
    check_alerts.enqueue()  # the immediate backend in tests
    assert Alert.objects.filter(topic=t, kind="volume").count() == 1


def test_an_internal_inbox_item_is_stored_once_per_key(world: World) -> None:
    from roost.inbox.services.internal import internal_item_add

    first = internal_item_add(workspace=world.a, key="k1", text="Spike", url="javascript:x")
    again = internal_item_add(workspace=world.a, key="k1", text="Spike again")

    assert first is not None and again is not None
    assert again.pk == first.pk
    assert Message.objects.filter(remote_id="k1").count() == 1
    assert (first.kind, first.url, first.author_name, first.status) == (
        "alert",
        "",
        "Roost",
        "open",
    )
