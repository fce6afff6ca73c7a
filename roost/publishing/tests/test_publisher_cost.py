"""The publisher's hot path costs the same number of queries for 1 delivery as for many,
and it accounts for where its time goes."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from roost.channels.models import Channel
from roost.conftest import World
from roost.core import clock
from roost.networks.sandbox.testing import SandboxHandle
from roost.publishing.models import Delivery, DeliveryStatus, Post, PostStatus, PostVariant
from roost.publishing.publisher import Publisher, Stages
from roost.publishing.tests.conftest import drain


def due_posts(world: World, channels: list[Channel], n: int, tag: str) -> list[Post]:
    author = world.members["social_media_manager"].user
    posts = []
    for i in range(n):
        post = Post.objects.create(
            workspace=channels[0].workspace,
            author=author,
            text=f"{tag} {i}",
            status=PostStatus.SCHEDULED,
            scheduled_at=clock.now(),
        )
        for channel in channels:
            Delivery.objects.create(
                post=post,
                channel=channel,
                status=DeliveryStatus.SCHEDULED,
                idempotency_key=f"{tag}-{i}-{channel.pk}",
                due_at=clock.now(),
                next_attempt_at=clock.now(),
            )
        PostVariant.objects.create(post=post, channel=channels[-1], text=f"variant {tag} {i}")
        posts.append(post)
    return posts


def claim_and_prepare_queries(publisher: Publisher) -> int:
    with CaptureQueriesContext(connection) as queries:
        publisher._claim(500)
        publisher._start_waiting()
    return len(queries)


def test_claiming_and_preparing_cost_the_same_queries_for_one_or_twenty(
    world: World, channels: list[Channel], sandbox: SandboxHandle, settings: Any
) -> None:
    settings.ROOST_PUBLISH_PER_CHANNEL = 50
    publisher = Publisher("cost-worker")
    try:
        due_posts(world, channels, 1, "one")
        # The first round opens each channel's connector (reads nothing more per delivery).
        one = claim_and_prepare_queries(publisher)
        publisher.drain()
    finally:
        publisher.drain()
    publisher = Publisher("cost-worker-2")
    try:
        due_posts(world, channels, 20, "twenty")
        twenty = claim_and_prepare_queries(publisher)
        assert len(publisher.inflight) == 40  # 20 posts x 2 channels, all started
    finally:
        publisher.drain()
    assert twenty == one, f"{twenty} queries for 40 deliveries, {one} for 2"
    assert Delivery.objects.filter(status=DeliveryStatus.PUBLISHED).count() == 42


def test_the_publisher_accounts_for_its_time(
    world: World, channels: list[Channel], sandbox: SandboxHandle
) -> None:
    due_posts(world, channels, 3, "timed")
    publisher = drain()
    stages = publisher.stages
    assert stages.deliveries == 6 and stages.batches >= 1
    assert stages.seconds["claim"] > 0 and stages.seconds["record"] > 0
    summary = stages.summary(loop_cpu=0.5, thread_cpu=0.25)
    assert set(summary["seconds"]) == set(Stages.NAMES)
    assert summary["network_s"]["p50"] is not None and summary["deliveries"] == 6
    assert summary["cpu_s"] == {"loop_thread": 0.25, "network_thread": 0.5}
    assert set(summary["cpu_seconds"]) == set(Stages.NAMES)
