"""The connector against recorded XRPC exchanges: exact requests out, exact Results back."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from roost.networks.base import (
    Account,
    Audience,
    Connector,
    Media,
    Metrics,
    MetricsConnector,
    Outcome,
    Part,
    Published,
    PublishRequest,
    Result,
)
from roost.networks.bluesky.connector import BlueskyConnector
from roost.networks.bluesky.tests.conftest import (
    APP_PASSWORD,
    DID,
    HANDLE,
    KEY,
    NOW,
    STORED,
    Replay,
    make_connector,
    recorded,
)
from roost.networks.bluesky.tid import part_rkey

Replayer = Callable[[str], Replay]
R0, R1, R2 = (part_rkey(KEY, i) for i in range(3))
PNG = base64.b64decode(STORED["image_png_base64"])
RETRY = datetime(2026, 11, 27, 11, 55, tzinfo=UTC)


def uri(rkey: str) -> str:
    return f"at://{DID}/app.bsky.feed.post/{rkey}"


def url(rkey: str) -> str:
    return f"https://bsky.app/profile/{HANDLE}/post/{rkey}"


def request(*texts: str, retry: bool = False, **options: str) -> PublishRequest:
    return PublishRequest(
        idempotency_key=KEY,
        parts=tuple(Part(text) for text in texts),
        options=options,
        first_attempt_at=RETRY if retry else None,
    )


def test_is_a_connector() -> None:
    assert isinstance(make_connector(), Connector)


def test_record_keys_are_the_ones_recorded() -> None:
    assert (R0, R1, R2) == ("44kp55ktloiti", "2wjpvjasvclus", "54uwwo3yyazsp")


# The SDK hands uploadBlob's bytes to httpx as `data=`, which httpx 0.28 deprecates.
@pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")
def test_publish_single_post_with_facets_and_image(replay: Replayer) -> None:
    exchanges = replay("publish_single")
    image = Media(
        PNG, "image/png", alt_text="Filiżanka kawy na marmurowym stole", width=1200, height=800
    )
    text = STORED["publish_single_text"]
    req = PublishRequest(KEY, (Part(text, (image,)),), options={"language": "pl"})

    result = make_connector().publish(req)

    assert result == Result(Outcome.OK, published=Published(uri(R0), url(R0), (uri(R0),)))
    record = json.loads(exchanges.requests[-1].content)["record"]
    # Byte offsets after an 18-byte ZWJ family, an 8-byte flag and Polish diacritics;
    # @nikt.bsky.social did not resolve, so it is plain text.
    assert [
        (f["index"]["byteStart"], f["index"]["byteEnd"], f["features"][0]) for f in record["facets"]
    ] == [
        (54, 59, {"$type": "app.bsky.richtext.facet#tag", "tag": "kawa"}),
        (
            62,
            84,
            {"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:k4wiarniaq2mz7hbx5tcl3yo"},
        ),
        (
            106,
            145,
            {
                "$type": "app.bsky.richtext.facet#link",
                "uri": "https://kawiarnia.example/menu?dzień=1",
            },
        ),
    ]
    assert text.encode()[54:59] == b"#kawa"
    assert text.encode()[106:145].decode() == "https://kawiarnia.example/menu?dzień=1"
    assert record["embed"]["images"][0]["aspectRatio"] == {
        "$type": "app.bsky.embed.defs#aspectRatio",
        "width": 1200,
        "height": 800,
    }


def test_publish_thread_replies_to_root_and_parent(replay: Replayer) -> None:
    exchanges = replay("publish_thread")
    req = request(
        "Nowa karta jesienna ☕ (1/3)",
        "Piernikowe latte wraca (2/3)",
        "I szarlotka na ciepło (3/3)",
    )

    result = make_connector().publish(req)

    assert result == Result(
        Outcome.OK, published=Published(uri(R0), url(R0), (uri(R0), uri(R1), uri(R2)))
    )
    last = json.loads(exchanges.requests[-1].content)
    assert last["rkey"] == R2
    assert last["record"]["reply"]["root"]["uri"] == uri(R0)
    assert last["record"]["reply"]["parent"]["uri"] == uri(R1)


def test_publish_retry_reuses_the_part_that_landed(replay: Replayer) -> None:
    exchanges = replay("publish_resume")
    image = Media(PNG, "image/png", alt_text="Filiżanka kawy na marmurowym stole")
    req = PublishRequest(
        KEY,
        (Part("Zażółć gęślą jaźń #kawa", (image,)), Part("Piernikowe latte wraca (2/2)")),
        first_attempt_at=RETRY,
    )

    result = make_connector().publish(req)

    assert result == Result(Outcome.OK, published=Published(uri(R0), url(R0), (uri(R0), uri(R1))))
    assert not any(r.url.path.endswith("uploadBlob") for r in exchanges.requests)


def test_publish_treats_duplicate_record_as_published(replay: Replayer) -> None:
    replay("publish_duplicate_500")
    result = make_connector().publish(request("Otwieramy o 7:00!"))
    assert result == Result(Outcome.OK, published=Published(uri(R0), url(R0), (uri(R0),)))


def test_publish_timeout_that_landed_is_published(replay: Replayer) -> None:
    replay("publish_timeout_landed")
    result = make_connector().publish(request("Otwieramy o 7:00!"))
    assert result == Result(Outcome.OK, published=Published(uri(R0), url(R0), (uri(R0),)))


def test_publish_server_error_is_retryable(replay: Replayer) -> None:
    replay("publish_500")
    result = make_connector().publish(request("Otwieramy o 7:00!"))
    assert result == Result(
        Outcome.RETRYABLE,
        reason="Bluesky could not be reached or failed (Upstream Failure (UpstreamFailure, "
        "HTTP 502)); try again later.",
    )


def test_publish_rate_limited_until_reset(replay: Replayer) -> None:
    replay("publish_rate_limited")
    result = make_connector().publish(request("Otwieramy o 7:00!"))
    assert result == Result(
        Outcome.RATE_LIMITED,
        retry_after=300.0,
        reason="Bluesky's rate limit was reached (Rate Limit Exceeded (RateLimitExceeded, "
        "HTTP 429)); try again in 300 seconds.",
    )


def test_publish_refreshes_an_expired_session(replay: Replayer) -> None:
    replay("publish_expired_token")
    connector = make_connector()

    result = connector.publish(request("Otwieramy o 7:00!"))

    assert result == Result(Outcome.OK, published=Published(uri(R0), url(R0), (uri(R0),)))
    assert connector.credentials()["session"] == STORED["refreshed"]


def test_publish_logs_in_again_when_refresh_is_refused(replay: Replayer) -> None:
    replay("publish_relogin")
    connector = make_connector()

    result = connector.publish(request("Otwieramy o 7:00!"))

    assert result.outcome is Outcome.OK
    assert connector.credentials() == {
        "handle": HANDLE,
        "app_password": "k3xq-7pzm-w2rv-h4dn",
        "session": STORED["refreshed"],
    }


def test_publish_unauthorized_when_app_password_is_revoked(replay: Replayer) -> None:
    replay("publish_unauthorized")
    result = make_connector().publish(request("Otwieramy o 7:00!"))
    assert result == Result(
        Outcome.UNAUTHORIZED,
        reason="Bluesky did not accept this account's login (Invalid identifier or password "
        "(AuthenticationRequired, HTTP 401)); reconnect the channel with a new app password.",
    )


def test_publish_concurrent_writes_are_retryable(replay: Replayer) -> None:
    replay("publish_concurrent_writes")
    result = make_connector().publish(request("Otwieramy o 7:00!"))
    assert result == Result(
        Outcome.RETRYABLE,
        reason="Bluesky could not be reached or failed (too many concurrent writes "
        "(ConcurrentWrites, HTTP 400)); try again later.",
    )


def test_publish_rejected_names_bluesky_and_the_server_message(replay: Replayer) -> None:
    replay("publish_rejected")
    result = make_connector().publish(request("Otwieramy o 7:00!", language="polish-poland"))
    assert result == Result(
        Outcome.REJECTED,
        reason="Bluesky refused this: Invalid app.bsky.feed.post record: Record/langs/0 must "
        "be a valid language code (InvalidRequest, HTTP 400).",
    )


def test_publish_invalid_request_sends_nothing(replay: Replayer) -> None:
    replay("none")
    result = make_connector().publish(request("x" * 301))
    assert result == Result(
        Outcome.REJECTED, reason="Bluesky allows 300 characters per post; this post has 301."
    )


def test_find_existing_all_parts(replay: Replayer) -> None:
    replay("find_existing_all")
    result = make_connector().find_existing(request("1/2", "2/2"))
    assert result == Result(Outcome.OK, published=Published(uri(R0), url(R0), (uri(R0), uri(R1))))


def test_find_existing_none(replay: Replayer) -> None:
    replay("find_existing_none")
    assert make_connector().find_existing(request("1/2", "2/2")) == Result(Outcome.OK)


def test_find_existing_partial_thread_is_not_published(replay: Replayer) -> None:
    replay("find_existing_partial")
    assert make_connector().find_existing(request("1/2", "2/2")) == Result(Outcome.OK)


def test_find_existing_server_error_cannot_tell(replay: Replayer) -> None:
    replay("find_existing_500")
    assert make_connector().find_existing(request("1/2")) == Result(
        Outcome.RETRYABLE,
        reason="Bluesky could not be reached or failed (Internal Server Error "
        "(InternalServerError, HTTP 500)); try again later.",
    )


def test_find_existing_offline_cannot_tell(replay: Replayer) -> None:
    replay("find_existing_offline")
    assert make_connector().find_existing(request("1/2")) == Result(
        Outcome.RETRYABLE,
        reason="Bluesky could not be reached or failed (the connection failed: ConnectError); "
        "try again later.",
    )


def test_delete(replay: Replayer) -> None:
    replay("delete")
    assert make_connector().delete(uri(R0)) == Result(Outcome.OK)


def test_delete_refuses_other_accounts_posts_without_a_request(replay: Replayer) -> None:
    replay("none")
    connector = make_connector()
    other = "at://did:plc:k4wiarniaq2mz7hbx5tcl3yo/app.bsky.feed.post/3m2abcdefgh2k"
    assert connector.delete(other) == Result(
        Outcome.REJECTED,
        reason="This Bluesky post belongs to another account (did:plc:k4wiarniaq2mz7hbx5tcl3yo).",
    )
    assert connector.delete("https://bsky.app/profile/x/post/y").outcome is Outcome.REJECTED


def test_fetch_metrics_in_batches_of_25(replay: Replayer) -> None:
    replay("metrics")
    all_uris = [
        value
        for exchange in recorded("metrics")["exchanges"]
        for _name, value in exchange["request"]["params"]
    ]

    result, metrics = make_connector().fetch_metrics(all_uris)

    assert result == Result(Outcome.OK)
    assert len(metrics) == 26 and all_uris[3] not in metrics  # deleted on Bluesky
    zero = Metrics(likes=0, reposts=0, replies=0, quotes=0, bookmarks=0)
    assert metrics[all_uris[0]] == zero
    assert metrics[all_uris[7]] == Metrics(likes=70, reposts=7, replies=1, quotes=1, bookmarks=0)
    assert metrics[all_uris[26]] == Metrics(likes=260, reposts=26, replies=2, quotes=5, bookmarks=0)


def test_fetch_metrics_bookmarks_and_counts_not_available(replay: Replayer) -> None:
    replay("metrics_counts")
    first, second = (
        value for _name, value in recorded("metrics_counts")["exchanges"][0]["request"]["params"]
    )

    result, metrics = make_connector().fetch_metrics([first, second])

    assert result == Result(Outcome.OK)
    assert metrics == {
        first: Metrics(likes=12, reposts=3, replies=1, quotes=2, bookmarks=4),
        # Left out by the AppView: not available (None), never 0. Bluesky reports no
        # impressions, reach, clicks or video views at all.
        second: Metrics(likes=5, reposts=0, replies=0, quotes=None, bookmarks=None),
    }
    assert metrics[second].values()["impressions"] is None


def test_fetch_audience(replay: Replayer) -> None:
    replay("verify")  # the same getProfile of the account itself
    connector = make_connector()
    assert isinstance(connector, MetricsConnector)
    assert connector.fetch_audience() == (
        Result(Outcome.OK),
        Audience(followers=1284, following=311, posts=2205),
    )


def test_fetch_audience_rate_limited(replay: Replayer) -> None:
    replay("verify_rate_limited")
    result, audience = make_connector().fetch_audience()
    assert (result.outcome, result.retry_after, audience) == (Outcome.RATE_LIMITED, 30.0, None)


def test_fetch_metrics_unavailable(replay: Replayer) -> None:
    replay("metrics_500")
    [(_name, first)] = recorded("metrics_500")["exchanges"][0]["request"]["params"]
    result, metrics = make_connector().fetch_metrics([first])
    assert (result, metrics) == (
        Result(
            Outcome.RETRYABLE,
            retry_after=20.0,
            reason="Bluesky could not be reached or failed (Service Unavailable "
            "(InternalServerError, HTTP 503)); try again later.",
        ),
        {},
    )


def test_verify(replay: Replayer) -> None:
    replay("verify")
    assert make_connector().verify() == (
        Result(Outcome.OK),
        Account(DID, HANDLE, "Kawiarnia Zażółć ☕", f"https://bsky.app/profile/{HANDLE}"),
    )


def test_verify_rate_limited_with_retry_after(replay: Replayer) -> None:
    replay("verify_rate_limited")
    assert make_connector().verify() == (
        Result(
            Outcome.RATE_LIMITED,
            retry_after=30.0,
            reason="Bluesky's rate limit was reached (Rate Limit Exceeded (RateLimitExceeded, "
            "HTTP 429)); try again in 30 seconds.",
        ),
        None,
    )


def test_expired_access_token_is_refreshed_before_the_call(replay: Replayer) -> None:
    replay("verify_proactive_refresh")
    connector = make_connector(session="access_expired")

    result, account = connector.verify()

    assert result == Result(Outcome.OK)
    assert account is not None and account.remote_id == DID
    assert connector.credentials()["session"] == STORED["refreshed"]


def test_refused_refresh_falls_back_to_one_fresh_login(replay: Replayer) -> None:
    replay("verify_relogin")
    connector = make_connector(session="access_expired")

    result, _account = connector.verify()

    assert result == Result(Outcome.OK)
    assert connector.credentials()["session"] == STORED["refreshed"]


def test_unreadable_stored_session_logs_in_afresh(replay: Replayer) -> None:
    replay("connect_ok")  # createSession at the entryway, then getProfile
    connector = BlueskyConnector(
        {}, {"handle": HANDLE, "app_password": APP_PASSWORD, "session": "not-a-session"}
    )
    assert connector.verify()[0] == Result(Outcome.OK)
    assert connector.credentials()["session"] == STORED["refreshed"]


def test_no_stored_login_is_unauthorized(replay: Replayer) -> None:
    replay("none")
    assert BlueskyConnector({}, {}).verify() == (
        Result(
            Outcome.UNAUTHORIZED,
            reason="Bluesky did not accept this account's login (no usable login is stored); "
            "reconnect the channel with a new app password.",
        ),
        None,
    )


def test_a_broken_server_address_needs_reconnecting(replay: Replayer) -> None:
    replay("none")
    connector = BlueskyConnector(
        {"service_url": "https://[::1"}, {"handle": HANDLE, "app_password": APP_PASSWORD}
    )
    assert connector.verify() == (
        Result(
            Outcome.UNAUTHORIZED,
            reason="The Bluesky server address stored for this channel is not valid (Invalid "
            "port: ':1'); reconnect the channel.",
        ),
        None,
    )


def test_requests_have_explicit_timeouts() -> None:
    timeout = make_connector()._client.sdk.request._client.timeout
    assert (timeout.connect, timeout.read, timeout.write, timeout.pool) == (10.0, 30.0, 30.0, 30.0)


def test_credentials_unchanged_without_a_request() -> None:
    connector = make_connector()
    assert connector.credentials() == {
        "handle": HANDLE,
        "app_password": "k3xq-7pzm-w2rv-h4dn",
        "session": STORED["valid"],
    }


def test_a_stored_pds_at_a_private_address_means_reconnect(replay: Replayer) -> None:
    """The session names the PDS the SDK calls; one at 10.0.0.5 is refused before any
    connection, and a retry could not help."""
    replay("none")
    session = STORED["valid"].rsplit(":::", 1)[0] + ":::https://10.0.0.5"
    connector = BlueskyConnector(
        {"service_url": "https://bsky.social"},
        {"handle": HANDLE, "app_password": APP_PASSWORD, "session": session},
        clock=lambda: NOW,
    )
    assert connector.verify() == (
        Result(
            Outcome.UNAUTHORIZED,
            reason="Roost will not connect to this Bluesky server: Roost does not send "
            "requests to private or local addresses (10.0.0.5 is a private address). "
            "The server's operator can allow it in ROOST_ALLOW_PRIVATE_HOSTS.",
        ),
        None,
    )
