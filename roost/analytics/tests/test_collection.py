"""Collection: the reading schedule, not available vs 0, counts that go down, each channel
failing on its own, and audiences. The only fake is the network edge (a connector)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from roost.analytics.models import ChannelDay, MetricSnapshot, PostMetrics
from roost.analytics.services.collection import (
    READINGS,
    audience_collect,
    deliveries_on_published,
    metrics_collect,
    next_reading_at,
)
from roost.channels.models import Channel, ChannelStatus
from roost.conftest import World
from roost.networks import registry
from roost.networks.base import (
    Audience,
    Limits,
    Metrics,
    Outcome,
    Problem,
    PublishRequest,
    Result,
)
from roost.networks.sandbox.testing import SandboxHandle
from roost.publishing import hooks
from roost.publishing.models import Delivery, DeliveryStatus, Post, PostStatus
from roost.publishing.tests.conftest import sandbox  # noqa: F401 - fixture
from roost.workspaces.models import Workspace

NETWORK = "counting"
T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


@dataclass
class Edge:
    """What the fake network answers, per channel (by its config's "name")."""

    counts: dict[str, dict[str, Metrics]] = field(default_factory=dict)
    outcome: dict[str, Result] = field(default_factory=dict)
    broken: set[str] = field(default_factory=set)  # the connector itself raises
    audience: dict[str, Audience] = field(default_factory=dict)
    asked: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)


EDGE = Edge()


class CountingConnector:
    """A connector at the network edge: answers from EDGE."""

    network = NETWORK

    def __init__(self, config: Mapping[str, Any], credentials: Mapping[str, Any]) -> None:
        self.name = str(config["name"])

    def limits(self) -> Limits:  # pragma: no cover - not used here
        return Limits(max_chars=500, max_media=4, max_image_bytes=1, image_types=frozenset())

    def validate(self, request: PublishRequest) -> list[Problem]:  # pragma: no cover
        return []

    def verify(self) -> tuple[Result, None]:  # pragma: no cover
        return Result(Outcome.OK), None

    def publish(self, request: PublishRequest) -> Result:  # pragma: no cover
        return Result(Outcome.REJECTED)

    def find_existing(self, request: PublishRequest) -> Result:  # pragma: no cover
        return Result(Outcome.OK)

    def delete(self, remote_id: str) -> Result:  # pragma: no cover
        return Result(Outcome.OK)

    def fetch_metrics(self, remote_ids: Sequence[str]) -> tuple[Result, dict[str, Metrics]]:
        EDGE.asked.append((self.name, tuple(remote_ids)))
        if self.name in EDGE.broken:
            raise RuntimeError("a bug in the connector")
        known = EDGE.counts.get(self.name, {})
        found = {r: known[r] for r in remote_ids if r in known}
        return EDGE.outcome.get(self.name, Result(Outcome.OK)), found

    def fetch_audience(self) -> tuple[Result, Audience | None]:
        if self.name in EDGE.broken:
            raise RuntimeError("a bug in the connector")
        result = EDGE.outcome.get(self.name, Result(Outcome.OK))
        return result, EDGE.audience.get(self.name) if result.ok else None

    def credentials(self) -> dict[str, Any]:
        return {"token": "t"}


class QuietConnector(CountingConnector):
    """A network that reports no audience at all (no fetch_audience)."""

    fetch_audience = None  # type: ignore[assignment]


@pytest.fixture(autouse=True)
def edge(monkeypatch: pytest.MonkeyPatch) -> Iterator[Edge]:
    registry.load()
    for key, factory in ((NETWORK, CountingConnector), ("quiet", QuietConnector)):
        monkeypatch.setitem(
            registry._NETWORKS, key, registry.Network(key=key, label=key, factory=factory)
        )
    EDGE.__init__()  # type: ignore[misc]
    yield EDGE


def channel_in(workspace: Workspace, name: str, network: str = NETWORK) -> Channel:
    channel = Channel(
        workspace=workspace, network=network, name=name, handle=name, config={"name": name}
    )
    channel.set_credentials({"token": "t"})
    channel.save()
    return channel


def publish(channel: Channel, at: datetime, n: int = 1) -> list[Delivery]:
    """Deliveries published at `at`, as the publisher leaves them, then announced."""
    post = Post.objects.create(
        workspace=channel.workspace, text="Fresh beans", status=PostStatus.PUBLISHED
    )
    made = [
        Delivery.objects.create(
            post=post if i == 0 else Post.objects.create(workspace=channel.workspace, text="x"),
            channel=channel,
            status=DeliveryStatus.PUBLISHED,
            idempotency_key=uuid.uuid4().hex,
            published_at=at,
            next_attempt_at=at,
            remote_id=f"{channel.name}-{uuid.uuid4().hex[:8]}",
        )
        for i in range(n)
    ]
    assert deliveries_on_published([d.pk for d in made]) == n
    return made


def due(delivery: Delivery) -> datetime | None:
    return PostMetrics.objects.get(delivery=delivery).next_collect_at


def test_the_reading_points() -> None:
    assert [next_reading_at(T0, T0 + r - timedelta(seconds=1)) for r in READINGS] == [
        T0 + timedelta(hours=1),
        T0 + timedelta(hours=6),
        T0 + timedelta(hours=24),
        T0 + timedelta(days=3),
        T0 + timedelta(days=7),
        T0 + timedelta(days=30),
    ]
    assert next_reading_at(T0, T0 + timedelta(days=30)) is None
    # A run that fell behind goes on to the next point ahead, not the missed ones.
    assert next_reading_at(T0, T0 + timedelta(days=2)) == T0 + timedelta(days=3)


def test_published_deliveries_are_read_1h_6h_24h_3d_7d_30d_after(world: World) -> None:
    channel = channel_in(world.a, "alpha")
    [d] = publish(channel, T0)
    assert due(d) == T0 + timedelta(hours=1)
    likes = 0
    for offset in READINGS:
        before = metrics_collect(now=T0 + offset - timedelta(minutes=1))
        assert before.readings == 0  # not due yet
        likes += 2
        EDGE.counts["alpha"] = {d.remote_id: Metrics(likes=likes)}
        report = metrics_collect(now=T0 + offset)
        assert report.readings == 1
        assert due(d) == next_reading_at(T0, T0 + offset)
    assert due(d) is None and report.finished == 1
    pm = PostMetrics.objects.get(delivery=d)
    assert (pm.snapshots, pm.likes, pm.collected_at) == (6, 12, T0 + READINGS[-1])
    assert list(
        MetricSnapshot.objects.filter(delivery_id=d.pk)
        .order_by("taken_at")
        .values_list("taken_at", flat=True)
    ) == [T0 + offset for offset in READINGS]
    assert metrics_collect(now=T0 + timedelta(days=90)).readings == 0  # readings are over


def test_publishing_announces_after_commit_and_analytics_tracks(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    channel = channel_in(world.a, "alpha")
    post = Post.objects.create(workspace=world.a, text="Hello", status=PostStatus.PUBLISHED)
    d = Delivery.objects.create(
        post=post,
        channel=channel,
        status=DeliveryStatus.PUBLISHED,
        idempotency_key="k-1",
        published_at=T0,
        remote_id="alpha-1",
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        hooks.published([d.pk])
    assert not PostMetrics.objects.exists()  # nothing before the commit
    for callback in callbacks:
        callback()
    pm = PostMetrics.objects.get(delivery=d)
    assert (pm.workspace_id, pm.channel_id, pm.next_collect_at) == (
        world.a.pk,
        channel.pk,
        T0 + timedelta(hours=1),
    )
    assert ChannelDay.objects.get(channel=channel).posts == 1


def test_a_failing_handler_never_stops_publishing(
    world: World, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[Sequence[int]] = []

    def broken(ids: Sequence[int]) -> int:
        raise RuntimeError("boom")

    def counting(ids: Sequence[int]) -> int:
        seen.append(ids)
        return len(ids)

    monkeypatch.setattr(hooks, "_PUBLISHED", [])
    hooks.on_published(broken)
    hooks.on_published(counting)
    hooks.on_published(counting)  # once is enough
    with django_capture_on_commit_callbacks(execute=True):
        hooks.published([1, 2])
    assert seen == [[1, 2]]


def test_the_catch_up_tracks_what_the_hook_missed(world: World) -> None:
    channel = channel_in(world.a, "alpha")
    post = Post.objects.create(workspace=world.a, text="Hello", status=PostStatus.PUBLISHED)
    d = Delivery.objects.create(
        post=post,
        channel=channel,
        status=DeliveryStatus.PUBLISHED,
        idempotency_key="k-2",
        published_at=T0,
        next_attempt_at=T0,
        remote_id="alpha-2",
    )
    EDGE.counts["alpha"] = {"alpha-2": Metrics(likes=1)}
    report = metrics_collect(now=T0 + timedelta(hours=1))
    assert (report.tracked, report.readings) == (1, 1)
    assert due(d) == T0 + timedelta(hours=6)
    # Long after: the sweep looks at the recent past only.
    assert metrics_collect(now=T0 + timedelta(days=10)).tracked == 0


def test_not_available_is_not_zero(world: World) -> None:
    channel = channel_in(world.a, "alpha")
    [d] = publish(channel, T0)
    EDGE.counts["alpha"] = {d.remote_id: Metrics(likes=0, reposts=0, replies=2, quotes=None)}
    metrics_collect(now=T0 + timedelta(hours=1))
    pm = PostMetrics.objects.get(delivery=d)
    assert (pm.likes, pm.reposts, pm.replies, pm.quotes, pm.impressions) == (0, 0, 2, None, None)
    assert pm.engagements == 2
    day = ChannelDay.objects.get(channel=channel)
    assert (day.likes, day.replies, day.quotes, day.impressions) == (0, 2, None, None)


def test_counts_that_go_down_are_stored_as_they_are(world: World) -> None:
    channel = channel_in(world.a, "alpha")
    [d] = publish(channel, T0)
    EDGE.counts["alpha"] = {d.remote_id: Metrics(likes=5, reposts=2)}
    metrics_collect(now=T0 + timedelta(hours=1))
    EDGE.counts["alpha"] = {d.remote_id: Metrics(likes=3, reposts=2)}  # two unlikes
    metrics_collect(now=T0 + timedelta(hours=6))
    pm = PostMetrics.objects.get(delivery=d)
    assert (pm.likes, pm.engagements) == (3, 5)
    day = ChannelDay.objects.get(channel=channel)
    assert (day.likes, day.engagements) == (3, 5)
    assert list(
        MetricSnapshot.objects.filter(delivery_id=d.pk)
        .order_by("taken_at")
        .values_list("likes", flat=True)
    ) == [5, 3]


def test_a_post_gone_from_the_network_moves_on_without_a_reading(world: World) -> None:
    channel = channel_in(world.a, "alpha")
    [d] = publish(channel, T0)
    EDGE.counts["alpha"] = {}
    report = metrics_collect(now=T0 + timedelta(hours=1))
    assert report.readings == 0 and due(d) == T0 + timedelta(hours=6)
    assert PostMetrics.objects.get(delivery=d).snapshots == 0


def test_each_channel_fails_on_its_own(world: World) -> None:
    """Alpha's network is down, Bravo's connector has a bug, Alpha's second channel has
    lost its access; Alpha's third channel (and only it) is read."""
    down = channel_in(world.a, "down")
    buggy = channel_in(world.b, "buggy")
    revoked = channel_in(world.a, "revoked")
    fine = channel_in(world.a, "fine")
    deliveries = {c.name: publish(c, T0)[0] for c in (down, buggy, revoked, fine)}
    EDGE.outcome["down"] = Result(Outcome.RETRYABLE, reason="Down for maintenance.")
    EDGE.broken.add("buggy")
    EDGE.outcome["revoked"] = Result(Outcome.UNAUTHORIZED, reason="Token revoked.")
    EDGE.counts["fine"] = {deliveries["fine"].remote_id: Metrics(likes=4)}

    report = metrics_collect(now=T0 + timedelta(hours=1))

    assert report.readings == 1 and sorted(report.failed_channels) == sorted([down.pk, buggy.pk])
    assert PostMetrics.objects.get(delivery=deliveries["fine"]).likes == 4
    assert due(deliveries["fine"]) == T0 + timedelta(hours=6)
    # Not read: tried again after a while (5 minutes, doubling as failures go on) ...
    for name in ("down", "buggy"):
        assert due(deliveries[name]) == T0 + timedelta(hours=1, minutes=5)
    # ... or, for the revoked channel, as soon as it is reconnected.
    assert due(deliveries["revoked"]) == T0 + timedelta(hours=1)
    by_name = {c.name: c for c in Channel.objects.filter(config__name__isnull=False)}
    assert (by_name["down"].metrics_failures, by_name["down"].metrics_error) == (
        1,
        "Down for maintenance.",
    )
    assert by_name["buggy"].metrics_failures == 1
    assert by_name["revoked"].status == ChannelStatus.NEEDS_RECONNECT
    assert by_name["fine"].metrics_failures == 0

    # The network is back: the streak is over; the revoked channel is not asked at all.
    del EDGE.outcome["down"]
    EDGE.counts["down"] = {deliveries["down"].remote_id: Metrics(likes=1)}
    EDGE.asked.clear()
    metrics_collect(now=T0 + timedelta(hours=1, minutes=4))
    assert EDGE.asked == []  # not yet
    metrics_collect(now=T0 + timedelta(hours=1, minutes=5))
    assert Channel.objects.get(pk=down.pk).metrics_failures == 0
    assert PostMetrics.objects.get(delivery=deliveries["down"]).likes == 1
    assert "revoked" not in {name for name, _ids in EDGE.asked}


def test_a_batch_that_fails_part_way_keeps_what_it_read(world: World) -> None:
    channel = channel_in(world.a, "alpha")
    first, second = publish(channel, T0, n=2)
    EDGE.counts["alpha"] = {first.remote_id: Metrics(likes=7)}
    EDGE.outcome["alpha"] = Result(Outcome.RATE_LIMITED, retry_after=60, reason="Slow down.")
    report = metrics_collect(now=T0 + timedelta(hours=1))
    assert report.readings == 1
    assert due(first) == T0 + timedelta(hours=6)
    assert due(second) == T0 + timedelta(hours=1, minutes=1)  # when the network said
    assert Channel.objects.get(pk=channel.pk).metrics_error == "Slow down."


def test_a_channel_that_stays_down_waits_longer_each_time(world: World) -> None:
    channel = channel_in(world.a, "alpha")
    [d] = publish(channel, T0)
    EDGE.outcome["alpha"] = Result(Outcome.RETRYABLE, reason="Down.")
    now, waits = T0 + timedelta(hours=1), []
    for _ in range(4):
        metrics_collect(now=now)
        after = due(d)
        assert after is not None
        waits.append(after - now)
        now = after
    assert waits == [timedelta(minutes=m) for m in (5, 10, 20, 40)]
    assert Channel.objects.get(pk=channel.pk).metrics_failures == 4


def test_network_calls_are_batched_per_channel(world: World, monkeypatch: Any) -> None:
    from roost.analytics.services import collection

    monkeypatch.setattr(collection, "BATCH", 2)
    channel = channel_in(world.a, "alpha")
    made = publish(channel, T0, n=5)
    EDGE.counts["alpha"] = {d.remote_id: Metrics(likes=1) for d in made}
    assert metrics_collect(now=T0 + timedelta(hours=1)).readings == 5
    assert [len(ids) for _name, ids in EDGE.asked] == [2, 2, 1]


def test_audience_is_kept_as_today_in_the_workspace_zone(world: World) -> None:
    alpha = channel_in(world.a, "alpha")  # Europe/Warsaw
    bravo = channel_in(world.b, "bravo")  # UTC
    quiet = channel_in(world.a, "quiet", network="quiet")
    down = channel_in(world.b, "down")
    EDGE.audience["alpha"] = Audience(followers=120, following=30, posts=44)
    EDGE.audience["bravo"] = Audience(followers=9, following=None, posts=None)
    EDGE.outcome["down"] = Result(Outcome.RETRYABLE, reason="Down.")
    late = datetime(2026, 11, 2, 23, 30, tzinfo=UTC)  # already the 3rd in Warsaw

    assert audience_collect(now=late) == 2

    a_day = ChannelDay.objects.get(channel=alpha)
    assert (a_day.day, a_day.followers, a_day.following, a_day.posts_total) == (
        date(2026, 11, 3),
        120,
        30,
        44,
    )
    b_day = ChannelDay.objects.get(channel=bravo)
    assert (b_day.day, b_day.followers, b_day.following) == (date(2026, 11, 2), 9, None)
    assert not ChannelDay.objects.filter(channel__in=[quiet, down]).exists()
    assert Channel.objects.get(pk=down.pk).metrics_failures == 1

    # Later the same day: the last reading wins (followers can go down too).
    EDGE.audience["alpha"] = Audience(followers=118, following=30, posts=45)
    audience_collect(now=late + timedelta(hours=6))
    a_day.refresh_from_db()
    assert (a_day.followers, a_day.posts_total) == (118, 45)
    assert ChannelDay.objects.filter(channel=alpha).count() == 1


def test_disconnected_channels_are_not_read(world: World) -> None:
    channel = channel_in(world.a, "alpha")
    [d] = publish(channel, T0)
    Channel.objects.filter(pk=channel.pk).update(status=ChannelStatus.NEEDS_RECONNECT)
    EDGE.audience["alpha"] = Audience(followers=1)
    assert metrics_collect(now=T0 + timedelta(hours=1)).readings == 0
    assert audience_collect(now=T0) == 0
    assert EDGE.asked == [] and due(d) == T0 + timedelta(hours=1)


def test_the_post_page_shows_the_latest_counts_leaving_out_what_is_not_available(
    world: World, owner_client: Any
) -> None:
    from django.urls import reverse

    from roost.analytics.testing import published, read

    d = published(world.a_channel, T0, text="Crema")
    url = reverse("publishing:post", args=[world.a.slug, d.post_id])
    before = owner_client.get(url).content.decode()
    assert 'data-testid="metrics">—</td>' in before  # not read yet

    read(d, T0 + timedelta(hours=1), likes=12, reposts=1, replies=0, quotes=None)
    page = owner_client.get(url).content.decode()

    assert 'data-testid="metrics">12 likes · 1 repost · 0 replies</td>' in page


def test_the_sandbox_reports_every_count_and_the_audience(
    world: World,
    sandbox: SandboxHandle,  # noqa: F811 - the fixture
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Through the real publisher and a running Sandbox: the post is tracked when it is
    published, its first reading has every count (impressions, reach, clicks and video
    views too), pinned ones as pinned; the audience lands on today."""
    from roost.channels.services import connect_with_form
    from roost.core import clock
    from roost.publishing.services.compose import PostInput, post_compose
    from roost.publishing.tests.conftest import drain

    manager = world.members["social_media_manager"]
    channel = connect_with_form(actor=manager, network="sandbox", fields={"name": "Beans"})
    with django_capture_on_commit_callbacks(execute=True):
        post = post_compose(
            actor=manager, data=PostInput(text="Espresso", channel_ids=[channel.pk]), mode="now"
        )
        drain()
    d = Delivery.objects.get(post=post, channel=channel)
    assert d.status == DeliveryStatus.PUBLISHED and d.published_at is not None
    sandbox.control(metrics={d.remote_id: {"likes": 9, "impressions": 300}})

    report = metrics_collect(now=d.published_at + READINGS[0], channel_ids=[channel.pk])

    assert report.readings == 1
    pm = PostMetrics.objects.get(delivery=d)
    assert (pm.likes, pm.impressions) == (9, 300)
    assert all(value is not None for value in pm.values().values())
    assert audience_collect(channel_ids=[channel.pk]) == 1
    today = ChannelDay.objects.get(
        channel=channel, day=clock.now().astimezone(ZoneInfo(world.a.timezone)).date()
    )
    assert today.posts_total == 1 and today.followers is not None and today.followers >= 400
