"""Replaying recorded XRPC exchanges through the SDK's real HTTP layer (httpx, mocked by respx)."""

from __future__ import annotations

import base64
import json
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
import respx

from roost.networks.bluesky.connector import BlueskyConnector

EXCHANGES = Path(__file__).parent / "exchanges"
NOW = 1795780800.0  # 2026-11-27T12:00:00Z, the clock every recorded exchange assumes
SERVICE = "https://bsky.social"
PDS = "https://puffball.us-east.host.bsky.network"
DID = "did:plc:r7kq3vmz4xhw2npl6tj5sd2c"
HANDLE = "roost-test.bsky.social"
APP_PASSWORD = "k3xq-7pzm-w2rv-h4dn"
KEY = "delivery-0b7e4c1d-post-42-channel-7"


def recorded(name: str) -> dict[str, Any]:
    """The recorded file `name` (its description and exchanges)."""
    data: dict[str, Any] = json.loads((EXCHANGES / f"{name}.json").read_text())
    return data


STORED = recorded("stored_sessions")


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing may leave the machine: a socket connect fails the test."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("A Bluesky unit test tried to open a network connection.")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)


@dataclass
class Replay:
    """Answers requests from one recorded file, in order, checking each request exactly."""

    name: str
    exchanges: list[dict[str, Any]]
    position: int = 0
    requests: list[httpx.Request] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        """The respx side effect: check the request, then answer (or fail) as recorded."""
        self.requests.append(request)
        assert self.position < len(self.exchanges), (
            f"{self.name}: unexpected request {request.method} {request.url}"
        )
        exchange = self.exchanges[self.position]
        self.position += 1
        where = f"{self.name} exchange {self.position}"
        expected = exchange["request"]
        url = request.url
        assert request.method == expected["method"], where
        assert f"{url.scheme}://{url.netloc.decode()}{url.path}" == expected["url"], where
        params = [list(pair) for pair in parse_qsl(url.query.decode(), keep_blank_values=True)]
        assert params == expected.get("params", []), where
        for name, value in expected.get("headers", {}).items():
            assert request.headers.get(name) == value, f"{where}: header {name}"
        if "json" in expected:
            assert json.loads(request.content) == expected["json"], where
        if "body_base64" in expected:
            assert request.content == base64.b64decode(expected["body_base64"]), where
        if "error" in exchange:
            raise getattr(httpx, exchange["error"])("recorded failure", request=request)
        response = exchange["response"]
        content = json.dumps(response["json"]).encode() if "json" in response else b""
        return httpx.Response(response["status"], headers=response["headers"], content=content)

    def assert_done(self) -> None:
        """Every recorded exchange was asked for."""
        assert self.position == len(self.exchanges), (
            f"{self.name}: {len(self.exchanges) - self.position} recorded exchange(s) not used"
        )


@pytest.fixture
def replay() -> Iterator[Callable[[str], Replay]]:
    """replay("publish_single") routes every httpx request to that file's exchanges."""
    replays: list[Replay] = []
    with respx.mock(assert_all_mocked=True, assert_all_called=False) as router:

        def load(name: str) -> Replay:
            current = Replay(name, recorded(name)["exchanges"])
            replays.append(current)
            router.route().mock(side_effect=current)
            return current

        yield load
    for current in replays:
        current.assert_done()


def make_connector(session: str = "valid", service_url: str = SERVICE) -> BlueskyConnector:
    """A connector for the test account with a stored session and the recorded clock."""
    return BlueskyConnector(
        {"service_url": service_url},
        {"handle": HANDLE, "app_password": APP_PASSWORD, "session": STORED[session]},
        clock=lambda: NOW,
    )
