"""The Sandbox registers itself, and connecting creates an account on the running server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from pytest_django.fixtures import Settings

from roost.networks import registry
from roost.networks.base import Account, Connection, Connector, Outcome, Result
from roost.networks.sandbox.connector import SandboxConnector, connect, default_base_url
from roost.networks.sandbox.testing import SandboxHandle


def test_registered_as_a_sandbox_network() -> None:
    network = registry.get("sandbox")
    assert (network.key, network.label, network.sandbox) == ("sandbox", "Sandbox", True)
    assert [(f.name, str(f.label), f.kind) for f in network.connect_fields] == [
        ("name", "Account name", "text")
    ]
    connector = registry.connector_for("sandbox", {"base_url": "http://x:1/"}, {"token": "t"})
    assert isinstance(connector, SandboxConnector) and isinstance(connector, Connector)
    assert (connector.network, connector.base_url) == ("sandbox", "http://x:1")
    assert connector.credentials() == {"token": "t"}


def test_default_base_url(settings: Settings) -> None:
    assert default_base_url() == "http://127.0.0.1:8025"
    settings.ROOST_SANDBOX_URL = "http://sandbox.internal:9000"
    assert default_base_url() == "http://sandbox.internal:9000"
    assert SandboxConnector({}, {"token": "t"}).base_url == "http://sandbox.internal:9000"


def test_connect_creates_an_account(sandbox: SandboxHandle) -> None:
    connect_hook = registry.get("sandbox").connect
    assert connect_hook is not None

    connection = connect_hook(name="  Demo Coffee ", base_url=sandbox.url)

    assert connection.result == Result(Outcome.OK)
    assert connection.account == Account(
        remote_id="1",
        handle="demo-coffee.sandbox",
        display_name="Demo Coffee",
        url=f"{sandbox.url}/@demo-coffee.sandbox",
    )
    assert connection.config == {"base_url": sandbox.url}
    token = connection.credentials["token"]
    assert token.startswith("sbx_")
    connector = registry.connector_for("sandbox", connection.config, connection.credentials)
    assert connector.verify() == (Result(Outcome.OK), connection.account)


def test_connect_without_a_name_or_a_server(settings: Settings) -> None:
    assert connect(name=" ") == Connection(
        Result(Outcome.REJECTED, reason="Give the Sandbox account a name.")
    )
    assert connect(name="Demo", base_url="http://127.0.0.1:1") == Connection(
        Result(
            Outcome.REJECTED,
            reason="Roost does not send requests to private or local addresses (127.0.0.1 is "
            "a loopback address). The server's operator can allow it in "
            "ROOST_ALLOW_PRIVATE_HOSTS.",
        )
    )
    settings.ROOST_SANDBOX_URL = "http://127.0.0.1:1"  # its own address: allowed, not running
    assert connect(name="Demo", base_url="http://127.0.0.1:1") == Connection(
        Result(
            Outcome.RETRYABLE,
            reason="Roost could not reach the Sandbox at http://127.0.0.1:1. "
            "Start it with “roost sandbox” and try again.",
        )
    )


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], ("127.0.0.1", 8025, str(Path(django_settings.BASE_DIR) / "var" / "sandbox.sqlite3"))),
        (
            ["--host", "0.0.0.0", "--port", "9000", "--db", "/tmp/s.db"],
            ("0.0.0.0", 9000, "/tmp/s.db"),
        ),
        (["--memory"], ("127.0.0.1", 8025, None)),
    ],
)
def test_management_command(
    monkeypatch: pytest.MonkeyPatch, argv: list[str], expected: tuple[Any, ...]
) -> None:
    from roost.networks.management.commands import sandbox as command

    calls: list[tuple[Any, ...]] = []
    monkeypatch.setattr(command, "run", lambda *args: calls.append(args))
    call_command(command.Command(), *argv)
    assert calls == [expected]
