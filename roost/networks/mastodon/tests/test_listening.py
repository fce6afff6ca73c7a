"""search_public(): hashtag timelines, full-text search, and an honest "not supported".

The tag_timeline_* and search_statuses_* exchanges are hand-written in the shapes Mastodon
documents for GET /api/v1/timelines/tag/:hashtag and GET /api/v2/search (not captured from a
live server).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from roost.networks.base import ListeningConnector, ListeningPage, Outcome, PublicPost, Result
from roost.networks.mastodon.tests.replay import Replay
from roost.networks.mastodon.tests.support import CONFIG, connector

assert isinstance(connector(Replay()), ListeningConnector)

Recorded = Callable[..., Replay]
WITH_ID = {**CONFIG, "account_id": "113122209187643102"}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def test_a_hashtag_reads_its_timeline_page_by_page(recorded: Recorded) -> None:
    mastodon = connector(recorded("instance_v2_mastodon_social", "tag_timeline_two_pages"))
    since = at("2026-11-27T12:00:00Z")
    result, first = mastodon.search_public("#winterblend", since=since, limit=2)
    assert result.outcome is Outcome.OK
    assert first == ListeningPage(
        posts=(
            PublicPost(
                remote_id="117689200000000002",
                text="Pierwszy łyk #winterblend & sernik\n\npolecam!",
                created_at=at("2026-11-27T15:20:00Z"),
                author_id="112233445566778899",
                author_handle="@ala@mastodon.social",
                author_name="Ala ☕",
                url="https://mastodon.social/@ala/117689200000000002",
                language="pl",
                likes=5,
                reposts=2,
                replies=1,
                followers=321,
            ),
            PublicPost(
                remote_id="117689100000000001",
                text="#winterblend\nsmells like cinnamon",
                created_at=at("2026-11-27T14:55:00Z"),
                author_id="109364817272638941",
                author_handle="@bob@bike.example",
                author_name="Bob 🚲",
                url="",  # javascript: is never kept
                language="en",
                likes=0,
                reposts=0,
                replies=0,
                followers=45,
            ),
        ),
        cursor="117689100000000001",
    )
    result, second = mastodon.search_public(
        "#winterblend", since=since, limit=2, cursor=first.cursor
    )
    assert result.outcome is Outcome.OK
    # The status from before `since` is left out, and the search ends there.
    assert [p.remote_id for p in second.posts] == ["117689000000000009"]
    assert second.cursor is None


def test_words_use_full_text_search_and_language_is_filtered_here(recorded: Recorded) -> None:
    mastodon = connector(recorded("search_statuses_found"))
    result, page = mastodon.search_public("Demo Coffee", language="pl", limit=2)
    assert result.outcome is Outcome.OK
    assert [(p.remote_id, p.text, p.language) for p in page.posts] == [
        ("117689200000000003", "Demo Coffee znowu spóźnione 😡", "pl-PL")
    ]
    assert page.cursor == "2"  # the offset of the next page


def test_an_instance_without_full_text_search_says_so(recorded: Recorded) -> None:
    mastodon = connector(recorded("search_statuses_unsupported"), config=WITH_ID)
    result, page = mastodon.search_public("Demo Coffee")
    assert (result.outcome, page) == (Outcome.REJECTED, ListeningPage())
    assert result.reason == (
        "Searching posts by words is not supported on this instance (mastodon.social has no "
        "full-text search); listen for #hashtags there instead."
    )


def test_no_match_on_an_instance_that_searches_is_an_empty_page(recorded: Recorded) -> None:
    mastodon = connector(recorded("search_statuses_none_found"), config=WITH_ID)
    assert mastodon.search_public("zebra") == (Result(Outcome.OK), ListeningPage())
    # The probe's answer is kept: the next empty search asks nothing more.
    assert mastodon.search_public("zebra") == (Result(Outcome.OK), ListeningPage())


def test_rate_limited_search(recorded: Recorded) -> None:
    mastodon = connector(recorded("search_statuses_429"))
    result, page = mastodon.search_public("coffee")
    assert (result.outcome, page) == (Outcome.RATE_LIMITED, ListeningPage())
    assert result.retry_after == 300.0


def test_an_empty_term_asks_nothing(recorded: Recorded) -> None:
    mastodon = connector(recorded())
    assert mastodon.search_public("  ") == (
        Result(Outcome.REJECTED, reason="Mastodon needs a term to search for."),
        ListeningPage(),
    )
