"""publish(): the requests Mastodon.py sends, and the Result for every outcome."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from mastodon import Mastodon

from roost.networks.base import Media, Outcome, Part, Published, PublishRequest, Result
from roost.networks.mastodon.client import TIMEOUT
from roost.networks.mastodon.tests.replay import Replay, form, multipart
from roost.networks.mastodon.tests.support import (
    INSTANCE,
    M1,
    M2,
    S0,
    S1,
    S2,
    TOKEN,
    Sleeps,
    connector,
)

STATUSES = f"{INSTANCE}/api/v1/statuses"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64
SINGLE = PublishRequest(
    idempotency_key="delivery-7",
    parts=(
        Part(
            "We launched! Read more: https://roost.example.com/blog/launch\n\n"
            "Thanks @bob@fosstodon.org for testing #roost",
            (Media(PNG, "image/png", alt_text="A wooden bird house on a pole at dusk"),),
        ),
    ),
)
THREAD = PublishRequest(
    idempotency_key="delivery-8",
    parts=(
        Part("A thread about roosts (1/3)"),
        Part(
            "Posts per week, in a chart (2/3)",
            (Media(PNG, "image/png", alt_text="Chart: posts per week", filename="chart.png"),),
        ),
        Part("That's all (3/3)"),
    ),
    options={"visibility": "unlisted", "spoiler_text": "Birds", "language": "pl"},
)
THREAD_PUBLISHED = Published(
    remote_id=S0, url=f"https://mastodon.social/@roost_demo/{S0}", part_ids=(S0, S1, S2)
)


def text_only(text: str = "Hello from Roost") -> PublishRequest:
    return PublishRequest(idempotency_key="delivery-9", parts=(Part(text),))


def test_one_post_with_an_image(recorded: Callable[..., Replay]) -> None:
    replay = recorded("media_post", "statuses_post_single")
    result = connector(replay).publish(SINGLE)

    assert result == Result(
        Outcome.OK,
        published=Published(
            remote_id=S0, url=f"https://mastodon.social/@roost_demo/{S0}", part_ids=(S0,)
        ),
    )
    upload, post = replay.sent
    assert (upload.method, upload.url) == ("POST", f"{INSTANCE}/api/v2/media")
    assert upload.headers["Authorization"] == f"Bearer {TOKEN}"
    assert multipart(upload) == {
        "description": (None, "text/plain", b"A wooden bird house on a pole at dusk"),
        "file": ("image.png", "image/png", PNG),
    }
    assert (post.method, post.url) == ("POST", STATUSES)
    assert post.headers["Authorization"] == f"Bearer {TOKEN}"
    assert post.headers["Idempotency-Key"] == "delivery-7:0"
    assert form(post) == {
        "status": [SINGLE.parts[0].text],
        "media_ids[]": [M1],
        "sensitive": ["0"],
        "visibility": ["public"],
    }
    assert replay.timeouts == [TIMEOUT, TIMEOUT]


def test_a_thread_replies_part_by_part_with_a_key_per_part(
    recorded: Callable[..., Replay],
) -> None:
    replay = recorded("statuses_post_thread:0", "media_post_processing", "statuses_post_thread:1-2")
    sleeps = Sleeps()
    result = connector(replay, sleeps=sleeps).publish(THREAD)

    assert result == Result(Outcome.OK, published=THREAD_PUBLISHED)
    assert [(r.method, r.url) for r in replay.sent] == [
        ("POST", STATUSES),
        ("POST", f"{INSTANCE}/api/v2/media"),
        ("GET", f"{INSTANCE}/api/v1/media/{M2}"),
        ("GET", f"{INSTANCE}/api/v1/media/{M2}"),
        ("POST", STATUSES),
        ("POST", STATUSES),
    ]
    first, upload, _poll, _ready, second, third = replay.sent
    common = {
        "sensitive": ["0"],
        "visibility": ["unlisted"],
        "spoiler_text": ["Birds"],
        "language": ["pl"],
    }
    assert form(first) == {"status": ["A thread about roosts (1/3)"], **common}
    assert form(second) == {
        "status": ["Posts per week, in a chart (2/3)"],
        "in_reply_to_id": [S0],
        "media_ids[]": [M2],
        **common,
    }
    assert form(third) == {"status": ["That's all (3/3)"], "in_reply_to_id": [S1], **common}
    assert [r.headers["Idempotency-Key"] for r in (first, second, third)] == [
        "delivery-8:0",
        "delivery-8:1",
        "delivery-8:2",
    ]
    assert multipart(upload)["description"] == (None, "text/plain", b"Chart: posts per week")
    assert multipart(upload)["file"] == ("chart.png", "image/png", PNG)
    # The upload was still processing: Roost waited, then went on.
    assert sleeps == [1.0, 1.0]


def test_an_upload_that_never_finishes_processing_is_retried_later(
    recorded: Callable[..., Replay],
) -> None:
    replay = recorded("media_post_stuck")
    sleeps = Sleeps()
    request = PublishRequest("delivery-10", (Part("", (Media(PNG, "image/png"),)),))
    result = connector(replay, sleeps=sleeps).publish(request)

    assert result == Result(
        Outcome.RETRYABLE,
        retry_after=60.0,
        reason="Mastodon (mastodon.social) is still processing an image.",
    )
    assert sleeps == [1.0, 1.0, 2.0, 2.0, 4.0, 4.0, 8.0, 8.0]
    assert STATUSES not in [r.url for r in replay.sent]
    # No alt text: no description field at all.
    assert "description" not in multipart(replay.sent[0])


def test_refused_content_is_rejected_with_the_servers_words(
    recorded: Callable[..., Replay],
) -> None:
    result = connector(recorded("statuses_post_422")).publish(text_only("x" * 501))
    assert result == Result(
        Outcome.REJECTED,
        reason="Mastodon (mastodon.social) refused the request: "
        "Validation failed: Text character limit of 500 exceeded (HTTP 422).",
    )


def test_rate_limited_waits_until_the_limit_resets(recorded: Callable[..., Replay]) -> None:
    result = connector(recorded("statuses_post_429")).publish(text_only())
    # X-RateLimit-Reset 15:32:30.123456 against the server's Date 15:30:00.
    assert result == Result(
        Outcome.RATE_LIMITED,
        retry_after=150.123456,
        reason="Mastodon (mastodon.social) asked Roost to slow down for this account; "
        "wait about 150 seconds.",
    )


def test_rate_limited_by_a_proxy_uses_retry_after(recorded: Callable[..., Replay]) -> None:
    result = connector(recorded("statuses_post_429_retry_after")).publish(text_only())
    assert result.outcome is Outcome.RATE_LIMITED
    assert result.retry_after == 120.0


def test_a_revoked_token_needs_a_reconnect(recorded: Callable[..., Replay]) -> None:
    result = connector(recorded("statuses_post_401")).publish(text_only())
    assert result == Result(
        Outcome.UNAUTHORIZED,
        reason="Mastodon (mastodon.social) no longer accepts Roost's access to this account "
        "(The access token is invalid). Reconnect the channel.",
    )


def test_a_token_without_the_scope_needs_a_reconnect(recorded: Callable[..., Replay]) -> None:
    result = connector(recorded("statuses_post_403_scope")).publish(text_only())
    assert result.outcome is Outcome.UNAUTHORIZED
    assert "This action is outside the authorized scopes" in result.reason


def test_server_trouble_is_retryable(recorded: Callable[..., Replay]) -> None:
    assert connector(recorded("statuses_post_503")).publish(text_only()) == Result(
        Outcome.RETRYABLE,
        reason="Mastodon (mastodon.social) had a temporary problem (HTTP 503).",
    )
    assert connector(recorded("statuses_post_502_html")).publish(text_only()) == Result(
        Outcome.RETRYABLE,
        reason="Mastodon (mastodon.social) had a temporary problem (HTTP 502).",
    )


def test_a_timeout_is_retryable(recorded: Callable[..., Replay]) -> None:
    assert connector(recorded("statuses_post_timeout")).publish(text_only()) == Result(
        Outcome.RETRYABLE, reason="Mastodon (mastodon.social) did not answer in time."
    )


def test_a_thread_that_fails_midway_names_the_part_and_what_landed(
    recorded: Callable[..., Replay],
) -> None:
    replay = recorded("statuses_post_first_only", "statuses_post_503")
    request = PublishRequest("delivery-8", (Part("A thread about roosts (1/3)"), Part("Two")))
    result = connector(replay).publish(request)

    assert result == Result(
        Outcome.RETRYABLE,
        published=Published(S0, f"https://mastodon.social/@roost_demo/{S0}", (S0,)),
        reason="Part 2 of 2: Mastodon (mastodon.social) had a temporary problem (HTTP 503).",
    )
    assert form(replay.sent[1])["in_reply_to_id"] == [S0]


def test_sending_again_reuses_the_keys_so_mastodon_returns_the_same_statuses(
    recorded: Callable[..., Replay],
) -> None:
    # The first try timed out on part 2 after part 1 landed. The retry sends the same keys
    # and Mastodon answers key ":0" with the status it already made: the same id, no double.
    first = recorded("statuses_post_thread:0", "media_post_processing", "statuses_post_timeout")
    assert connector(first).publish(THREAD) == Result(
        Outcome.RETRYABLE,
        published=Published(S0, f"https://mastodon.social/@roost_demo/{S0}", (S0,)),
        reason="Part 2 of 3: Mastodon (mastodon.social) did not answer in time.",
    )
    again = recorded("statuses_post_thread:0", "media_post_processing", "statuses_post_thread:1-2")
    assert connector(again).publish(THREAD) == Result(Outcome.OK, published=THREAD_PUBLISHED)
    keys = [r.headers.get("Idempotency-Key") for r in first.sent + again.sent if r.url == STATUSES]
    assert keys == ["delivery-8:0", "delivery-8:1", "delivery-8:0", "delivery-8:1", "delivery-8:2"]


def test_an_unknown_visibility_is_rejected_before_sending(
    recorded: Callable[..., Replay],
) -> None:
    request = PublishRequest("delivery-11", (Part("hi"),), options={"visibility": "friends"})
    assert connector(recorded()).publish(request) == Result(
        Outcome.REJECTED, reason="Mastodon has no visibility “friends”."
    )


def test_nothing_to_publish_is_rejected(recorded: Callable[..., Replay]) -> None:
    assert connector(recorded()).publish(PublishRequest("delivery-12", ())).outcome is (
        Outcome.REJECTED
    )


def test_a_surprise_inside_the_sdk_does_not_escape(
    recorded: Callable[..., Replay], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("id")

    monkeypatch.setattr(Mastodon, "status_post", broken)
    # Whether it landed is unknown: retry (the idempotency key prevents a double).
    assert connector(recorded()).publish(text_only()) == Result(
        Outcome.RETRYABLE,
        reason="Something unexpected happened talking to Mastodon (mastodon.social): KeyError",
    )
