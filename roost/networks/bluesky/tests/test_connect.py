"""Connecting a Bluesky account, and the network's registration."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from roost.core.outbound import OutboundRefused
from roost.networks import registry
from roost.networks.base import Account, Connection, Connector, Outcome, Result
from roost.networks.bluesky import DEFAULT_SERVICE_URL, client
from roost.networks.bluesky.connector import BlueskyConnector, connect
from roost.networks.bluesky.tests.conftest import (
    APP_PASSWORD,
    DID,
    HANDLE,
    NOW,
    PDS,
    STORED,
    Replay,
)

Replayer = Callable[[str], Replay]


def test_connect_logs_in_and_says_what_to_store(replay: Replayer) -> None:
    replay("connect_ok")
    network = registry.get("bluesky")
    assert network.connect is not None

    connection = network.connect(
        service_url="https://bsky.social", handle=f" @{HANDLE} ", app_password=APP_PASSWORD
    )

    assert connection == Connection(
        Result(Outcome.OK),
        account=Account(DID, HANDLE, "Kawiarnia Zażółć ☕", f"https://bsky.app/profile/{HANDLE}"),
        config={"service_url": "https://bsky.social"},
        credentials={
            "handle": HANDLE,
            "app_password": APP_PASSWORD,
            "session": STORED["refreshed"],
        },
    )
    # The stored session names the PDS from the DID document, not the entryway.
    assert STORED["refreshed"].endswith(f":::{PDS}")


def test_connect_with_a_wrong_app_password(replay: Replayer) -> None:
    replay("connect_bad_password")
    connection = connect(
        service_url="https://bsky.social/", handle=HANDLE, app_password=APP_PASSWORD
    )
    assert connection == Connection(
        Result(
            Outcome.UNAUTHORIZED,
            reason="Bluesky did not accept this handle and app password (Invalid identifier or "
            "password (AuthenticationRequired, HTTP 401)).",
        )
    )


def test_connect_a_suspended_account(replay: Replayer) -> None:
    replay("connect_takedown")
    connection = connect(handle=HANDLE, app_password=APP_PASSWORD)
    assert connection.result == Result(
        Outcome.UNAUTHORIZED,
        reason="Bluesky did not accept this handle and app password (Account has been taken "
        "down (AccountTakedown, HTTP 401)).",
    )
    assert connection.account is None and not connection.credentials


def test_connect_to_a_local_development_network(replay: Replayer, settings: Any) -> None:
    settings.ROOST_ALLOW_PRIVATE_HOSTS = ["localhost:2583"]  # as e2e/run sets it
    replay("dev_network_connect")

    connection = connect(
        service_url="http://localhost:2583",
        handle="alice.test",
        app_password="dev-app-password",
        clock=lambda: NOW,
    )

    assert connection.result == Result(Outcome.OK)
    assert connection.account == Account(
        "did:plc:aliceq7hzmbdvu5w3hkf2ngx",
        "alice.test",
        "Alice",
        "https://bsky.app/profile/alice.test",
    )
    assert connection.config == {"service_url": "http://localhost:2583"}
    assert connection.credentials["session"].endswith(":::http://localhost:2583")


def test_connect_needs_a_server_address(replay: Replayer) -> None:
    replay("none")
    assert connect(service_url="https:// bsky", handle=HANDLE, app_password="x").result == Result(
        Outcome.REJECTED,
        reason="Enter the address of the Bluesky server (PDS), such as https://bsky.social.",
    )


def test_connect_needs_handle_and_password(replay: Replayer) -> None:
    replay("none")
    assert connect(handle="  ", app_password=APP_PASSWORD).result == Result(
        Outcome.REJECTED,
        reason="Enter the Bluesky handle and an app password created for Roost.",
    )
    assert connect(handle=HANDLE, app_password=" ").result.outcome is Outcome.REJECTED


def test_a_local_network_needs_the_allow_list(replay: Replayer) -> None:
    replay("none")  # nothing is sent
    for service_url, problem in (
        ("http://localhost:2583", "localhost is a local name"),
        ("https://127.0.0.1:2583", "127.0.0.1 is a loopback address"),
        ("https://0x7f.1:2583", "0x7f.1 means 127.0.0.1, a loopback address"),
        ("https://[::ffff:10.0.0.5]", "::ffff:10.0.0.5 is a private address"),
    ):
        connection = connect(service_url=service_url, handle=HANDLE, app_password=APP_PASSWORD)
        assert connection.result == Result(
            Outcome.REJECTED,
            reason="Roost does not send requests to private or local addresses "
            f"({problem}). The server's operator can allow it in ROOST_ALLOW_PRIVATE_HOSTS.",
        )
    connection = connect(
        service_url="http://pds.example.com", handle=HANDLE, app_password=APP_PASSWORD
    )
    assert connection.result == Result(
        Outcome.REJECTED,
        reason="Use an https:// address. Plain http:// is allowed only for hosts the server's "
        "operator allows in ROOST_ALLOW_PRIVATE_HOSTS.",
    )


def test_a_did_document_naming_a_private_pds_is_refused(replay: Replayer) -> None:
    """Login succeeds at bsky.social, whose answer sends the SDK to a PDS at 10.0.0.5."""
    replay("did_document_private_pds")
    connection = connect(handle=HANDLE, app_password=APP_PASSWORD, clock=lambda: NOW)
    assert connection.result == Result(
        Outcome.REJECTED,
        reason="Roost does not send requests to private or local addresses (10.0.0.5 is a "
        "private address). The server's operator can allow it in ROOST_ALLOW_PRIVATE_HOSTS.",
    )
    assert connection.account is None and not connection.credentials


def test_service_url_is_normalized(settings: Any) -> None:
    assert client.normalize_service_url("") == "https://bsky.social"
    with pytest.raises(OutboundRefused):
        client.normalize_service_url("http://localhost:2583/")
    settings.ROOST_ALLOW_PRIVATE_HOSTS = ["localhost:2583"]
    assert client.normalize_service_url("http://localhost:2583/") == "http://localhost:2583"
    assert client.normalize_service_url("pds.example.com/xrpc") == "https://pds.example.com"
    assert DEFAULT_SERVICE_URL == client.DEFAULT_SERVICE_URL


def test_registered_with_a_connect_form(replay: Replayer) -> None:
    replay("none")
    network = registry.get("bluesky")

    assert (network.key, network.label, network.sandbox) == ("bluesky", "Bluesky", False)
    assert [(f.name, f.kind, f.default) for f in network.connect_fields] == [
        ("service_url", "url", "https://bsky.social"),
        ("handle", "text", ""),
        ("app_password", "password", ""),
    ]
    assert [str(f.label) for f in network.connect_fields] == [
        "Service URL",
        "Handle",
        "App password",
    ]
    built = registry.connector_for(
        "bluesky", {"service_url": "http://localhost:2583"}, {"handle": HANDLE}
    )
    assert isinstance(built, BlueskyConnector) and isinstance(built, Connector)
    assert built.network == "bluesky"
    assert network.connect is not None


def test_every_sdk_request_goes_through_the_guard() -> None:
    """The SDK's HTTP layer, and the copies it makes of it, use the guarded transport."""
    from roost.core.outbound import GuardedTransport

    bluesky = client.BlueskyClient(service_url="", handle=HANDLE, app_password=APP_PASSWORD)
    for request in (bluesky.sdk.request, bluesky.sdk.request.clone()):
        assert isinstance(request, client.GuardedRequest)
        assert isinstance(request._client._transport, GuardedTransport)
        assert request._client._trust_env is False
