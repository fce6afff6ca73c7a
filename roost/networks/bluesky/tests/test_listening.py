"""Listening on Bluesky against recorded app.bsky.feed.searchPosts exchanges.

The search_* exchanges are hand-written in the shapes the searchPosts lexicon documents (not
captured from a live server); the e2e suite searches Bluesky's own dev network.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

from roost.networks.base import ListeningConnector, ListeningPage, Outcome, PublicPost
from roost.networks.bluesky.tests.conftest import Replay, make_connector

Replayer = Callable[[str], Replay]
ALA = "did:plc:a7l4qz2mx5kw3hn6tvbp9rcd"
BOB = "did:plc:b0bq4w7n2k5hx3mvtl6cd1pz"
EWA = "did:plc:ewa6n3fkq2pz7hm4xwt5lc9d"
GONE = "did:plc:x9invq2lm7hd4kzw3pt6nb5c"

assert isinstance(make_connector(), ListeningConnector)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def test_two_pages_newest_first(replay: Replayer) -> None:
    replay("search_two_pages")
    connector = make_connector()
    result, first = connector.search_public("Demo Coffee", limit=3)
    assert result.outcome is Outcome.OK
    assert first == ListeningPage(
        posts=(
            PublicPost(
                remote_id=f"at://{ALA}/app.bsky.feed.post/3n3c6w2kfzc2a",
                text="Wypiłam dziś #winterblend od Demo Coffee, pycha",
                created_at=at("2026-11-27T11:58:01.250Z"),
                author_id=ALA,
                author_handle="ala.bsky.social",
                author_name="Ala ☕",
                url="https://bsky.app/profile/ala.bsky.social/post/3n3c6w2kfzc2a",
                language="pl",
                likes=12,
                reposts=3,
                replies=1,
            ),
            PublicPost(
                remote_id=f"at://{BOB}/app.bsky.feed.post/3n3c6tq4nfk2d",
                text="Demo Coffee's Winter Blend tastes like Christmas",
                created_at=at("2026-11-27T11:51:44.000Z"),
                author_id=BOB,
                author_handle="bob.example.com",
                author_name="Bob 🚲",
                url="https://bsky.app/profile/bob.example.com/post/3n3c6tq4nfk2d",
                language="en",
                likes=4,
                reposts=0,
                replies=2,
            ),
            PublicPost(
                remote_id=f"at://{GONE}/app.bsky.feed.post/3n3c6r7yd3s2k",
                text="demo coffee again late. sigh",
                created_at=at("2026-11-27T11:40:00.000Z"),
                author_id=GONE,
                author_handle="handle.invalid",
                # A handle that does not verify: the link goes through the DID.
                url=f"https://bsky.app/profile/{GONE}/post/3n3c6r7yd3s2k",
                likes=0,
                reposts=0,
                replies=0,
            ),
        ),
        cursor="3",
    )
    result, second = connector.search_public("Demo Coffee", limit=3, cursor=first.cursor)
    assert result.outcome is Outcome.OK
    assert [p.remote_id for p in second.posts] == [f"at://{EWA}/app.bsky.feed.post/3n3c5pl2mfc2x"]
    assert (second.cursor, second.skipped, second.deleted) == (None, 3, ())


def test_since_and_language_are_asked_for(replay: Replayer) -> None:
    recorded = replay("search_since_lang")
    since = datetime(2026, 11, 27, 12, 0, tzinfo=timezone(timedelta(hours=1)))
    result, page = make_connector().search_public(
        "  #winterblend ", since=since, language="pl", limit=500
    )
    assert (result.outcome, page) == (Outcome.OK, ListeningPage())
    assert len(recorded.requests) == 1


def test_a_query_bluesky_cannot_parse_is_rejected(replay: Replayer) -> None:
    replay("search_bad_query")
    result, page = make_connector().search_public('"unclosed')
    assert result.outcome is Outcome.REJECTED
    assert result.reason == "Bluesky refused this: Error parsing query (BadQueryString, HTTP 400)."
    assert page == ListeningPage()


def test_rate_limit_waits_for_the_reset(replay: Replayer) -> None:
    replay("search_rate_limited")
    result, page = make_connector().search_public("coffee")
    assert (result.outcome, result.retry_after, page) == (
        Outcome.RATE_LIMITED,
        240.0,
        ListeningPage(),
    )


def test_upstream_failure_is_retryable(replay: Replayer) -> None:
    replay("search_502")
    result, _page = make_connector().search_public("coffee")
    assert result.outcome is Outcome.RETRYABLE


def test_an_unreadable_answer_is_retryable(replay: Replayer) -> None:
    replay("search_unreadable")
    result, page = make_connector().search_public("coffee")
    assert result.outcome is Outcome.RETRYABLE
    assert result.reason == (
        "Bluesky sent an answer Roost could not read (searchPosts answered without a list "
        "of posts); try again later."
    )
    assert page == ListeningPage()


def test_an_empty_term_asks_nothing(replay: Replayer) -> None:
    replay("none")
    result, page = make_connector().search_public("   ")
    assert (result.outcome, result.reason, page) == (
        Outcome.REJECTED,
        "Bluesky needs a term to search for.",
        ListeningPage(),
    )
