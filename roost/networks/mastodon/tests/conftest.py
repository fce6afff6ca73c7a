"""Mastodon connector tests: no sockets, and every recorded exchange checked at the end."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from roost.networks.mastodon.tests.replay import Replay, load


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any real connection attempt fails loudly."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise OSError("the network is blocked in unit tests")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


@pytest.fixture
def recorded() -> Iterator[Callable[..., Replay]]:
    """recorded("a", "b") replays exchanges/a.json then b.json; checked after the test."""
    replays: list[Replay] = []

    def make(*names: str) -> Replay:
        replay = Replay(*(exchange for name in names for exchange in load(name)))
        replays.append(replay)
        return replay

    yield make
    for replay in replays:
        replay.check()
