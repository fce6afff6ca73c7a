"""The publisher against the real local Sandbox: every outcome path, exactly once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from django.core import mail

from roost.channels.models import Channel, ChannelStatus
from roost.channels.services import connect_with_oauth
from roost.conftest import World
from roost.core import clock, health
from roost.networks.base import Account, Connection, Outcome, Result
from roost.networks.sandbox.testing import SandboxHandle
from roost.notifications.models import Notification
from roost.publishing.models import Delivery, DeliveryStatus, Post, PostStatus, PostVariant
from roost.publishing.services.compose import PostInput, post_compose
from roost.publishing.services.delivery import claim_due, recover_stale
from roost.publishing.tests.conftest import drain


def publish_now(world: World, channels: list[Channel], **kwargs: Any) -> Post:
    data = PostInput(
        text=kwargs.pop("text", "Fresh beans today"), channel_ids=[c.pk for c in channels], **kwargs
    )
    return post_compose(actor=world.members["social_media_manager"], data=data, mode="now")


def counts(sandbox: SandboxHandle) -> dict[str, int]:
    return sandbox.stats()["by_key"]


def test_publishes_each_variant_once_with_links(
    world: World, channels: list[Channel], sandbox: SandboxHandle
) -> None:
    _coffee, tea = channels
    post = publish_now(world, channels, variants={tea.pk: "Tea lovers: fresh leaves today"})
    drain()
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED
    deliveries = {d.channel_id: d for d in post.deliveries.all()}
    for d in deliveries.values():
        assert d.status == DeliveryStatus.PUBLISHED
        assert d.remote_url.startswith(sandbox.url + "/posts/")
        assert d.attempts == 1 and not d.in_doubt
    by_key = counts(sandbox)
    assert by_key == {f"{d.idempotency_key}:0": 1 for d in deliveries.values()}
    texts = {
        httpx.get(f"{sandbox.url}/api/posts/{d.remote_id}").json()["text"]
        for d in deliveries.values()
    }
    assert texts == {"Fresh beans today", "Tea lovers: fresh leaves today"}


def test_a_first_try_costs_one_request_and_a_retry_looks_first(
    world: World, channels: list[Channel], sandbox: SandboxHandle
) -> None:
    lookups = "GET /api/posts"
    sandbox.control(reset=True, fail_5xx_rate=1.0)
    post = publish_now(world, channels[:1])
    drain()
    d = post.deliveries.get()
    requests = sandbox.stats()["server"]["requests"]
    # The first try is not a retry: it publishes straight away, without a lookup.
    assert requests.get("POST /api/posts") == 1 and lookups not in requests
    assert d.status == DeliveryStatus.SCHEDULED and d.earlier_try_at is not None
    sandbox.control(reset=True, fail_5xx_rate=0.0)
    Delivery.objects.filter(pk=d.pk).update(next_attempt_at=clock.now())
    drain()
    requests = sandbox.stats()["server"]["requests"]
    # The retry asks what landed first (the 503 may have hidden a post), then publishes.
    assert requests.get(lookups, 0) >= 1 and requests.get("POST /api/posts") == 1
    d.refresh_from_db()
    assert d.status == DeliveryStatus.PUBLISHED


def test_server_errors_retry_with_backoff_then_publish(
    world: World, channels: list[Channel], sandbox: SandboxHandle
) -> None:
    sandbox.control(fail_5xx_rate=1.0)
    post = publish_now(world, channels[:1])
    drain()
    d = post.deliveries.get()
    assert d.status == DeliveryStatus.SCHEDULED and d.in_doubt and d.attempts == 1
    wait = (d.next_attempt_at - clock.now()).total_seconds()
    assert 1.0 <= wait <= 5.0  # first backoff: 2.5 to 5 s with jitter
    sandbox.control(fail_5xx_rate=0.0)
    Delivery.objects.filter(pk=d.pk).update(next_attempt_at=clock.now())
    drain()
    d.refresh_from_db()
    assert d.status == DeliveryStatus.PUBLISHED and d.attempts == 2
    assert counts(sandbox) == {f"{d.idempotency_key}:0": 1}


def test_lost_response_is_found_not_resent(
    world: World, channels: list[Channel], sandbox: SandboxHandle
) -> None:
    sandbox.control(fail_after_commit_rate=1.0)
    post = publish_now(world, channels[:1])
    drain()
    d = post.deliveries.get()
    assert d.status == DeliveryStatus.SCHEDULED and d.in_doubt
    sandbox.control(fail_after_commit_rate=0.0)
    Delivery.objects.filter(pk=d.pk).update(next_attempt_at=clock.now())
    drain()
    d.refresh_from_db()
    assert d.status == DeliveryStatus.PUBLISHED
    assert counts(sandbox) == {f"{d.idempotency_key}:0": 1}  # found, not sent twice


def test_rate_limit_waits_as_told(
    world: World, channels: list[Channel], sandbox: SandboxHandle
) -> None:
    sandbox.control(rate_limit_rate=1.0, retry_after=120)
    post = publish_now(world, channels[:1])
    before = clock.now()
    drain()
    d = post.deliveries.get()
    channel = Channel.objects.get(pk=channels[0].pk)
    assert d.status == DeliveryStatus.SCHEDULED and d.attempts == 0
    assert timedelta(seconds=119) <= d.next_attempt_at - before <= timedelta(seconds=125)
    assert channel.rate_limited_until == d.next_attempt_at
    assert counts(sandbox) == {}


def test_revoked_credentials_wait_for_reconnect_then_resume(
    world: World,
    channels: list[Channel],
    sandbox: SandboxHandle,
    django_capture_on_commit_callbacks: Any,
) -> None:
    channel = channels[0]
    token = channel.credentials["token"]
    sandbox.control(revoke=token)
    post = publish_now(world, [channel])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        drain()
        drain()  # a second round must not notify again
    d = post.deliveries.get()
    channel.refresh_from_db()
    assert d.status == DeliveryStatus.WAITING_RECONNECT
    assert channel.status == ChannelStatus.NEEDS_RECONNECT
    notified = Notification.objects.filter(kind="channel.needs_reconnect")
    # Owner, Admin and Social Media Manager connect channels: each told once.
    assert sorted(n.recipient.email for n in notified) == [
        "admin@alpha.test",
        "owner@alpha.test",
        "social_media_manager@alpha.test",
    ]
    assert len(mail.outbox) == 3
    # Reconnect with working credentials: the waiting delivery resumes and publishes.
    sandbox.control(unauthorized_tokens=[])
    connection = Connection(
        Result(Outcome.OK),
        Account(remote_id=channel.remote_id, handle=channel.handle),
        config=channel.config,
        credentials={"token": token},
    )
    connect_with_oauth(actor=world.members["owner"], network="sandbox", connection=connection)
    drain()
    d.refresh_from_db()
    assert d.status == DeliveryStatus.PUBLISHED
    assert Channel.objects.filter(workspace=world.a, network="sandbox").count() == 3  # no duplicate


def test_rejected_post_fails_with_the_reason_and_tells_the_author(
    world: World, channels: list[Channel], sandbox: SandboxHandle
) -> None:
    post = publish_now(world, channels[:1])
    # Slip past validation (as if the network's limits changed): the network refuses.
    PostVariant.objects.create(post=post, channel=channels[0], text="x" * 5000)
    drain()
    d = post.deliveries.get()
    post.refresh_from_db()
    assert d.status == DeliveryStatus.FAILED and "Sandbox" in d.error
    assert post.status == PostStatus.FAILED
    note = Notification.objects.get(kind="post.failed")
    assert note.recipient == world.members["social_media_manager"].user
    assert channels[0].name in note.text


def test_crashed_worker_delivery_is_checked_before_resending(
    world: World, channels: list[Channel], sandbox: SandboxHandle
) -> None:
    publish_now(world, channels[:1])
    # A worker that then died claims it; its call landed but nothing was recorded.
    health.beat("dead-worker", "*", clock.now())
    [d] = claim_due(worker_id="dead-worker", limit=10)
    from roost.channels.services import channel_connector
    from roost.publishing.content import delivery_request

    with channel_connector(d.channel) as connector:
        assert connector.publish(delivery_request(d)).ok
    from roost.core.models import WorkerHeartbeat

    WorkerHeartbeat.objects.filter(worker_id="dead-worker").update(
        last_seen=clock.now() - timedelta(minutes=5)
    )
    Delivery.objects.filter(pk=d.pk).update(claimed_at=clock.now() - timedelta(minutes=5))
    assert recover_stale() == 1
    drain()
    d.refresh_from_db()
    assert d.status == DeliveryStatus.PUBLISHED
    assert counts(sandbox) == {f"{d.idempotency_key}:0": 1}


def test_claims_are_exclusive(
    world: World, channels: list[Channel], sandbox: SandboxHandle
) -> None:
    for i in range(6):
        publish_now(world, channels, text=f"Post {i}")
    first = claim_due(worker_id="w1", limit=7)
    second = claim_due(worker_id="w2", limit=100)
    assert len(first) == 7 and len(second) == 5
    assert not {d.pk for d in first} & {d.pk for d in second}
