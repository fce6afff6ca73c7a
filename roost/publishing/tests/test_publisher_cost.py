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


def wait_for_finished(publisher: Publisher, count: int) -> None:
    """Until `count` tries are back from the network (state, not time)."""
    import time

    deadline = time.monotonic() + 60
    while publisher.finished.qsize() < count:
        assert time.monotonic() < deadline, "the Sandbox did not answer"
        time.sleep(0.01)


def test_a_round_records_and_claims_in_one_write_transaction(
    world: World, channels: list[Channel], sandbox: SandboxHandle, settings: Any
) -> None:
    settings.ROOST_PUBLISH_PER_CHANNEL = 50
    publisher = Publisher("one-write")
    try:
        due_posts(world, channels, 3, "first")
        publisher.step()  # claims and starts 6
        assert len(publisher.inflight) == 6
        wait_for_finished(publisher, 6)
        due_posts(world, channels, 2, "second")
        # The test runs inside a transaction, so each atomic block of the round opens a
        # savepoint at the test's depth: count those blocks, and writes made outside one.
        base = len(connection.savepoint_ids)
        blocks: list[str] = []
        loose: list[str] = []

        def watch(execute: Any, sql: str, *args: Any) -> Any:
            word = sql.split()[0].upper()
            if len(connection.savepoint_ids) == base:
                if word in ("SAVEPOINT", "BEGIN"):
                    blocks.append(sql)
                elif word in ("UPDATE", "INSERT", "DELETE"):
                    loose.append(sql)
            return execute(sql, *args)

        with connection.execute_wrapper(watch):
            publisher.step()  # records the 6 and claims the 4 more
        assert len(blocks) == 1, f"{len(blocks)} write transactions in one round"
        assert loose == []
        assert Delivery.objects.filter(status=DeliveryStatus.PUBLISHED).count() == 6
        assert len(publisher.inflight) == 4
    finally:
        publisher.drain()
    assert Delivery.objects.filter(status=DeliveryStatus.PUBLISHED).count() == 10


def test_outcomes_whose_write_failed_are_written_in_the_next_round(
    world: World, channels: list[Channel], sandbox: SandboxHandle, monkeypatch: Any
) -> None:
    from django.db import OperationalError

    from roost.publishing import publisher as module

    due_posts(world, channels, 2, "kept")
    publisher = Publisher("kept-worker")
    try:
        publisher.step()
        wait_for_finished(publisher, 4)
        real = module.record_many

        def locked(items: Any) -> int:
            raise OperationalError("database is locked")

        monkeypatch.setattr(module, "record_many", locked)
        try:
            publisher.step()
            raise AssertionError("the failed write must reach the loop's outage handling")
        except OperationalError:
            pass
        # Nothing was written, nothing was forgotten.
        assert len(publisher.unrecorded) == 4 and len(publisher.inflight) == 4
        assert not Delivery.objects.filter(status=DeliveryStatus.PUBLISHED).exists()
        monkeypatch.setattr(module, "record_many", real)
        publisher.step()
        assert publisher.unrecorded == [] and publisher.inflight == {}
    finally:
        publisher.drain()
    assert Delivery.objects.filter(status=DeliveryStatus.PUBLISHED).count() == 4
    assert sandbox.stats()["duplicates"] == 0
