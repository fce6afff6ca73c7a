"""Fixtures for publishing: a real local Sandbox server and channels connected to it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from roost.channels.models import Channel
from roost.channels.services import connect_with_form
from roost.conftest import World
from roost.core import clock, health
from roost.networks.sandbox.testing import SandboxHandle, running_sandbox
from roost.publishing.models import Delivery, DeliveryStatus
from roost.publishing.publisher import Publisher


@pytest.fixture
def sandbox(settings: Any) -> Iterator[SandboxHandle]:
    with running_sandbox() as handle:
        settings.ROOST_SANDBOX_URL = handle.url
        yield handle


@pytest.fixture
def channels(world: World, sandbox: SandboxHandle) -> list[Channel]:
    manager = world.members["social_media_manager"]
    return [
        connect_with_form(actor=manager, network="sandbox", fields={"name": name})
        for name in ("Coffee Sandbox", "Tea Sandbox")
    ]


def drain(worker_id: str = "test-worker", rounds: int = 200) -> Publisher:
    """Run the publisher in this thread until nothing is due or in flight."""
    health.beat(worker_id, "*", clock.now())
    publisher = Publisher(worker_id)
    try:
        for _ in range(rounds):
            busy = publisher.step()
            due = Delivery.objects.filter(
                status=DeliveryStatus.SCHEDULED, next_attempt_at__lte=clock.now()
            ).exists()
            if not busy and not due and not publisher.inflight:
                break
    finally:
        publisher.drain()
    return publisher
