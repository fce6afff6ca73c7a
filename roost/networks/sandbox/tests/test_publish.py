"""Publishing to a real Sandbox server: single posts, threads, media, and every outcome."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import httpx

from roost.networks.base import Media, Outcome, Part, Published, PublishRequest, Result
from roost.networks.sandbox.connector import SandboxConnector
from roost.networks.sandbox.testing import SandboxAccount, SandboxHandle
from roost.testing import wait_until

from .conftest import png, request, seed_where

EARLIER = datetime(2026, 1, 1, tzinfo=UTC)


def test_publish_single_post(sandbox: SandboxHandle, connector: SandboxConnector) -> None:
    result = connector.publish(request("d-1", "Fresh beans today ☕", language="en"))

    assert result == Result(
        Outcome.OK, Published(remote_id="1", url=f"{sandbox.url}/posts/1", part_ids=("1",))
    )
    post = httpx.get(f"{sandbox.url}/api/posts/1").json()
    assert post["text"] == "Fresh beans today ☕"
    assert post["language"] == "en"
    assert post["reply_to"] is None
    assert post["idempotency_key"] == "d-1:0"
    assert post["account"] == {"id": "1", "handle": "demo-coffee.sandbox"}
    stats = sandbox.stats()
    assert (stats["publishes"], stats["by_key"], stats["duplicates"]) == (1, {"d-1:0": 1}, 0)


def test_thread_replies_to_the_part_before(
    sandbox: SandboxHandle, connector: SandboxConnector
) -> None:
    result = connector.publish(request("t", "one", "two", "three"))

    assert result.published == Published("1", f"{sandbox.url}/posts/1", ("1", "2", "3"))
    replies = [httpx.get(f"{sandbox.url}/api/posts/{i}").json()["reply_to"] for i in "123"]
    assert replies == [None, "1", "2"]
    assert sandbox.stats()["by_key"] == {"t:0": 1, "t:1": 1, "t:2": 1}


def test_media_with_alt_text(sandbox: SandboxHandle, connector: SandboxConnector) -> None:
    image = png()
    part = Part("Our new cup", (Media(image, "image/png", alt_text='A red <cup> & "saucer"'),))

    result = connector.publish(PublishRequest("m", (part,)))

    assert result.ok
    media = httpx.get(f"{sandbox.url}/api/posts/1").json()["media"]
    assert media == [
        {
            "alt": 'A red <cup> & "saucer"',
            "mime_type": "image/png",
            "url": f"{sandbox.url}/media/1/0",
        }
    ]
    served = httpx.get(media[0]["url"])
    assert (served.content, served.headers["content-type"]) == (image, "image/png")
    feed = httpx.get(sandbox.url + "/").text
    assert 'alt="A red &lt;cup&gt; &amp; &quot;saucer&quot;"' in feed


def test_503_is_retryable_and_nothing_lands(
    sandbox: SandboxHandle, connector: SandboxConnector
) -> None:
    sandbox.control(fail_5xx_rate=1.0)

    result = connector.publish(request("x", "hello"))

    assert result.outcome is Outcome.RETRYABLE
    assert result.published is None
    assert "Sandbox" in result.reason
    stats = sandbox.stats()
    assert (stats["publishes"], stats["faults"]["failed"]) == (0, 1)


def test_429_is_rate_limited_with_retry_after(
    sandbox: SandboxHandle, connector: SandboxConnector
) -> None:
    sandbox.control(rate_limit_rate=1.0, retry_after=7)

    result = connector.publish(request("x", "hello"))

    assert (result.outcome, result.retry_after) == (Outcome.RATE_LIMITED, 7.0)
    assert sandbox.stats()["publishes"] == 0


def test_revoked_token_is_unauthorized(
    sandbox: SandboxHandle, account: SandboxAccount, connector: SandboxConnector
) -> None:
    sandbox.control(revoke=account.token)

    published = connector.publish(request("x", "hello"))
    verified, who = connector.verify()

    assert published.outcome is Outcome.UNAUTHORIZED
    assert "reconnect" in published.reason
    assert (verified.outcome, who) == (Outcome.UNAUTHORIZED, None)
    assert sandbox.stats()["publishes"] == 0


def test_unauthorized_tokens_knob_and_unknown_token(sandbox: SandboxHandle) -> None:
    sandbox.control(unauthorized_tokens=["sbx_listed"])
    for token in ("sbx_listed", "sbx_never_issued", ""):
        connector = SandboxConnector({"base_url": sandbox.url}, {"token": token})
        assert connector.publish(request("x", "hi")).outcome is Outcome.UNAUTHORIZED


def test_server_refusal_is_rejected_with_its_message(
    sandbox: SandboxHandle, connector: SandboxConnector
) -> None:
    # Passes local validation (the type is allowed) but the server sniffs the bytes.
    part = Part("cup", (Media(b"not an image at all", "image/png"),))

    result = connector.publish(PublishRequest("bad", (part,)))

    assert result == Result(
        Outcome.REJECTED,
        reason="Sandbox refused the post: image 1: the data is not a valid image/png image.",
    )
    assert sandbox.stats()["publishes"] == 0


def test_invalid_request_is_rejected_before_any_call(
    sandbox: SandboxHandle, connector: SandboxConnector
) -> None:
    result = connector.publish(request("long", "ok", "x" * 512))

    assert result == Result(
        Outcome.REJECTED, reason="Sandbox allows 500 characters per post; part 2 has 512."
    )
    assert sandbox.stats()["publishes"] == 0


def test_timeout_is_retryable_and_the_late_post_is_found(
    sandbox: SandboxHandle, account: SandboxAccount
) -> None:
    slow = SandboxConnector({"base_url": sandbox.url, "timeout": 0.1}, {"token": account.token})
    patient = SandboxConnector({"base_url": sandbox.url}, {"token": account.token})
    sandbox.control(latency_ms=400)

    result = slow.publish(request("late", "hello"))

    assert result.outcome is Outcome.RETRYABLE
    assert "no answer in time" in result.reason
    # The server finishes the publish after the client gave up: a real lost response.
    sandbox.control(latency_ms=0)
    # The server is still in its 400 ms: wait until it has the post.
    wait_until(lambda: sandbox.stats()["publishes"] == 1, what="the late publish to land")
    found = patient.find_existing(request("late", "hello"))
    assert found.published == Published("1", f"{sandbox.url}/posts/1", ("1",))


def test_unreachable_network_is_retryable_for_every_method(settings: Any) -> None:
    settings.ROOST_ALLOW_PRIVATE_HOSTS = ["127.0.0.1:1"]  # allowed, but nothing listens there
    for base_url in ("http://127.0.0.1:1", "not a url"):
        connector = SandboxConnector({"base_url": base_url}, {"token": "sbx_x"})
        req = request("k", "hi")
        assert connector.publish(req).outcome is Outcome.RETRYABLE
        assert connector.find_existing(req).outcome is Outcome.RETRYABLE
        assert connector.delete("1").outcome is Outcome.RETRYABLE
        assert connector.verify()[0].outcome is Outcome.RETRYABLE
        assert connector.fetch_metrics(["1"])[0].outcome is Outcome.RETRYABLE


def test_a_refused_address_means_reconnect_for_every_method() -> None:
    """A Sandbox address that is neither ROOST_SANDBOX_URL nor allow-listed is never
    reached, and a retry could not help."""
    connector = SandboxConnector({"base_url": "http://127.0.0.1:1"}, {"token": "sbx_x"})
    req = request("k", "hi")
    reason = (
        "Roost will not connect to this Sandbox: Roost does not send requests to private or "
        "local addresses (127.0.0.1 is a loopback address). The server's operator can allow "
        "it in ROOST_ALLOW_PRIVATE_HOSTS."
    )
    refused = Result(Outcome.UNAUTHORIZED, reason=reason)
    assert connector.publish(req) == refused
    assert connector.find_existing(req) == refused
    assert connector.delete("1") == refused
    assert connector.verify() == (refused, None)
    assert connector.fetch_metrics(["1"]) == (refused, {})
    assert connector.fetch_inbox(None)[0] == refused
    assert asyncio.run(connector.publish_async(req)) == refused


def test_lost_response_then_find_existing_finds_it(
    sandbox: SandboxHandle, connector: SandboxConnector
) -> None:
    sandbox.control(fail_after_commit_rate=1.0)

    first = connector.publish(request("lost", "hello"))

    assert first.outcome is Outcome.RETRYABLE
    assert sandbox.stats()["by_key"] == {"lost:0": 1}
    sandbox.control(fail_after_commit_rate=0.0)
    found = connector.find_existing(request("lost", "hello"))
    assert found == Result(Outcome.OK, Published("1", f"{sandbox.url}/posts/1", ("1",)))
    # Even a caller that re-publishes anyway (a retry) gets the same post, not a second one.
    again = connector.publish(PublishRequest("lost", (Part("hello"),), first_attempt_at=EARLIER))
    assert again == found
    stats = sandbox.stats()
    assert (stats["publishes"], stats["by_key"], stats["duplicates"]) == (1, {"lost:0": 1}, 0)
    assert stats["faults"]["lost_responses"] == 1


def test_find_existing_before_anything_landed(connector: SandboxConnector) -> None:
    assert connector.find_existing(request("never", "a", "b")) == Result(Outcome.OK)


def test_thread_resumes_after_a_failed_part(
    sandbox: SandboxHandle, connector: SandboxConnector
) -> None:
    # Part 1 publishes, part 2 gets a 503 before it is recorded.
    sandbox.control(fail_5xx_rate=0.5, seed=seed_where(0.5, [False, True]))
    thread = request("th", "one", "two", "three")

    first = connector.publish(thread)

    assert first.outcome is Outcome.RETRYABLE
    assert sandbox.stats()["by_key"] == {"th:0": 1}
    sandbox.control(fail_5xx_rate=0.0)
    assert connector.find_existing(thread) == Result(Outcome.OK)  # partial: not all landed
    retry = PublishRequest("th", thread.parts, first_attempt_at=EARLIER)
    second = connector.publish(retry)
    assert second.published == Published("1", f"{sandbox.url}/posts/1", ("1", "2", "3"))
    replies = [httpx.get(f"{sandbox.url}/api/posts/{i}").json()["reply_to"] for i in "123"]
    assert replies == [None, "1", "2"]
    stats = sandbox.stats()
    assert stats["by_key"] == {"th:0": 1, "th:1": 1, "th:2": 1}
    assert stats["duplicates"] == 0
    assert connector.find_existing(thread) == second


def test_thread_resumes_after_a_lost_middle_part(
    sandbox: SandboxHandle, connector: SandboxConnector
) -> None:
    # Part 2 is recorded but its answer is lost; the retry must not post it again.
    sandbox.control(fail_after_commit_rate=0.5, seed=seed_where(0.5, [False, True]))
    thread = request("lm", "one", "two", "three")

    first = connector.publish(thread)

    assert first.outcome is Outcome.RETRYABLE
    assert sandbox.stats()["by_key"] == {"lm:0": 1, "lm:1": 1}
    sandbox.control(fail_after_commit_rate=0.0)
    second = connector.publish(PublishRequest("lm", thread.parts, first_attempt_at=EARLIER))
    assert second.published == Published("1", f"{sandbox.url}/posts/1", ("1", "2", "3"))
    stats = sandbox.stats()
    assert stats["by_key"] == {"lm:0": 1, "lm:1": 1, "lm:2": 1}
    assert stats["publishes"] == 3


def test_delete(sandbox: SandboxHandle, connector: SandboxConnector) -> None:
    published = connector.publish(request("del", "bye")).published
    assert published is not None

    assert connector.delete(published.remote_id) == Result(Outcome.OK)

    assert httpx.get(f"{sandbox.url}/api/posts/1").status_code == 404
    assert connector.delete(published.remote_id) == Result(Outcome.OK)  # already gone
    assert connector.find_existing(request("del", "bye")) == Result(Outcome.OK)
    assert sandbox.stats()["posts"] == 0


def test_deleting_someone_elses_post_is_refused(
    sandbox: SandboxHandle, connector: SandboxConnector
) -> None:
    other = sandbox.create_account("Other Shop")
    stranger = SandboxConnector({"base_url": sandbox.url}, {"token": other.token})
    connector.publish(request("mine", "mine"))

    result = stranger.delete("1")

    assert result.outcome is Outcome.UNAUTHORIZED
    assert httpx.get(f"{sandbox.url}/api/posts/1").status_code == 200


def test_headers_that_cannot_be_sent_are_refused_not_retried(sandbox: SandboxHandle) -> None:
    bad_token = SandboxConnector({"base_url": sandbox.url}, {"token": "sbx_żółw"})
    good = SandboxConnector({"base_url": sandbox.url}, {"token": sandbox.create_account("A").token})

    assert bad_token.verify()[0].outcome is Outcome.UNAUTHORIZED
    assert good.publish(request("line\nbreak", "hi")) == Result(
        Outcome.REJECTED,
        reason="Sandbox refused the post: the Idempotency-Key header cannot be sent over HTTP.",
    )
    assert sandbox.stats()["publishes"] == 0
