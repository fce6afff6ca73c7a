"""Scheduling: now, at a time in the right zone (DST included), the queue; bad input."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest

from roost.channels.models import Channel
from roost.conftest import World
from roost.conftest import make_channel as conftest_make_channel
from roost.core.exceptions import ValidationFailed
from roost.publishing.models import Delivery, DeliveryStatus, Post, PostStatus, QueueSlot
from roost.publishing.services.compose import PostInput, post_compose
from roost.publishing.services.scheduling import post_cancel, post_schedule
from roost.publishing.services.times import localize, next_slot_times


def make_channel(world: World, name: str, tz: str = "") -> Channel:
    return conftest_make_channel(world.a, name, tz)


@pytest.fixture
def fake_now(monkeypatch: Any) -> Any:
    """Freeze Roost's clock (compose and scheduling read it) at a chosen instant."""
    holder = {"now": datetime(2026, 3, 20, 12, 0, tzinfo=UTC)}
    monkeypatch.setattr("roost.core.clock.now", lambda: holder["now"])
    return holder


def test_dst_gap_is_refused_with_a_message() -> None:
    with pytest.raises(ValidationFailed) as exc:
        localize(datetime(2026, 3, 29, 2, 30), "Europe/Warsaw")
    assert exc.value.errors["scheduled_at"] == [
        "02:30 does not exist on 2026-03-29 in Europe/Warsaw: the clocks jump forward then. "
        "Choose another time."
    ]


def test_dst_repeated_hour_means_the_first_one() -> None:
    moment = localize(datetime(2026, 10, 25, 2, 30), "Europe/Warsaw")
    assert moment.astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_queue_slots_keep_wall_time_across_dst() -> None:
    after = datetime(2026, 3, 27, 12, 0, tzinfo=UTC)  # Friday before the change
    slots = [(0, time(9, 0))]  # Mondays 09:00
    upcoming = next_slot_times(slots, "Europe/Warsaw", after, weeks=1)
    # 30 March is after the switch to summer time: 09:00 CEST is 07:00 UTC.
    assert upcoming[0] == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)
    before = next_slot_times(slots, "Europe/Warsaw", datetime(2026, 3, 20, tzinfo=UTC), weeks=1)
    assert before[0] == datetime(2026, 3, 23, 8, 0, tzinfo=UTC)  # 09:00 CET


def test_schedule_at_reads_the_time_in_each_channel_zone(world: World, fake_now: Any) -> None:
    warsaw = make_channel(world, "Warsaw")
    new_york = make_channel(world, "NewYork", tz="America/New_York")
    actor = world.members["social_media_manager"]
    post = post_compose(
        actor=actor,
        data=PostInput(text="Hello", channel_ids=[warsaw.pk, new_york.pk]),
        mode="at",
        at=datetime(2026, 3, 24, 9, 0),
    )
    due = {d.channel_id: d.due_at for d in post.deliveries.all()}
    assert due[warsaw.pk] == datetime(2026, 3, 24, 8, 0, tzinfo=UTC)  # 09:00 CET
    assert due[new_york.pk] == datetime(2026, 3, 24, 13, 0, tzinfo=UTC)  # 09:00 EDT
    assert post.status == PostStatus.SCHEDULED
    assert post.scheduled_at == due[warsaw.pk]


def test_queue_takes_the_next_free_slot_per_channel(world: World, fake_now: Any) -> None:
    channel = make_channel(world, "Queue")
    for weekday in range(7):
        QueueSlot.objects.create(channel=channel, weekday=weekday, time=time(9, 0))
    actor = world.members["content_creator"]
    first = post_compose(
        actor=actor, data=PostInput(text="1", channel_ids=[channel.pk]), mode="queue"
    )
    second = post_compose(
        actor=actor, data=PostInput(text="2", channel_ids=[channel.pk]), mode="queue"
    )
    d1, d2 = first.deliveries.get().due_at, second.deliveries.get().due_at
    assert d1 == datetime(2026, 3, 21, 8, 0, tzinfo=UTC)  # Saturday 09:00 CET
    assert d2 == d1 + timedelta(days=1)


def test_queue_without_slots_says_so(world: World, fake_now: Any) -> None:
    channel = make_channel(world, "Empty")
    posts = Post.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        post_compose(
            actor=world.members["owner"],
            data=PostInput(text="x", channel_ids=[channel.pk]),
            mode="queue",
        )
    assert exc.value.errors["scheduled_at"] == [
        "Empty has no queue slots yet: add some in its settings."
    ]
    assert Post.objects.count() == posts


def test_bad_input_names_the_problem_and_saves_nothing(world: World, fake_now: Any) -> None:
    ok = make_channel(world, "Mine")
    other_ws = Channel.objects.create(workspace=world.b, network="sandbox", name="Theirs")
    restricted = make_channel(world, "Restricted")
    creator = world.members["content_creator"]
    creator.all_channels = False
    creator.save()
    from roost.channels.models import ChannelAccess

    ChannelAccess.objects.create(channel=ok, membership=creator)
    posts, deliveries = Post.objects.count(), Delivery.objects.count()
    data = PostInput(
        text="x" * 501,  # the Sandbox allows 500
        channel_ids=[ok.pk, other_ws.pk, restricted.pk],
    )
    with pytest.raises(ValidationFailed) as exc:
        post_compose(actor=creator, data=data, mode="at", at=datetime(2026, 3, 19, 9, 0))
    errors = exc.value.errors
    assert f"Channel {other_ws.pk} does not exist (it may have been deleted)." in errors["channels"]
    assert "You may not publish to Restricted." in errors["channels"]
    assert any("Sandbox" in m and "500" in m for m in errors[f"channel:{ok.pk}"])
    assert "is in the past" in errors["scheduled_at"][0]
    assert (Post.objects.count(), Delivery.objects.count()) == (posts, deliveries)


def test_disconnected_channel_is_refused(world: World, fake_now: Any) -> None:
    gone = make_channel(world, "Gone")
    gone.status = "disconnected"
    gone.save()
    with pytest.raises(ValidationFailed) as exc:
        post_compose(actor=world.members["owner"], data=PostInput(text="hi", channel_ids=[gone.pk]))
    assert exc.value.errors["channels"] == [
        "Gone is disconnected; reconnect it or choose another channel."
    ]


def test_reschedule_and_cancel(world: World, fake_now: Any) -> None:
    channel = make_channel(world, "Resched")
    actor = world.members["social_media_manager"]
    post = post_compose(
        actor=actor,
        data=PostInput(text="a", channel_ids=[channel.pk]),
        mode="at",
        at=datetime(2026, 3, 25, 10, 0),
    )
    post_schedule(actor=actor, post=post, mode="at", at=datetime(2026, 3, 26, 11, 0))
    delivery = post.deliveries.get()
    assert delivery.due_at == datetime(2026, 3, 26, 10, 0, tzinfo=UTC)
    post_cancel(actor=actor, post=post)
    delivery.refresh_from_db()
    post.refresh_from_db()
    assert delivery.status == DeliveryStatus.CANCELLED and post.status == PostStatus.CANCELLED
    post_schedule(actor=actor, post=post, mode="now")
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SCHEDULED and delivery.due_at == fake_now["now"]


def test_variants_follow_the_main_text_until_edited(world: World, fake_now: Any) -> None:
    a, b = make_channel(world, "A"), make_channel(world, "B")
    actor = world.members["owner"]
    post = post_compose(
        actor=actor, data=PostInput(text="Main", channel_ids=[a.pk, b.pk], variants={b.pk: "Own"})
    )
    from roost.publishing.content import build_request

    assert build_request(post, a).parts[0].text == "Main"
    assert build_request(post, b).parts[0].text == "Own"
    post = post_compose(
        actor=actor,
        post=post,
        data=PostInput(text="Main 2", channel_ids=[a.pk, b.pk], variants={b.pk: "Own"}),
    )
    assert build_request(post, a).parts[0].text == "Main 2"
    assert build_request(post, b).parts[0].text == "Own"


def test_campaign_utm_tags_links(world: World, fake_now: Any) -> None:
    from roost.publishing.content import add_utm, build_request
    from roost.publishing.services.campaigns import campaign_save

    assert add_utm("See https://x.test/a?b=1.", {"utm_source": "roost"}) == (
        "See https://x.test/a?b=1&utm_source=roost."
    )
    channel = make_channel(world, "Utm")
    actor = world.members["owner"]
    campaign = campaign_save(
        actor=actor, name="Spring", utm={"utm_campaign": "spring", "utm_medium": "social"}
    )
    post = post_compose(
        actor=actor,
        data=PostInput(
            text="New menu https://coffee.test/menu",
            channel_ids=[channel.pk],
            campaign_id=campaign.pk,
        ),
    )
    text = build_request(post, channel).parts[0].text
    assert text == "New menu https://coffee.test/menu?utm_medium=social&utm_campaign=spring"
