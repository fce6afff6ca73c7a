"""Connecting: instance addresses, app registration and the OAuth code flow."""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from roost.networks.base import Account, Connection, Outcome, Result
from roost.networks.mastodon.client import TIMEOUT, InstanceUrlError, normalize_instance_url
from roost.networks.mastodon.oauth import oauth_finish, oauth_start
from roost.networks.mastodon.tests.replay import Replay, form, session
from roost.networks.mastodon.tests.support import (
    ACCOUNT_ID,
    CLIENT_ID,
    CLIENT_SECRET,
    INSTANCE,
    MASTODON_SOCIAL_LIMITS,
    REDIRECT,
    TOKEN,
)

REFUSED = (
    "Roost does not send requests to private or local addresses (%s). "
    "The server's operator can allow it in ROOST_ALLOW_PRIVATE_HOSTS."
)
CODE = "qDFUEaYrRK5c-HNmTCJbAzazwLRInJ7VHFat0wcMgCU"
STATE = "k3Jm0qXo0v3Kc2M4b9yWc1v7n8Qe6rT5uY2iO0pLa1s"


def state_config(instance_url: str = INSTANCE) -> dict[str, Any]:
    return {
        "instance_url": instance_url,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "state": STATE,
        "redirect_uri": REDIRECT,
        "scope": "read write",
    }


@pytest.mark.parametrize(
    ("typed", "url"),
    [
        ("mastodon.social", "https://mastodon.social"),
        ("https://mastodon.social/", "https://mastodon.social"),
        ("  Mastodon.Social  ", "https://mastodon.social"),
        ("@roost_demo@mastodon.social", "https://mastodon.social"),
        ("https://mastodon.social/@roost_demo/117689116288614401", "https://mastodon.social"),
        ("social.example.org:8443", "https://social.example.org:8443"),
        ("https://social.example.org:443/", "https://social.example.org"),
        ("mastodon.social.", "https://mastodon.social"),
        ("bücher.example", "https://xn--bcher-kva.example"),
    ],
)
def test_instance_addresses_are_normalised(typed: str, url: str) -> None:
    assert normalize_instance_url(typed) == url


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the address of your Mastodon server."),
        ("http://mastodon.social", "Roost connects to Mastodon servers over https:// only."),
        ("ftp://mastodon.social", "Roost connects to Mastodon servers over https:// only."),
        (
            "https://me:secret@mastodon.social",
            "Leave the user name and password out of the server address.",
        ),
        ("not a server", "“not a server” is not a web address."),
        ("mastodon", "“mastodon” is not a web address."),
        ("https://mastodon.social:99999", "“https://mastodon.social:99999” is not a web address."),
        ("localhost:3000", REFUSED % "localhost is a local name"),
        ("https://127.0.0.1", REFUSED % "127.0.0.1 is a loopback address"),
        ("127.1", REFUSED % "127.1 means 127.0.0.1, a loopback address"),
        ("0x7f.1", REFUSED % "0x7f.1 means 127.0.0.1, a loopback address"),
        ("0177.0.0.1", REFUSED % "0177.0.0.1 means 127.0.0.1, a loopback address"),
        ("2130706433", "“2130706433” is not a web address."),
        ("10.0.0.7", REFUSED % "10.0.0.7 is a private address"),
        ("https://[::1]/", REFUSED % "::1 is a loopback address"),
        ("[::ffff:127.0.0.1]", REFUSED % "::ffff:127.0.0.1 is a loopback address"),
        ("169.254.169.254", REFUSED % "169.254.169.254 is a link-local address"),
        ("mastodon.internal", REFUSED % "mastodon.internal is a local name"),
    ],
)
def test_unusable_addresses_are_explained(typed: str, message: str) -> None:
    with pytest.raises(InstanceUrlError) as error:
        normalize_instance_url(typed)
    assert str(error.value) == message


def test_a_name_that_resolves_to_a_private_address_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def getaddrinfo(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        assert host == "127.0.0.1.nip.io"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    with pytest.raises(InstanceUrlError) as error:
        normalize_instance_url("127.0.0.1.nip.io")
    assert (
        str(error.value) == REFUSED % "127.0.0.1.nip.io resolves to 127.0.0.1, a loopback address"
    )


def test_an_allow_listed_local_server_may_use_plain_http(settings: Any) -> None:
    settings.ROOST_ALLOW_PRIVATE_HOSTS = ["127.0.0.1:3000", "social.lan", "10.0.0.0/8"]
    assert normalize_instance_url("http://127.0.0.1:3000/") == "http://127.0.0.1:3000"
    assert normalize_instance_url("127.0.0.1:3000") == "https://127.0.0.1:3000"
    assert normalize_instance_url("http://social.lan") == "http://social.lan"
    assert normalize_instance_url("http://10.1.2.3") == "http://10.1.2.3"
    with pytest.raises(InstanceUrlError) as error:
        normalize_instance_url("http://127.0.0.1:3001")  # another port
    assert str(error.value) == REFUSED % "127.0.0.1 is a loopback address"


def test_start_registers_an_app_and_builds_the_authorize_address(
    recorded: Callable[..., Replay],
) -> None:
    replay = recorded("apps_create", "oauth_server_info")
    url, config = oauth_start(
        instance_url="mastodon.social", redirect_uri=REDIRECT, session=session(replay)
    )

    register, info = replay.sent
    assert (register.method, register.url) == ("POST", f"{INSTANCE}/api/v1/apps")
    assert form(register) == {
        "client_name": ["Roost"],
        "scopes": ["read write"],
        "redirect_uris": [REDIRECT],
    }
    assert "Authorization" not in register.headers
    assert (info.method, info.url) == (
        "GET",
        f"{INSTANCE}/.well-known/oauth-authorization-server",
    )
    assert replay.timeouts == [TIMEOUT, TIMEOUT]

    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == (
        "https",
        "mastodon.social",
        "/oauth/authorize",
    )
    state = config["state"]
    assert parse_qs(parts.query) == {
        "client_id": [CLIENT_ID],
        "response_type": ["code"],
        "redirect_uri": [REDIRECT],
        "scope": ["read write"],
        "state": [state],
    }
    assert len(state) >= 43
    assert config == {
        "instance_url": INSTANCE,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "state": state,
        "redirect_uri": REDIRECT,
        "scope": "read write",
    }


def test_each_start_has_its_own_state(recorded: Callable[..., Replay]) -> None:
    replay = recorded("oauth_server_info", "oauth_server_info")
    states = {
        oauth_start(
            INSTANCE,
            REDIRECT,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            session=session(replay),
        )[1]["state"]
        for _ in range(2)
    }
    assert len(states) == 2


def test_a_cached_app_is_not_registered_again(recorded: Callable[..., Replay]) -> None:
    replay = recorded("oauth_server_info_old_example")
    url, config = oauth_start(
        "old.example.net",
        REDIRECT,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        force_login=True,
        session=session(replay),
    )
    # No /api/v1/apps; an old server without OAuth metadata gets the default endpoint.
    assert [r.url for r in replay.sent] == [
        "https://old.example.net/.well-known/oauth-authorization-server"
    ]
    assert url.startswith("https://old.example.net/oauth/authorize?")
    assert parse_qs(urlsplit(url).query)["force_login"] == ["true"]
    assert config["client_id"] == CLIENT_ID


def test_start_with_a_bad_address_sends_nothing(recorded: Callable[..., Replay]) -> None:
    replay = recorded()
    assert oauth_start("http://mastodon.social", REDIRECT, session=session(replay)) == (
        "",
        {"outcome": "rejected", "reason": "Roost connects to Mastodon servers over https:// only."},
    )


@pytest.mark.parametrize(
    ("typed", "exchange", "outcome", "reason"),
    [
        (
            "mastodon.socail",
            "apps_create_unreachable",
            "retryable",
            "Could not reach mastodon.socail. Check the address and try again.",
        ),
        (
            "www.example.com",
            "apps_create_not_mastodon",
            "rejected",
            "www.example.com did not answer the way a Mastodon server does. Check the address.",
        ),
        (
            "mastodon.social",
            "apps_create_422",
            "rejected",
            "Mastodon (mastodon.social) refused to register Roost: "
            "Validation failed: Redirect URI must be an absolute URI.",
        ),
        (
            "mastodon.social",
            "apps_create_429",
            "rate_limited",
            "Mastodon (mastodon.social) asked Roost to slow down; try again later.",
        ),
    ],
)
def test_start_failures_are_explained(
    recorded: Callable[..., Replay], typed: str, exchange: str, outcome: str, reason: str
) -> None:
    replay = recorded(exchange)
    assert oauth_start(typed, REDIRECT, session=session(replay)) == (
        "",
        {"outcome": outcome, "reason": reason},
    )


def test_finish_exchanges_the_code_and_reads_account_and_limits(
    recorded: Callable[..., Replay],
) -> None:
    replay = recorded(
        "oauth_server_info", "oauth_token", "verify_credentials", "instance_v2_mastodon_social"
    )
    connection = oauth_finish(
        state_config=state_config(),
        code=CODE,
        redirect_uri=REDIRECT,
        state=STATE,
        session=session(replay),
    )

    assert connection == Connection(
        result=Result(Outcome.OK),
        account=Account(
            remote_id=ACCOUNT_ID,
            handle="@roost_demo@mastodon.social",
            display_name="Roost Demo",
            url="https://mastodon.social/@roost_demo",
        ),
        config={
            "instance_url": INSTANCE,
            "domain": "mastodon.social",
            "limits": MASTODON_SOCIAL_LIMITS,
        },
        credentials={"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "access_token": TOKEN},
    )
    _info, token, verify, instance = replay.sent
    assert (token.method, token.url) == ("POST", f"{INSTANCE}/oauth/token")
    fields = form(token)
    # Mastodon.py 2.3.3 builds the form from log_in()'s locals, so the server metadata it
    # just read goes along as "oauth_info" (its keys). Servers ignore it; nothing secret.
    assert {"issuer", "token_endpoint"} <= set(fields.pop("oauth_info"))
    assert fields == {
        "code": [CODE],
        "redirect_uri": [REDIRECT],
        "grant_type": ["authorization_code"],
        "client_id": [CLIENT_ID],
        "client_secret": [CLIENT_SECRET],
        "scope": ["read write"],
    }
    assert verify.url == f"{INSTANCE}/api/v1/accounts/verify_credentials"
    assert verify.headers["Authorization"] == f"Bearer {TOKEN}"
    assert instance.url == f"{INSTANCE}/api/v2/instance/"
    assert set(replay.timeouts) == {TIMEOUT}


def test_finish_uses_the_account_domain_and_the_instances_limits(
    recorded: Callable[..., Replay],
) -> None:
    replay = recorded(
        "oauth_server_info_social_example",
        "oauth_token_social_example",
        "verify_credentials_social_example",
        "instance_v2_social_example",
    )
    connection = oauth_finish(
        state_config("https://social.example.org"), CODE, REDIRECT, session=session(replay)
    )
    assert connection.account == Account(
        remote_id="109302012345678901",
        handle="@alice@example.org",  # the server lives at social.example.org
        display_name="Alice",
        url="https://social.example.org/@alice",
    )
    assert connection.config == {
        "instance_url": "https://social.example.org",
        "domain": "example.org",
        "limits": {
            "max_characters": 1000,
            "max_media_attachments": 6,
            "image_size_limit": 10485760,
            "supported_mime_types": ["image/jpeg", "image/png", "image/webp"],
            "characters_reserved_per_url": 23,
            "description_limit": 2000,
        },
    }


def test_finish_on_a_server_before_mastodon_4_reads_v1_instance(
    recorded: Callable[..., Replay],
) -> None:
    replay = recorded(
        "oauth_server_info_old_example",
        "oauth_token_old_example",
        "verify_credentials_old_example",
        "instance_v1_old_example",
    )
    connection = oauth_finish(
        state_config("https://old.example.net"), CODE, REDIRECT, session=session(replay)
    )
    assert connection.result == Result(Outcome.OK)
    assert connection.account is not None
    assert (connection.account.handle, connection.account.display_name) == (
        "@bob@old.example.net",
        "bob",
    )
    assert connection.config["limits"]["max_characters"] == 800
    assert connection.config["limits"]["image_size_limit"] == 10485760
    assert "description_limit" in connection.config["limits"]  # the default, 1500


def test_finish_connects_even_when_limits_cannot_be_read(
    recorded: Callable[..., Replay],
) -> None:
    replay = recorded("oauth_server_info", "oauth_token", "verify_credentials", "instance_v2_503")
    connection = oauth_finish(state_config(), CODE, REDIRECT, session=session(replay))
    assert connection.result == Result(Outcome.OK)
    # No "limits": the connector reads them from the instance when it first needs them.
    assert connection.config == {"instance_url": INSTANCE, "domain": "mastodon.social"}


def test_finish_with_a_used_code(recorded: Callable[..., Replay]) -> None:
    replay = recorded("oauth_server_info", "oauth_token_invalid_grant")
    connection = oauth_finish(state_config(), CODE, REDIRECT, session=session(replay))
    assert connection == Connection(
        Result(
            Outcome.REJECTED,
            reason="Mastodon (mastodon.social) did not accept the sign-in (invalid_grant: The "
            "provided authorization grant is invalid, expired, revoked, does not match the "
            "redirection URI used in the authorization request, or was issued to another "
            "client.). Start connecting again.",
        )
    )


def test_finish_when_the_server_does_not_answer(recorded: Callable[..., Replay]) -> None:
    replay = recorded("oauth_server_info", "oauth_token_timeout")
    connection = oauth_finish(state_config(), CODE, REDIRECT, session=session(replay))
    assert connection == Connection(
        Result(Outcome.RETRYABLE, reason="Mastodon (mastodon.social) did not answer in time.")
    )


def test_finish_refuses_an_answer_for_another_attempt(recorded: Callable[..., Replay]) -> None:
    replay = recorded()
    connection = oauth_finish(
        state_config(), CODE, REDIRECT, state="forged", session=session(replay)
    )
    assert connection == Connection(
        Result(
            Outcome.REJECTED,
            reason="The answer from Mastodon does not belong to this connection attempt. "
            "Start connecting again.",
        )
    )


def test_an_instance_that_resolves_to_loopback_on_connect_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The first lookup (the address check) answers a public address, the next (Mastodon.py
    registering the app) 127.0.0.1: the guarded session refuses before connecting."""
    answers = ["93.184.215.14", "127.0.0.1"]

    def getaddrinfo(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        assert host == "rebind.example"
        address = answers.pop(0)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    url, failure = oauth_start(instance_url="rebind.example", redirect_uri=REDIRECT)
    assert (url, answers) == ("", [])
    assert failure == {
        "outcome": "rejected",
        "reason": REFUSED % "rebind.example resolves to 127.0.0.1, a loopback address",
    }
