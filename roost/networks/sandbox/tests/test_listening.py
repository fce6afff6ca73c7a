"""Listening on the Sandbox over real HTTP: /api/public/search, the truth, plant-now, and
the connector's search_public."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from roost.networks.base import ListeningConnector, ListeningPage, Outcome, PublicPost
from roost.networks.sandbox import listening
from roost.networks.sandbox.aclient import close_sessions
from roost.networks.sandbox.connector import SandboxConnector
from roost.networks.sandbox.testing import SandboxAccount, SandboxHandle

ANCHOR = 1795780800  # 2026-11-27T12:00:00Z


def auth(account: SandboxAccount) -> dict[str, str]:
    return {"Authorization": f"Bearer {account.token}"}


def test_the_connector_listens(connector: SandboxConnector) -> None:
    assert isinstance(connector, ListeningConnector)


def test_search_needs_a_token(sandbox: SandboxHandle) -> None:
    response = httpx.get(f"{sandbox.url}/api/public/search", params={"q": "coffee"})
    assert response.status_code == 401
    assert response.json() == {"error": "a Bearer token is required"}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "q must not be empty"),
        ({"q": "coffee", "limit": "0"}, "limit must be a whole number from 1 to 500"),
        ({"q": "coffee", "limit": "501"}, "limit must be a whole number from 1 to 500"),
        ({"q": "coffee", "limit": "ten"}, "limit must be a whole number from 1 to 500"),
        (
            {"q": "coffee", "since": "yesterday"},
            "since must be an ISO 8601 time such as 2026-12-03T08:00:00Z, not 'yesterday'",
        ),
        (
            {"q": "coffee", "since": "2026-12-01T10:00:00"},
            "since needs a time zone (for example Z or +01:00)",
        ),
        (
            {"q": "coffee", "lang": "polish"},
            "lang must be a two-letter code such as 'en', not 'polish'",
        ),
        ({"q": "coffee", "cursor": "x_y"}, "cursor 'x_y' is not one this search gave"),
        ({"q": "#"}, "# must be followed by letters or digits"),
    ],
)
def test_bad_parameters_are_a_400_that_says_why(
    sandbox: SandboxHandle, account: SandboxAccount, params: dict[str, str], message: str
) -> None:
    response = httpx.get(f"{sandbox.url}/api/public/search", params=params, headers=auth(account))
    assert response.status_code == 400
    assert response.json() == {"error": message}


def test_search_pages_newest_first_and_respects_since_and_language(
    sandbox: SandboxHandle, connector: SandboxConnector
) -> None:
    sandbox.control(conversation_rate=3000)  # plenty at any hour of the day
    since = datetime.now(UTC) - timedelta(hours=2)
    seen: list[PublicPost] = []
    cursor = None
    for _ in range(200):
        result, page = connector.search_public(
            "Demo Coffee", since=since, language="pl", cursor=cursor, limit=50
        )
        assert result.outcome is Outcome.OK
        seen.extend(page.posts)
        cursor = page.cursor
        if cursor is None:
            break
    assert cursor is None and seen
    assert [p.created_at for p in seen] == sorted((p.created_at for p in seen), reverse=True)
    assert len({p.remote_id for p in seen}) == len(seen)
    assert all(p.language == "pl" and p.created_at >= since for p in seen)
    assert all("demo coffee" in p.text.lower() for p in seen)
    first = seen[0]
    assert first.url == f"{sandbox.url}/public/{first.remote_id}"
    assert first.author_handle.endswith(".public.sandbox") and first.author_name
    assert first.likes is not None and first.followers is not None
    page_html = httpx.get(first.url)
    assert page_html.status_code == 200
    assert "Sandbox — a local test network" in page_html.text


def test_planted_burst_is_found_at_once_with_its_labels(
    sandbox: SandboxHandle, connector: SandboxConnector
) -> None:
    burst = sandbox.plant("#zebralatte", count=25, sentiment="negative", language="pl")
    assert (burst["term"], burst["kind"], burst["count"], burst["language"]) == (
        "#zebralatte",
        "planted",
        25,
        "pl",
    )
    result, page = connector.search_public("#ZebraLatte", limit=100)
    assert result.outcome is Outcome.OK
    assert len(page.posts) == 25 and page.cursor is None
    assert all(p.language == "pl" and "#zebralatte" in p.text.lower() for p in page.posts)
    truth = sandbox.truth(labels=True)
    labels = {label["id"]: label for label in truth["labels"]}
    assert {labels[p.remote_id]["sentiment"] for p in page.posts} == {"negative"}
    assert {labels[p.remote_id]["burst"] for p in page.posts} == {burst["name"]}


def test_plant_control_refuses_bad_bursts(sandbox: SandboxHandle) -> None:
    response = httpx.post(
        f"{sandbox.url}/api/control", json={"plant": {"term": "x", "sentiment": "angry"}}
    )
    assert response.status_code == 400
    assert response.json() == {
        "error": "plant: sentiment must be one of positive, neutral, negative"
    }
    response = httpx.post(f"{sandbox.url}/api/control", json={"plant": {"term": "x", "count": 0}})
    assert response.json() == {"error": "plant: count must be a whole number from 1 to 9999"}


def test_truth_lists_the_planted_bursts_around_the_anchor(sandbox: SandboxHandle) -> None:
    sandbox.control(conversation_anchor=ANCHOR, conversation_rate=300, seed=3)
    truth = sandbox.truth(since="2026-11-26T00:00:00Z", until="2026-11-27T14:00:00Z")
    named = {b["name"]: b for b in truth["bursts"]}
    assert named["winterblend-launch"] == {
        "name": "winterblend-launch",
        "term": "#winterblend",
        "subject": "winterblend",
        "start": "2026-11-26T06:00:00Z",
        "end": "2026-11-26T10:00:00Z",
        "kind": "launch",
        "sentiment": "positive",
        "language": "",
        "per_hour": 120,
        "count": 0,
    }
    assert named["democoffee-complaints"]["start"] == "2026-11-27T06:00:00Z"
    assert named["democoffee-complaints"]["kind"] == "complaint"
    assert truth["world"] == {"seed": 3, "rate": 300, "anchor": float(ANCHOR)}
    bad = httpx.get(
        f"{sandbox.url}/api/public/truth",
        params={"since": "2026-11-20T00:00:00Z", "until": "2026-11-29T00:00:00Z", "labels": "1"},
    )
    assert bad.status_code == 400
    assert bad.json() == {"error": "labels: ask for at most 7 days at a time"}


def test_deleted_posts_are_named_never_returned(
    sandbox: SandboxHandle, account: SandboxAccount
) -> None:
    sandbox.control(seed=11)
    truth = sandbox.truth(labels=True)
    now = datetime.fromisoformat(truth["now"])
    gone = {
        label["id"]
        for label in truth["labels"]
        if label["deleted_at"] and datetime.fromisoformat(label["deleted_at"]) <= now
    }
    assert gone
    response = httpx.get(
        f"{sandbox.url}/api/public/search",
        params={"q": "the", "since": truth["labels"][0]["created_at"], "limit": "500"},
        headers=auth(account),
        timeout=30,
    )
    body = response.json()
    returned = {post["id"] for post in body["posts"]}
    assert not returned & gone
    assert set(body["deleted"]) <= gone


def test_clock_ahead_makes_later_posts_exist(
    sandbox: SandboxHandle, connector: SandboxConnector
) -> None:
    sandbox.control(conversation_rate=20_000)  # a coffee post every few seconds
    _result, before = connector.search_public("coffee", limit=1)
    sandbox.control(clock_ahead_s=2 * 3600)
    _result, after = connector.search_public("coffee", limit=1)
    assert after.posts[0].created_at > before.posts[0].created_at + timedelta(minutes=60)


def test_failures_map_to_outcomes(sandbox: SandboxHandle, connector: SandboxConnector) -> None:
    sandbox.control(all_endpoints=True, rate_limit_rate=1.0, retry_after=17)
    result, page = connector.search_public("coffee")
    assert (result.outcome, result.retry_after, page) == (
        Outcome.RATE_LIMITED,
        17.0,
        ListeningPage(),
    )
    sandbox.control(rate_limit_rate=0.0, fail_5xx_rate=1.0)
    result, _page = connector.search_public("coffee")
    assert result.outcome is Outcome.RETRYABLE
    sandbox.control(fail_5xx_rate=0.0, revoke=connector.credentials()["token"])
    result, _page = connector.search_public("coffee")
    assert result.outcome is Outcome.UNAUTHORIZED
    result, _page = connector.search_public("   ")
    assert (result.outcome, result.reason) == (
        Outcome.REJECTED,
        "Sandbox needs a term to search for.",
    )


def test_async_search_gives_the_same_page(
    sandbox: SandboxHandle, connector: SandboxConnector
) -> None:
    sandbox.control(conversation_rate=3000)
    # Below a cursor nothing changes any more: both drivers must read the same page.
    _result, top = connector.search_public("coffee", limit=5)
    assert top.cursor is not None

    async def read() -> ListeningPage:
        try:
            _r, page = await connector.search_public_async("coffee", cursor=top.cursor, limit=20)
        finally:
            await close_sessions()
        return page

    first = asyncio.run(read())
    second = connector.search_public("coffee", cursor=top.cursor, limit=20)[1]
    assert first == second and len(first.posts) == 20


def test_unsafe_links_are_dropped_and_malformed_posts_skipped() -> None:
    good = {
        "id": "42",
        "url": "javascript:alert(1)",
        "text": "Demo Coffee ☕",
        "created_at": "2026-11-27T12:00:00+00:00",
        "language": "en",
        "author": {"id": "7", "handle": "ala.public.sandbox", "name": "Ala", "followers": 3},
        "likes": 1,
        "reposts": True,  # not a count
        "replies": 0,
    }
    page = listening.page_of(
        {
            "posts": [good, {**good, "id": "x"}, {**good, "author": "ala"}, "post"],
            "cursor": "",
            "deleted": ["41"],
        }
    )
    assert page == ListeningPage(
        posts=(
            PublicPost(
                remote_id="42",
                text="Demo Coffee ☕",
                created_at=datetime(2026, 11, 27, 12, tzinfo=UTC),
                author_id="7",
                author_handle="ala.public.sandbox",
                author_name="Ala",
                url="",
                language="en",
                likes=1,
                reposts=None,
                replies=0,
                followers=3,
            ),
        ),
        cursor=None,
        deleted=("41",),
        skipped=3,
    )
