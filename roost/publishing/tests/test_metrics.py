"""Engagement counts reach the post, and recurring jobs run once per period."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from roost.channels.models import Channel
from roost.conftest import World
from roost.core import clock
from roost.core.periodic import claim_turn
from roost.networks.sandbox.testing import SandboxHandle
from roost.publishing.models import Delivery, DeliveryStatus
from roost.publishing.services.compose import PostInput, post_compose
from roost.publishing.services.metrics import metrics_refresh
from roost.publishing.tests.conftest import drain


def test_metrics_reach_the_deliveries(
    world: World, channels: list[Channel], sandbox: SandboxHandle
) -> None:
    post = post_compose(
        actor=world.members["owner"],
        data=PostInput(text="Count me", channel_ids=[c.pk for c in channels]),
        mode="now",
    )
    drain()
    first, _second = post.deliveries.order_by("channel_id")
    sandbox.control(metrics={first.remote_id: {"likes": 7, "reposts": 2, "quotes": 1}})
    # A reply on the Sandbox counts as a reply.
    token = channels[1].credentials["token"]
    reply = httpx.post(
        f"{sandbox.url}/api/posts",
        json={"text": "Nice!", "reply_to": first.remote_id},
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "reply-1"},
    )
    assert reply.status_code == 201
    assert metrics_refresh() == 2  # both deliveries of the post
    first.refresh_from_db()
    assert {k: first.metrics[k] for k in ("likes", "reposts", "replies", "quotes")} == {
        "likes": 7,
        "reposts": 2,
        "replies": 1,
        "quotes": 1,
    }


def test_only_published_recent_deliveries_are_asked(
    world: World, channels: list[Channel], sandbox: SandboxHandle
) -> None:
    post = post_compose(
        actor=world.members["owner"],
        data=PostInput(text="Old", channel_ids=[channels[0].pk]),
        mode="now",
    )
    drain()
    Delivery.objects.filter(post=post).update(published_at=clock.now() - timedelta(days=40))
    assert metrics_refresh() == 0
    assert Delivery.objects.get(post=post).status == DeliveryStatus.PUBLISHED


def test_a_periodic_job_runs_once_per_period(db: object) -> None:
    assert claim_turn("x", timedelta(minutes=15)) is True
    assert claim_turn("x", timedelta(minutes=15)) is False  # another worker, same period
    assert claim_turn("y", timedelta(minutes=15)) is True


def test_one_channels_metrics_failing_leaves_the_others(
    world: World, channels: list[Channel], sandbox: SandboxHandle, monkeypatch: Any
) -> None:
    from roost.publishing.services import metrics

    post = post_compose(
        actor=world.members["owner"],
        data=PostInput(text="Count me", channel_ids=[c.pk for c in channels]),
        mode="now",
    )
    drain()
    broken, fine = channels
    fine_delivery = post.deliveries.get(channel=fine)
    sandbox.control(metrics={fine_delivery.remote_id: {"likes": 3}})
    real = metrics.connector_open

    def connector_open(channel: Channel) -> Any:
        if channel.pk == broken.pk:
            raise RuntimeError("a connector bug")
        return real(channel)

    monkeypatch.setattr(metrics, "connector_open", connector_open)

    assert metrics_refresh() == 1

    fine_delivery.refresh_from_db()
    assert fine_delivery.metrics["likes"] == 3
    assert post.deliveries.get(channel=broken).metrics == {}
    broken.refresh_from_db()
    assert (broken.metrics_failures, broken.metrics_error) == (
        1,
        "Unexpected error: a connector bug",
    )
    fine.refresh_from_db()
    assert (fine.metrics_failures, fine.metrics_error) == (0, "")

    monkeypatch.setattr(metrics, "connector_open", real)  # fixed: the streak is over
    assert metrics_refresh() == 2
    broken.refresh_from_db()
    assert (broken.metrics_failures, broken.metrics_error, broken.metrics_failing_since) == (
        0,
        "",
        None,
    )
