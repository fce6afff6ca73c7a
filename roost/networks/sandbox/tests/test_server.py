"""The Sandbox server's own API, pages and persistence, spoken to over real HTTP."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import httpx
import pytest

from roost.networks.base import Metrics, Outcome, Result
from roost.networks.sandbox.connector import SandboxConnector
from roost.networks.sandbox.testing import SandboxAccount, SandboxHandle, running_sandbox

from .conftest import png, request


def auth(account: SandboxAccount) -> dict[str, str]:
    return {"Authorization": f"Bearer {account.token}"}


def test_health_and_accounts(sandbox: SandboxHandle) -> None:
    assert httpx.get(sandbox.url + "/health").json() == {"ok": True}
    first = sandbox.create_account("Demo Coffee")
    second = sandbox.create_account("Demo  Coffee!")
    third = sandbox.create_account("Żółta Kawiarnia")
    assert (first.id, first.handle) == ("1", "demo-coffee.sandbox")
    assert (second.id, second.handle) == ("2", "demo-coffee-2.sandbox")
    assert third.handle == "zota-kawiarnia.sandbox"
    assert first.token != second.token
    me = httpx.get(sandbox.url + "/api/me", headers=auth(first)).json()
    assert me == {"id": "1", "handle": "demo-coffee.sandbox", "name": "Demo Coffee"}
    refused = httpx.post(sandbox.url + "/api/accounts", json={"name": " "})
    assert (refused.status_code, refused.json()) == (400, {"error": "name is required"})


def test_publish_api_refusals(sandbox: SandboxHandle, account: SandboxAccount) -> None:
    url = sandbox.url + "/api/posts"
    key = {"Idempotency-Key": "k"}
    cases = [
        ({}, {"text": "hi"}, 401, "a Bearer token is required"),
        (auth(account), {"text": "hi"}, 400, "the Idempotency-Key header is required"),
        ({**auth(account), **key}, {"text": "x" * 501}, 400,
         "text has 501 characters; the Sandbox allows 500"),
        ({**auth(account), **key}, {"text": ""}, 400, "a post needs text or an image"),
        ({**auth(account), **key}, {"text": "a", "reply_to": "99"}, 400,
         "reply_to: post '99' does not exist"),
        ({**auth(account), **key}, {"text": "a", "media": [{"mime_type": "image/png",
          "data_b64": "%%%"}]}, 400, "image 1: data_b64 is not valid base64"),
        ({**auth(account), **key}, {"text": "a", "language": "nope!"}, 400,
         "language must be a code such as 'en' or 'pt-BR', not 'nope!'"),
    ]  # fmt: skip
    for headers, body, status, message in cases:
        response = httpx.post(url, json=body, headers=headers)
        assert (response.status_code, response.json()) == (status, {"error": message})
    garbled = httpx.post(url, content=b"{", headers={**auth(account), **key})
    assert garbled.json() == {"error": "the body is not valid JSON"}
    assert sandbox.stats()["publishes"] == 0


def test_server_does_not_dedupe_by_key(sandbox: SandboxHandle, account: SandboxAccount) -> None:
    headers = {**auth(account), "Idempotency-Key": "same"}
    ids = [
        httpx.post(sandbox.url + "/api/posts", json={"text": "hi"}, headers=headers).json()["id"]
        for _ in range(3)
    ]
    assert ids == ["1", "2", "3"]
    stats = sandbox.stats()
    assert (stats["publishes"], stats["by_key"], stats["duplicates"]) == (3, {"same": 3}, 1)
    listed = httpx.get(
        sandbox.url + "/api/posts", params={"idempotency_key": "same"}, headers=auth(account)
    ).json()["posts"]
    assert [p["id"] for p in listed] == ["1", "2", "3"]


def test_lookup_by_key_sees_only_the_callers_posts(
    sandbox: SandboxHandle, account: SandboxAccount, connector: SandboxConnector
) -> None:
    other = sandbox.create_account("Other")
    connector.publish(request("k", "mine"))
    theirs = SandboxConnector({"base_url": sandbox.url}, {"token": other.token})
    assert theirs.find_existing(request("k", "mine")) == Result(Outcome.OK)


def test_control_knobs(sandbox: SandboxHandle) -> None:
    assert sandbox.control(latency_ms=5, fail_5xx_rate=0.25, seed=3) == {
        "latency_ms": 5,
        "fail_5xx_rate": 0.25,
        "rate_limit_rate": 0.0,
        "retry_after": 30,
        "fail_after_commit_rate": 0.0,
        "all_endpoints": False,
        "seed": 3,
        "clock_ahead_s": 0,
        "conversation_rate": 240,
        "conversation_anchor": 0,
        "revoked_tokens": 0,
    }
    for body, message in [
        ({"latncy_ms": 5}, "unknown control knobs: latncy_ms"),
        ({"fail_5xx_rate": 2}, "fail_5xx_rate must be a number from 0 to 1"),
        ({"latency_ms": -1}, "latency_ms must be a whole number from 0 to 600000"),
        ({"revoke": 5}, "revoke must be a token"),
    ]:
        response = httpx.post(sandbox.url + "/api/control", json=body)
        assert (response.status_code, response.json()) == (400, {"error": message})
    # A refused request changes nothing.
    assert sandbox.control()["latency_ms"] == 5


def test_all_endpoints_knob_faults_reads_too(
    sandbox: SandboxHandle, connector: SandboxConnector
) -> None:
    connector.publish(request("k", "hi"))
    sandbox.control(rate_limit_rate=1.0, retry_after=3, all_endpoints=True)
    found = connector.find_existing(request("k", "hi"))
    assert (found.outcome, found.retry_after) == (Outcome.RATE_LIMITED, 3.0)
    assert connector.verify()[0].outcome is Outcome.RATE_LIMITED


def test_reset_clears_posts_and_faults_but_keeps_accounts_and_ids(
    sandbox: SandboxHandle, account: SandboxAccount, connector: SandboxConnector
) -> None:
    connector.publish(request("a", "one", "two"))
    sandbox.control(fail_5xx_rate=1.0, revoke="sbx_other")

    knobs = sandbox.control(reset=True)

    assert (knobs["fail_5xx_rate"], knobs["revoked_tokens"]) == (0.0, 0)
    stats = sandbox.stats()
    assert isinstance(stats.pop("traffic_ticks"), int)  # the generator's clock, not reset
    # The server's own meter starts again: only the reset itself is counted.
    assert stats.pop("server")["requests"] == {"POST /api/control": 1}
    assert isinstance(stats.pop("pid"), int)
    assert (stats.pop("inbox_answers"), stats.pop("inbox_seconds")) == (0, 0)
    assert (stats.pop("search_answers"), stats.pop("search_seconds")) == (0, 0)
    assert stats == {
        "publishes": 0,
        "by_key": {},
        "duplicates": 0,
        "posts": 0,
        "accounts": 1,
        "faults": {"rate_limited": 0, "failed": 0, "lost_responses": 0, "unauthorized": 0},
    }
    published = connector.publish(request("b", "three")).published
    assert published is not None and published.remote_id == "3"  # ids are never reused


def test_metrics(sandbox: SandboxHandle, connector: SandboxConnector) -> None:
    thread = connector.publish(request("m", "one", "two")).published
    assert thread is not None
    sandbox.control(metrics={"1": {"likes": 12, "reposts": 3, "quotes": 1}})
    connector.delete("2")

    result, metrics = connector.fetch_metrics(["1", "2"])

    assert result == Result(Outcome.OK)
    # Replies are real: the reply was deleted, so none; "2" is gone, so left out.
    assert set(metrics) == {"1"}
    got = metrics["1"]
    assert (got.likes, got.reposts, got.replies, got.quotes) == (12, 3, 0, 1)
    # The Sandbox reports every count (the engagement model's, where none is pinned).
    assert all(isinstance(value, int) for value in got.values().values())
    pinned = {"bookmarks": 2, "impressions": 900, "reach": 650, "clicks": 7, "video_views": 0}
    sandbox.control(metrics={"1": pinned})
    assert connector.fetch_metrics(["1"])[1]["1"] == Metrics(
        likes=12, reposts=3, replies=0, quotes=1, **pinned
    )


def test_audience(sandbox: SandboxHandle, connector: SandboxConnector) -> None:
    connector.publish(request("a", "one"))
    connector.publish(request("b", "two"))
    connector.delete("2")

    result, audience = connector.fetch_audience()

    assert result == Result(Outcome.OK) and audience is not None
    assert audience.posts == 1  # live posts only
    assert audience.followers is not None and audience.followers >= 400
    assert audience.following is not None and 40 <= audience.following < 500


def test_feed_pages_escape_and_show_the_banner(
    sandbox: SandboxHandle, connector: SandboxConnector
) -> None:
    connector.publish(request("x", "<script>alert(1)</script>", "a reply", language="pl"))

    feed = httpx.get(sandbox.url + "/")
    post = httpx.get(sandbox.url + "/posts/1").text
    profile = httpx.get(sandbox.url + "/@demo-coffee.sandbox").text

    assert "Sandbox — a local test network, nothing here is public" in feed.text
    assert "<script>alert" not in feed.text
    assert '<p class="text" lang="pl">&lt;script&gt;alert(1)&lt;/script&gt;</p>' in feed.text
    assert feed.text.index("a reply") < feed.text.index("&lt;script&gt;")  # newest first
    assert "default-src 'none'" in feed.headers["Content-Security-Policy"]
    assert "a reply" in post and "@demo-coffee.sandbox" in profile
    assert httpx.get(sandbox.url + "/posts/99").status_code == 404
    assert httpx.get(sandbox.url + "/@nobody.sandbox").status_code == 404
    assert httpx.get(sandbox.url + "/media/1/0").status_code == 404


def test_feed_pages_older_posts(sandbox: SandboxHandle, connector: SandboxConnector) -> None:
    for n in range(3):
        connector.publish(request(f"p{n}", f"post {n}"))
    first = httpx.get(sandbox.url + "/?limit=2").text
    assert "post 2" in first and "post 1" in first and "post 0" not in first
    assert 'href="/?before=2"' in first
    older = httpx.get(sandbox.url + "/?before=2&limit=2").text
    assert "post 0" in older and "post 1" not in older


@pytest.mark.parametrize("restarts", [1, 2])
def test_sqlite_file_keeps_the_feed_across_restarts(tmp_path: Path, restarts: int) -> None:
    db = tmp_path / "sandbox.sqlite3"
    image = png()
    with running_sandbox(db_path=db) as sandbox:
        token = sandbox.create_account("Demo Coffee").token
        headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "k"}
        media = [
            {"alt": "cup", "mime_type": "image/png", "data_b64": base64.b64encode(image).decode()}
        ]
        for text in ("one", "two", "three"):
            httpx.post(
                sandbox.url + "/api/posts", json={"text": text, "media": media}, headers=headers
            )
        httpx.delete(sandbox.url + "/api/posts/2", headers=headers)
    for _ in range(restarts):
        with running_sandbox(db_path=db) as sandbox:
            assert httpx.get(sandbox.url + "/api/me", headers=headers).json()["handle"] == (
                "demo-coffee.sandbox"
            )
            assert httpx.get(sandbox.url + "/api/posts/1").json()["text"] == "one"
            assert httpx.get(sandbox.url + "/api/posts/2").status_code == 404
            assert httpx.get(sandbox.url + "/media/3/0").content == image
            stats = sandbox.stats()
            assert (stats["publishes"], stats["by_key"], stats["posts"]) == (3, {"k": 3}, 2)
    with running_sandbox(db_path=db) as sandbox:
        sandbox.control(reset=True)
    with running_sandbox(db_path=db) as sandbox:
        assert sandbox.stats()["publishes"] == 0
        created = httpx.post(sandbox.url + "/api/posts", json={"text": "four"}, headers=headers)
        assert created.json()["id"] == "4"  # ids go on after a reset and a restart


def test_stats_count_inbox_pages_and_the_time_spent_answering_them(
    sandbox: SandboxHandle, account: SandboxAccount, connector: SandboxConnector
) -> None:
    sandbox.inbound(account.handle, 1200, seed=3)
    before = sandbox.stats()

    result, page = connector.fetch_inbox("0")  # 500 + 500 + 200: three pages

    assert result.ok and len(page.items) == 1200
    after = sandbox.stats()
    assert after["inbox_answers"] - before["inbox_answers"] == 3
    assert after["inbox_seconds"] > before["inbox_seconds"]
    assert after["pid"] == os.getpid()  # this test's Sandbox runs in a thread of ours
