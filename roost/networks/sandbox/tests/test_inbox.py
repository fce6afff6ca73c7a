"""The Sandbox inbox: generated traffic, polling with a cursor, and replies, over real HTTP."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from roost.networks.base import (
    Inbound,
    InboundKind,
    InboxConnector,
    InboxPage,
    Outcome,
    Published,
    ReplyRequest,
    Result,
)
from roost.networks.sandbox import inbox
from roost.networks.sandbox.aclient import close_sessions
from roost.networks.sandbox.client import InboxBatch, SandboxError
from roost.networks.sandbox.connector import SandboxConnector
from roost.networks.sandbox.testing import SandboxAccount, SandboxHandle, running_sandbox
from roost.networks.sandbox.traffic import HANDLES
from roost.testing import wait_until

from .conftest import request


def auth(account: SandboxAccount) -> dict[str, str]:
    return {"Authorization": f"Bearer {account.token}"}


def ids(first: str, last: str) -> list[str]:
    return [str(n) for n in range(int(first), int(last) + 1)]


def poll(connector: SandboxConnector, cursor: str | None) -> InboxPage:
    result, page = connector.fetch_inbox(cursor)
    assert result == Result(Outcome.OK)
    return page


def publish(connector: SandboxConnector, key: str, *texts: str) -> list[str]:
    published = connector.publish(request(key, *texts)).published
    assert published is not None
    return list(published.part_ids)


def test_connector_is_an_inbox_connector(connector: SandboxConnector) -> None:
    assert isinstance(connector, InboxConnector)


def test_fetch_returns_exactly_the_generated_items_oldest_first(
    sandbox: SandboxHandle, account: SandboxAccount, connector: SandboxConnector
) -> None:
    ours = publish(connector, "p", "Fresh beans today", "Open until 18:00")
    start = poll(connector, None)  # an empty inbox: the cursor marks "now"
    assert (start.items, start.cursor) == ((), "2")

    made = sandbox.inbound(account.handle, 1234, seed=7)  # three pages of 500
    page = poll(connector, start.cursor)

    assert made["created"] == 1234
    assert [item.remote_id for item in page.items] == ids(made["first_id"], made["last_id"])
    assert page.cursor == made["last_id"]
    assert page.skipped == 0
    assert set(page.activity) == {"likes", "reposts", "follows"}
    assert sum(page.activity.values()) > 0
    replies = [item for item in page.items if item.kind is InboundKind.REPLY]
    mentions = [item for item in page.items if item.kind is InboundKind.MENTION]
    assert (len(replies), len(mentions)) == (made["replies"], made["mentions"])
    for item in replies:
        assert item.parent_id and item.root_id in ours
    # Some answer our post directly, some join a thread under it (a reply to a reply).
    assert {item.parent_id in ours for item in replies} == {True, False}
    for item in mentions:
        assert f"@{account.handle}" in item.text
        assert (item.parent_id, item.root_id) == ("", item.remote_id)
    assert {item.author_handle for item in page.items} == HANDLES
    assert {item.language for item in page.items} == {"en", "pl"}
    polish = sum(1 for item in page.items if item.language == "pl")
    assert 0.4 < polish / len(page.items) < 0.6
    first = page.items[0]
    served = httpx.get(f"{sandbox.url}/api/posts/{first.remote_id}").json()
    assert first == Inbound(
        remote_id=served["id"],
        kind=first.kind,
        text=served["text"],
        created_at=datetime.fromtimestamp(served["created_at"], UTC),
        author_id=served["account"]["id"],
        author_handle=served["account"]["handle"],
        author_name=first.author_name,
        url=f"{sandbox.url}/posts/{first.remote_id}",
        parent_id=served["reply_to"] or "",
        root_id=first.root_id,
        language=served["language"],
    )
    assert first.author_name and first.created_at.tzinfo is not None
    # Traffic is not publishing: the exactly-once counters still count only our posts.
    stats = sandbox.stats()
    assert (stats["publishes"], stats["by_key"]) == (2, {"p:0": 1, "p:1": 1})


def test_texts_include_complaints_and_purchase_intent(
    sandbox: SandboxHandle, account: SandboxAccount, connector: SandboxConnector
) -> None:
    sandbox.inbound(account.handle, 2000, seed=1)
    texts = " ".join(item.text for item in poll(connector, "0").items)

    for phrase in (
        "my order arrived cold",
        "zamówienie nie dotarło",
        "do you ship to Kraków?",
        "ile kosztuje kilogram?",
    ):
        assert phrase in texts


def test_second_poll_returns_only_newer_items(
    sandbox: SandboxHandle, account: SandboxAccount, connector: SandboxConnector
) -> None:
    ours = publish(connector, "p", "hello")
    other = sandbox.create_account("Other Shop")
    theirs = SandboxConnector({"base_url": sandbox.url}, {"token": other.token})
    first_batch = sandbox.inbound(account.handle, 300, seed=1)
    first = poll(connector, "0")

    # Newer: things not for us, more traffic, a real account's reply and mention.
    theirs_ids = publish(theirs, "t", "their post")
    sandbox.inbound(other.handle, 10, seed=3)  # someone else's inbox
    connector.reply(ReplyRequest("r", "we answer ourselves", parent_id=theirs_ids[0]))
    second_batch = sandbox.inbound(account.handle, 40, seed=2)
    headers = {**auth(other), "Idempotency-Key": "o"}
    url = sandbox.url + "/api/posts"
    reply = httpx.post(url, json={"text": "nice", "reply_to": ours[0]}, headers=headers)
    mention = httpx.post(url, json={"text": f"hi @{account.handle}!"}, headers=headers)
    httpx.post(url, json={"text": "not about you"}, headers=headers)
    publish(connector, "q", "our own post is not inbox")
    second = poll(connector, first.cursor)
    third = poll(connector, second.cursor)

    assert [i.remote_id for i in first.items] == ids(
        first_batch["first_id"], first_batch["last_id"]
    )
    assert [i.remote_id for i in second.items] == [
        *ids(second_batch["first_id"], second_batch["last_id"]),
        reply.json()["id"],
        mention.json()["id"],
    ]
    assert [(i.kind, i.author_handle) for i in second.items[-2:]] == [
        (InboundKind.REPLY, other.handle),
        (InboundKind.MENTION, other.handle),
    ]
    assert second.cursor == mention.json()["id"]
    # Nothing newer: no items, and no cursor (keep the old one).
    assert third == InboxPage(cursor=None, activity={"likes": 0, "reposts": 0, "follows": 0})
    seen = [i.remote_id for i in (*first.items, *second.items)]
    assert len(seen) == len(set(seen)) == 342


def test_first_poll_brings_only_the_newest_50(
    sandbox: SandboxHandle, account: SandboxAccount, connector: SandboxConnector
) -> None:
    made = sandbox.inbound(account.handle, 120, seed=4)

    first = poll(connector, None)

    assert [i.remote_id for i in first.items] == ids(made["first_id"], made["last_id"])[-50:]
    assert first.cursor == made["last_id"]
    assert poll(connector, first.cursor).items == ()


def test_each_poll_is_bounded_and_the_next_goes_on(
    sandbox: SandboxHandle,
    account: SandboxAccount,
    connector: SandboxConnector,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(inbox, "PAGE_SIZE", 10)
    monkeypatch.setattr(inbox, "MAX_PAGES", 3)
    made = sandbox.inbound(account.handle, 45, seed=5)
    expected = ids(made["first_id"], made["last_id"])

    one = poll(connector, "0")
    two = poll(connector, one.cursor)
    three = poll(connector, two.cursor)

    assert [i.remote_id for i in one.items] == expected[:30]
    assert [i.remote_id for i in two.items] == expected[30:]
    assert (three.items, three.cursor) == ((), None)
    # Activity is per item, so however the polls are cut the totals are the same.
    monkeypatch.setattr(inbox, "MAX_PAGES", 20)
    whole = poll(connector, "0")
    assert {
        name: one.activity[name] + two.activity[name] for name in ("likes", "reposts", "follows")
    } == whole.activity


def test_deleted_inbound_posts_are_left_out(
    sandbox: SandboxHandle, account: SandboxAccount, connector: SandboxConnector
) -> None:
    other = sandbox.create_account("Other Shop")
    headers = {**auth(other), "Idempotency-Key": "o"}
    url = sandbox.url + "/api/posts"
    posted = [
        httpx.post(url, json={"text": f"@{account.handle} {n}"}, headers=headers).json()["id"]
        for n in range(3)
    ]
    httpx.delete(f"{url}/{posted[1]}", headers=auth(other))

    assert [i.remote_id for i in poll(connector, "0").items] == [posted[0], posted[2]]


def test_reply_threads_under_the_parent_and_is_never_duplicated(
    sandbox: SandboxHandle, account: SandboxAccount, connector: SandboxConnector
) -> None:
    publish(connector, "p", "hello")
    sandbox.inbound(account.handle, 30, seed=6)
    items = poll(connector, "0").items
    mention = next(i for i in items if i.kind is InboundKind.MENTION)
    answer = ReplyRequest("reply-1", "Yes, we ship to Kraków!", mention.remote_id, mention.root_id)

    first = connector.reply(answer)
    again = connector.reply(answer)

    assert first.ok and first == again
    assert first.published is not None
    post = httpx.get(f"{sandbox.url}/api/posts/{first.published.remote_id}").json()
    assert (post["reply_to"], post["text"]) == (mention.remote_id, "Yes, we ship to Kraków!")
    assert post["account"]["handle"] == account.handle
    assert first.published == Published(
        post["id"], f"{sandbox.url}/posts/{post['id']}", (post["id"],)
    )
    assert sandbox.stats()["by_key"] == {"p:0": 1, "reply-1": 1}
    # Our own reply is not in our inbox.
    assert poll(connector, str(items[-1].remote_id)).items == ()


def test_reply_whose_answer_was_lost_is_found_not_repeated(
    sandbox: SandboxHandle, account: SandboxAccount, connector: SandboxConnector
) -> None:
    publish(connector, "p", "hello")
    sandbox.inbound(account.handle, 5, seed=6)
    parent = poll(connector, "0").items[0]
    answer = ReplyRequest("lost-reply", "Sorry to hear that!", parent.remote_id)
    sandbox.control(fail_after_commit_rate=1.0)

    lost = connector.reply(answer)
    sandbox.control(fail_after_commit_rate=0.0)
    retried = connector.reply(answer)

    assert lost.outcome is Outcome.RETRYABLE
    assert retried.ok and retried.published is not None
    assert sandbox.stats()["by_key"] == {"p:0": 1, "lost-reply": 1}


def test_reply_refusals(sandbox: SandboxHandle, connector: SandboxConnector) -> None:
    assert connector.reply(ReplyRequest("k", "x" * 501, "1")) == Result(
        Outcome.REJECTED, reason="Sandbox allows 500 characters per post; this reply has 501."
    )
    assert connector.reply(ReplyRequest("k", " ", "1")).outcome is Outcome.REJECTED
    assert connector.reply(ReplyRequest("k", "hi", "")).outcome is Outcome.REJECTED
    dm = ReplyRequest("k", "hi", "1", kind=InboundKind.DIRECT)
    assert connector.reply(dm).outcome is Outcome.REJECTED
    assert connector.reply(ReplyRequest("k", "hi", "999")) == Result(
        Outcome.REJECTED, reason="Sandbox refused the reply: reply_to: post '999' does not exist."
    )
    assert sandbox.stats()["publishes"] == 0


def test_revoked_token_is_unauthorized(
    sandbox: SandboxHandle, account: SandboxAccount, connector: SandboxConnector
) -> None:
    publish(connector, "p", "hello")
    sandbox.inbound(account.handle, 5)
    sandbox.control(revoke=account.token)

    result, page = connector.fetch_inbox("0")
    replied = connector.reply(ReplyRequest("r", "hi", "1"))

    assert result.outcome is Outcome.UNAUTHORIZED
    assert "reconnect" in result.reason
    assert page == InboxPage()
    assert replied.outcome is Outcome.UNAUTHORIZED
    assert sandbox.stats()["by_key"] == {"p:0": 1}


def test_rate_limit_and_unreachable(
    sandbox: SandboxHandle, connector: SandboxConnector, settings: Any
) -> None:
    sandbox.control(rate_limit_rate=1.0, retry_after=9, all_endpoints=True)
    limited, page = connector.fetch_inbox("0")
    assert (limited.outcome, limited.retry_after, page) == (Outcome.RATE_LIMITED, 9.0, InboxPage())

    gone = SandboxConnector({"base_url": "http://127.0.0.1:1"}, {"token": "sbx_x"})
    assert gone.fetch_inbox(None)[0].outcome is Outcome.UNAUTHORIZED  # not an allowed address
    settings.ROOST_ALLOW_PRIVATE_HOSTS = ["127.0.0.1:1"]  # allowed, but nothing listens there
    assert gone.fetch_inbox(None)[0].outcome is Outcome.RETRYABLE
    assert gone.reply(ReplyRequest("k", "hi", "1")).outcome is Outcome.RETRYABLE


def _fake_pages(monkeypatch: pytest.MonkeyPatch, connector: SandboxConnector, pages: list[Any]):
    """Answer the connector's inbox calls from `pages` (an exception is raised)."""
    calls: list[tuple[int | None, int]] = []

    def fake(*, after: int | None, limit: int) -> InboxBatch:
        calls.append((after, limit))
        answer = pages.pop(0)
        if isinstance(answer, Exception):
            raise answer
        assert isinstance(answer, InboxBatch)
        return answer

    monkeypatch.setattr(connector._client, "inbox", fake)
    return calls


GOOD = {
    "id": "7",
    "url": "http://sandbox/posts/7",
    "text": "hi",
    "author": {"id": "2", "handle": "anna-k.sandbox", "name": "Anna"},
    "created_at": "2026-01-01T10:00:00+00:00",
    "reply_to": "3",
    "root_id": "3",
    "language": "pl",
    "kind": "reply",
}


def test_malformed_items_are_skipped_and_counted(
    connector: SandboxConnector, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = [
        "not an object",
        {**GOOD, "id": "8", "kind": "quote-tweet"},
        {**GOOD, "id": "9", "created_at": "yesterday"},
        {**GOOD, "id": "x"},
        {**GOOD, "id": "10", "author": None},
        {k: v for k, v in GOOD.items() if k != "text"},
    ]
    naive = {**GOOD, "id": "11", "created_at": "2026-01-01T10:00:00", "language": None}
    _fake_pages(monkeypatch, connector, [InboxBatch([GOOD, *bad, naive], 11, False, {})])

    result, page = connector.fetch_inbox("5")

    assert result == Result(Outcome.OK)
    assert [i.remote_id for i in page.items] == ["7", "11"]
    assert page.items[0] == Inbound(
        remote_id="7",
        kind=InboundKind.REPLY,
        text="hi",
        created_at=datetime(2026, 1, 1, 10, tzinfo=UTC),
        author_id="2",
        author_handle="anna-k.sandbox",
        author_name="Anna",
        url="http://sandbox/posts/7",
        parent_id="3",
        root_id="3",
        language="pl",
    )
    assert page.items[1].created_at == datetime(2026, 1, 1, 10, tzinfo=UTC)
    assert page.items[1].language == ""
    assert (page.skipped, page.cursor) == (6, "11")  # past the malformed ones too


def test_a_failed_later_page_keeps_what_came(
    connector: SandboxConnector, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _fake_pages(
        monkeypatch,
        connector,
        [InboxBatch([GOOD], 7, True, {"likes": 2}), SandboxError(503, "down")],
    )

    result, page = connector.fetch_inbox("5")

    assert calls == [(5, inbox.PAGE_SIZE), (7, inbox.PAGE_SIZE)]
    assert result == Result(Outcome.OK)
    assert ([i.remote_id for i in page.items], page.cursor, page.activity) == (
        ["7"],
        "7",
        {"likes": 2},
    )


def test_a_server_that_does_not_move_on_ends_the_poll(
    connector: SandboxConnector, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _fake_pages(monkeypatch, connector, [InboxBatch([], 5, True, {})])

    assert connector.fetch_inbox("5") == (Result(Outcome.OK), InboxPage())
    assert len(calls) == 1


def test_an_unreadable_cursor_starts_with_recent_posts(
    sandbox: SandboxHandle, account: SandboxAccount, connector: SandboxConnector
) -> None:
    made = sandbox.inbound(account.handle, 60, seed=8)

    page = poll(connector, "not-a-cursor")

    assert len(page.items) == 50 and page.cursor == made["last_id"]


def test_async_fetch_and_reply(
    sandbox: SandboxHandle, account: SandboxAccount, connector: SandboxConnector
) -> None:
    made = sandbox.inbound(account.handle, 700, seed=9)

    async def run() -> tuple[tuple[Result, InboxPage], Result, Result]:
        try:
            fetched = await connector.fetch_inbox_async("0")
            parent = fetched[1].items[0].remote_id
            answer = ReplyRequest("a-reply", "Thanks!", parent)
            return fetched, await connector.reply_async(answer), await connector.reply_async(answer)
        finally:
            await close_sessions()

    (result, page), first, again = asyncio.run(run())

    assert result == Result(Outcome.OK)
    assert [i.remote_id for i in page.items] == ids(made["first_id"], made["last_id"])
    assert page == poll(connector, "0")
    assert first.ok and first == again
    assert sandbox.stats()["by_key"] == {"a-reply": 1}


def after_rounds[T](sandbox: SandboxHandle, rounds: int, read: Callable[[], T]) -> T:
    """What `read` returns once the traffic generator has finished `rounds` more rounds."""
    start = sandbox.stats()["traffic_ticks"]
    wait_until(
        lambda: sandbox.stats()["traffic_ticks"] >= start + rounds,
        what=f"{rounds} rounds of generated traffic",
    )
    return read()


def test_inbound_rate_generates_traffic_continuously(
    sandbox: SandboxHandle, account: SandboxAccount, connector: SandboxConnector
) -> None:
    quiet = sandbox.create_account("Quiet Shop")  # no posts: nobody writes to it
    quiet_connector = SandboxConnector({"base_url": sandbox.url}, {"token": quiet.token})
    publish(connector, "p", "hello")
    answer = httpx.post(sandbox.url + "/api/control", json={"inbound_rate": 100})
    assert answer.json()["traffic"] == {"inbound_rate": 100.0}

    def fifty() -> list[Inbound]:
        found = list(poll(connector, "0").items)
        return found if len(found) >= 50 else []

    items = wait_until(fifty, every=0.1, what="50 generated messages")
    sandbox.control(inbound_rate=0)
    # A round under way when the knob changed may still land: wait for two whole rounds of
    # the generator after it, then two more, and nothing may have been added in between.
    settled = len(after_rounds(sandbox, 2, lambda: poll(connector, "0").items))
    assert len(after_rounds(sandbox, 2, lambda: poll(connector, "0").items)) == settled

    assert len(items) >= 50
    assert poll(quiet_connector, "0").items == ()
    assert sandbox.stats()["publishes"] == 1


def test_inbound_and_inbox_api_refusals(sandbox: SandboxHandle, account: SandboxAccount) -> None:
    for body, status, message in [
        ({"handle": "nobody.sandbox"}, 404, "there is no account @nobody.sandbox"),
        ({"handle": "anna-k.sandbox"}, 404, "there is no account @anna-k.sandbox"),
        ({"handle": account.handle, "count": 0}, 400,
         "count must be a whole number from 1 to 100000"),
        ({"handle": account.handle, "count": 100_001}, 400,
         "count must be a whole number from 1 to 100000"),
        ({"handle": account.handle, "seed": "x"}, 400, "seed must be a whole number from 0"),
        ({}, 400, "handle must be the handle of an account, such as 'demo.sandbox'"),
    ]:  # fmt: skip
        response = httpx.post(sandbox.url + "/api/inbound", json=body)
        assert (response.status_code, response.json()) == (status, {"error": message})
    url = sandbox.url + "/api/inbox"
    assert httpx.get(url).status_code == 401
    bad = httpx.get(url, params={"after": "abc"}, headers=auth(account))
    assert (bad.status_code, bad.json()) == (400, {"error": "after must be a post id, not 'abc'"})
    rate = httpx.post(sandbox.url + "/api/control", json={"inbound_rate": -1})
    assert rate.json() == {"error": "inbound_rate must be a number from 0 to 1000"}
    empty = httpx.get(url, params={"after": "0"}, headers=auth(account)).json()
    assert empty == {
        "items": [],
        "activity": {"likes": 0, "reposts": 0, "follows": 0},
        "next_after": "0",
        "has_more": False,
    }
    sandbox.inbound(account.handle, 1500, seed=1)
    capped = httpx.get(url, params={"after": "0", "limit": "5000"}, headers=auth(account)).json()
    assert (len(capped["items"]), capped["has_more"]) == (1000, True)
    # People who sign up never get a simulated person's handle.
    assert sandbox.create_account("Anna K").handle == "anna-k-2.sandbox"


def test_inbox_survives_a_restart(tmp_path: Path, settings: Any) -> None:
    db = tmp_path / "sandbox.sqlite3"
    with running_sandbox(db_path=db) as sandbox:
        settings.ROOST_SANDBOX_URL = sandbox.url
        account = sandbox.create_account("Demo Coffee")
        connector = SandboxConnector({"base_url": sandbox.url}, {"token": account.token})
        publish(connector, "p", "hello", "thread")
        sandbox.inbound(account.handle, 500, seed=3)
        before = poll(connector, "0")
    with running_sandbox(db_path=db) as sandbox:
        settings.ROOST_SANDBOX_URL = sandbox.url
        connector = SandboxConnector({"base_url": sandbox.url}, {"token": account.token})
        after = poll(connector, "0")
        more = sandbox.inbound(account.handle, 5, seed=4)  # the people are reused, not remade
        assert sandbox.stats()["publishes"] == 2
        assert sandbox.stats()["accounts"] == 1 + len(HANDLES)
    # The same items (their URLs name the new port).
    assert [replace(i, url="") for i in after.items] == [replace(i, url="") for i in before.items]
    assert (after.cursor, after.activity) == (before.cursor, before.activity)
    assert len(after.items) == 500 and more["created"] == 5


@pytest.mark.parametrize("saved", [False, True], ids=["memory", "sqlite"])
def test_generating_20000_inbound_posts_in_one_call(
    tmp_path: Path, saved: bool, settings: Any
) -> None:
    with running_sandbox(db_path=tmp_path / "s.sqlite3" if saved else None) as sandbox:
        settings.ROOST_SANDBOX_URL = sandbox.url
        account = sandbox.create_account("Demo Coffee")
        connector = SandboxConnector({"base_url": sandbox.url}, {"token": account.token})
        publish(connector, "p", "hello")

        started = time.perf_counter()
        made = sandbox.inbound(account.handle, 20_000, seed=11)
        generated = time.perf_counter() - started
        started = time.perf_counter()
        one = poll(connector, "0")
        two = poll(connector, one.cursor)
        fetched = time.perf_counter() - started

    # Timings belong in bench/; this only reports them.
    where = "sqlite" if saved else "memory"
    print(f"\n20,000 inbound posts ({where}): generated in {generated:.2f} s, ", end="")
    print(f"fetched in two polls in {fetched:.2f} s")
    assert made["created"] == 20_000
    limit = inbox.PAGE_SIZE * inbox.MAX_PAGES
    assert [i.remote_id for i in (*one.items, *two.items)] == ids(made["first_id"], made["last_id"])
    assert len(one.items) == limit
