"""verify(), delete(), fetch_metrics(), credentials() and the registry entry."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from roost.networks import registry
from roost.networks.base import (
    Account,
    Audience,
    Connector,
    Metrics,
    MetricsConnector,
    Outcome,
    Result,
)
from roost.networks.mastodon.connector import MastodonConnector
from roost.networks.mastodon.oauth import oauth_finish, oauth_start
from roost.networks.mastodon.tests.replay import Replay, session
from roost.networks.mastodon.tests.support import (
    ACCOUNT_ID,
    CONFIG,
    CREDENTIALS,
    INSTANCE,
    S0,
    S1,
    S2,
    TOKEN,
    connector,
)

ACCOUNT = Account(
    remote_id=ACCOUNT_ID,
    handle="@roost_demo@mastodon.social",
    display_name="Roost Demo",
    url="https://mastodon.social/@roost_demo",
)


def test_verify_returns_the_account(recorded: Callable[..., Replay]) -> None:
    replay = recorded("verify_credentials")
    assert connector(replay).verify() == (Result(Outcome.OK), ACCOUNT)
    assert replay.sent[0].headers["Authorization"] == f"Bearer {TOKEN}"


def test_verify_with_a_revoked_token(recorded: Callable[..., Replay]) -> None:
    assert connector(recorded("verify_credentials_401")).verify() == (
        Result(
            Outcome.UNAUTHORIZED,
            reason="Mastodon (mastodon.social) no longer accepts Roost's access to this "
            "account (The access token is invalid). Reconnect the channel.",
        ),
        None,
    )


def test_verify_with_a_disabled_login(recorded: Callable[..., Replay]) -> None:
    result, account = connector(recorded("verify_credentials_403_disabled")).verify()
    assert (result.outcome, account) == (Outcome.UNAUTHORIZED, None)
    assert "(Your login is currently disabled)" in result.reason


def test_delete(recorded: Callable[..., Replay]) -> None:
    replay = recorded("status_delete")
    assert connector(replay).delete(S0) == Result(Outcome.OK)
    assert [(r.method, r.url) for r in replay.sent] == [
        ("DELETE", f"{INSTANCE}/api/v1/statuses/{S0}")
    ]


def test_deleting_what_is_already_gone_is_done(recorded: Callable[..., Replay]) -> None:
    assert connector(recorded("status_delete_404")).delete(S0) == Result(Outcome.OK)


def test_deleting_too_often_is_rate_limited(recorded: Callable[..., Replay]) -> None:
    assert connector(recorded("status_delete_429")).delete(S0) == Result(
        Outcome.RATE_LIMITED,
        retry_after=900.0,
        reason="Mastodon (mastodon.social) asked Roost to slow down for this account; "
        "wait about 900 seconds.",
    )


def test_metrics_skip_deleted_statuses(recorded: Callable[..., Replay]) -> None:
    replay = recorded("status_metrics")
    assert connector(replay).fetch_metrics([S0, S1, S2]) == (
        Result(Outcome.OK),
        {
            S0: Metrics(likes=42, reposts=7, replies=3, quotes=1),
            # A server before Mastodon 4.5 has no quotes_count: not available, never 0.
            # Mastodon reports no bookmarks, impressions, reach, clicks or video views.
            S2: Metrics(likes=5, reposts=0, replies=1, quotes=None),
        },
    )
    assert [r.url for r in replay.sent] == [
        f"{INSTANCE}/api/v1/statuses/{S0}",
        f"{INSTANCE}/api/v1/statuses/{S1}",
        f"{INSTANCE}/api/v1/statuses/{S2}",
    ]


def test_metrics_with_a_revoked_token(recorded: Callable[..., Replay]) -> None:
    result, metrics = connector(recorded("status_metrics_401")).fetch_metrics([S0, S1])
    assert (result.outcome, metrics) == (Outcome.UNAUTHORIZED, {})


def test_audience_from_the_account(recorded: Callable[..., Replay]) -> None:
    replay = recorded("verify_credentials")
    mastodon = connector(replay)
    assert isinstance(mastodon, MetricsConnector)
    assert mastodon.fetch_audience() == (
        Result(Outcome.OK),
        Audience(followers=128, following=64, posts=311),
    )
    assert [r.url for r in replay.sent] == [f"{INSTANCE}/api/v1/accounts/verify_credentials"]


def test_audience_with_a_revoked_token(recorded: Callable[..., Replay]) -> None:
    result, audience = connector(recorded("verify_credentials_401")).fetch_audience()
    assert (result.outcome, audience) == (Outcome.UNAUTHORIZED, None)


def test_credentials_are_returned_as_given(recorded: Callable[..., Replay]) -> None:
    mastodon = connector(recorded())
    assert mastodon.credentials() == CREDENTIALS
    assert mastodon.credentials() is not mastodon.credentials()


def test_registered_with_oauth_hooks() -> None:
    network = registry.get("mastodon")
    assert (network.key, network.label, network.sandbox) == ("mastodon", "Mastodon", False)
    assert network.oauth_start is oauth_start
    assert network.oauth_finish is oauth_finish
    assert network.connect is None
    assert [(f.name, f.kind) for f in network.connect_fields] == [("instance_url", "url")]
    built = registry.connector_for("mastodon", CONFIG, CREDENTIALS)
    assert isinstance(built, MastodonConnector)
    assert isinstance(built, Connector)
    assert built.network == "mastodon"


def test_a_token_naming_a_file_is_sent_as_is_never_read(
    recorded: Callable[..., Replay], tmp_path: Path
) -> None:
    # Given to Mastodon.py's constructor, a token that names an existing file would be
    # replaced by the file's first line and sent to the server.
    secret = tmp_path / "settings.env"
    secret.write_text("SECRET_KEY=do-not-leak\n")
    replay = recorded("verify_credentials_401")
    credentials = {**CREDENTIALS, "access_token": str(secret), "client_id": str(secret)}
    MastodonConnector(CONFIG, credentials, session=session(replay)).verify()
    assert replay.sent[0].headers["Authorization"] == f"Bearer {secret}"


def test_a_refused_instance_address_means_reconnect_never_a_retry() -> None:
    # No session given: the connector's own, guarded one (the socket is never reached).
    connector = MastodonConnector({"instance_url": "https://10.0.0.7"}, CREDENTIALS)
    result, account = connector.verify()
    assert account is None
    assert result == Result(
        Outcome.UNAUTHORIZED,
        reason="Roost will not connect to Mastodon (10.0.0.7): Roost does not send requests "
        "to private or local addresses (10.0.0.7 is a private address). The server's "
        "operator can allow it in ROOST_ALLOW_PRIVATE_HOSTS.",
    )
