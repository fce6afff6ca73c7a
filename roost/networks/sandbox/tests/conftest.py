"""A real Sandbox server per test, an account on it and a connector for that account."""

from __future__ import annotations

import io
import random
from collections.abc import Iterator
from typing import Any

import pytest
from PIL import Image

from roost.networks.base import Part, PublishRequest
from roost.networks.sandbox.connector import SandboxConnector
from roost.networks.sandbox.testing import SandboxAccount, SandboxHandle, running_sandbox


@pytest.fixture
def sandbox(settings: Any) -> Iterator[SandboxHandle]:
    with running_sandbox() as handle:
        # The Sandbox's own address is on the outbound allow-list; nothing else local is.
        settings.ROOST_SANDBOX_URL = handle.url
        yield handle


@pytest.fixture
def account(sandbox: SandboxHandle) -> SandboxAccount:
    return sandbox.create_account("Demo Coffee")


@pytest.fixture
def connector(sandbox: SandboxHandle, account: SandboxAccount) -> SandboxConnector:
    return SandboxConnector({"base_url": sandbox.url}, {"token": account.token})


def request(key: str, *texts: str, **options: str) -> PublishRequest:
    return PublishRequest(idempotency_key=key, parts=tuple(Part(t) for t in texts), options=options)


def png(width: int = 2, height: int = 2) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 120, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


def seed_where(rate: float, hits: list[bool]) -> int:
    """A seed whose first rolls hit (< rate) exactly as `hits` says, one roll per publish.

    Mirrors the server: with one fault knob on, each publish draws one random() from a
    random.Random(seed), and the fault strikes when the draw is below the rate.
    """
    for seed in range(10_000):
        rng = random.Random(seed)
        if [rng.random() < rate for _ in hits] == hits:
            return seed
    raise AssertionError("no such seed")
