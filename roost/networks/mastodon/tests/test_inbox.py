"""fetch_inbox() and reply(): the requests Mastodon.py sends, and the exact items and Results.

The notifications_* and reply_* exchanges are hand-written in the shapes Mastodon documents
for GET /api/v1/notifications, GET /api/v1/statuses/:id(/context) and POST /api/v1/statuses
(not captured from a live server).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

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
from roost.networks.mastodon.client import TIMEOUT
from roost.networks.mastodon.tests.replay import Replay, form, query
from roost.networks.mastodon.tests.support import CONFIG, INSTANCE, TOKEN, connector

# Every Mastodon connector reads an inbox.
assert isinstance(connector(Replay()), InboxConnector)

Recorded = Callable[..., Replay]
NOTIFICATIONS = f"{INSTANCE}/api/v1/notifications"
STATUSES = f"{INSTANCE}/api/v1/statuses"
TYPES = ["mention", "quote", "favourite", "reblog", "follow"]
NO_ACTIVITY = {"likes": 0, "reposts": 0, "follows": 0}
S0 = "117689116288614401"
ALA, BOB, EWA = "112233445566778899", "109364817272638941", "110998877665544332"
DM_ROOT = "117689250000000002"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


FIRST_ITEMS = (
    # In someone else's thread: a mention (it answers another account), with its parent.
    Inbound(
        remote_id="117689180000000004",
        kind=InboundKind.MENTION,
        text="@carol @roost_demo knows good coffee",
        created_at=at("2026-11-27T15:18:00Z"),
        author_id=BOB,
        author_handle="@bob@fosstodon.org",
        author_name="Bob",
        url="https://fosstodon.org/@bob/117689180000000004",
        parent_id="117689170000000009",
        language="en",
    ),
    Inbound(
        remote_id="117689260000000003",
        kind=InboundKind.QUOTE,
        text="Tak się planuje posty ☕",
        created_at=at("2026-11-27T15:23:10Z"),
        author_id=EWA,
        author_handle="@ewa@pol.social",
        url="https://pol.social/@ewa/117689260000000003",
        language="pl",
    ),
    # A direct message that starts its conversation: the conversation is named after it.
    Inbound(
        remote_id=DM_ROOT,
        kind=InboundKind.DIRECT,
        text="@roost_demo can I book a table for 6 on Saturday?",
        created_at=at("2026-11-27T15:22:30.500Z"),
        author_id=BOB,
        author_handle="@bob@fosstodon.org",
        author_name="Bob",
        url=f"https://fosstodon.org/@bob/{DM_ROOT}",
        root_id=DM_ROOT,
        conversation_id=DM_ROOT,
        language="en",
    ),
    # A local account (acct "ala") answering our status: a reply, handle with our domain.
    Inbound(
        remote_id="117689200000000001",
        kind=InboundKind.REPLY,
        text="@roost_demo dzięki, latte było świetne!",
        created_at=at("2026-11-27T15:20:01Z"),
        author_id=ALA,
        author_handle="@ala@mastodon.social",
        author_name="Ala Kowalska",
        url="https://mastodon.social/@ala/117689200000000001",
        parent_id=S0,
        language="pl",
    ),
)
SECOND_ITEMS = (
    # Notified as a quote (48211) and as a mention (48212): one item, the first kind.
    Inbound(
        remote_id="117689305000000007",
        kind=InboundKind.QUOTE,
        text="@roost_demo polecam!",
        created_at=at("2026-11-27T15:28:00Z"),
        author_id=EWA,
        author_handle="@ewa@pol.social",
        url="https://pol.social/@ewa/117689305000000007",
        language="pl",
    ),
    # Answers our reply in the direct conversation: same conversation as its first message.
    Inbound(
        remote_id="117689310000000006",
        kind=InboundKind.DIRECT,
        text="@roost_demo great, 7 pm then",
        created_at=at("2026-11-27T15:29:00Z"),
        author_id=BOB,
        author_handle="@bob@fosstodon.org",
        author_name="Bob",
        url="https://fosstodon.org/@bob/117689310000000006",
        parent_id="117689300000000005",
        root_id=DM_ROOT,
        conversation_id=DM_ROOT,
        language="en",
    ),
)


def sent(replay: Replay) -> list[tuple[str, str, dict[str, list[str]]]]:
    """(method, path, query) of every request."""
    return [
        (r.method or "", (r.url or "").split("?")[0].removeprefix(INSTANCE), query(r))
        for r in replay.sent
    ]


def page_query(min_id: str | None = None) -> dict[str, list[str]]:
    return {**({"min_id": [min_id]} if min_id else {}), "limit": ["40"], "types[]": TYPES}


def test_first_poll_reads_the_newest_page(recorded: Recorded) -> None:
    replay = recorded("notifications_first_poll")

    result, page = connector(replay).fetch_inbox(None)

    assert result == Result(Outcome.OK)
    assert page == InboxPage(
        items=FIRST_ITEMS,
        cursor="48210",
        activity={"likes": 1, "reposts": 1, "follows": 1},
        # A mention without a status, a "poll" despite types[], a status without content.
        skipped=3,
    )
    assert sent(replay) == [
        ("GET", "/api/v1/notifications", page_query()),
        ("GET", "/api/v1/accounts/verify_credentials", {}),
    ]
    assert replay.sent[0].headers["Authorization"] == f"Bearer {TOKEN}"
    assert replay.timeouts == [TIMEOUT, TIMEOUT]


def test_the_next_poll_walks_forward_from_the_cursor(recorded: Recorded) -> None:
    replay = recorded("notifications_two_polls")
    inbox = connector(replay)

    _result, first = inbox.fetch_inbox(None)
    result, page = inbox.fetch_inbox(first.cursor)

    assert result == Result(Outcome.OK)
    assert page == InboxPage(
        items=SECOND_ITEMS, cursor="48214", activity={**NO_ACTIVITY, "likes": 1}
    )
    assert sent(replay)[2:] == [
        ("GET", "/api/v1/notifications", page_query("48210")),
        ("GET", "/api/v1/statuses/117689310000000006/context", {}),
        ("GET", "/api/v1/notifications", page_query("48214")),
    ]
    both = [item.remote_id for item in first.items + page.items]
    assert len(both) == len(set(both)) == 6


def test_our_account_id_from_config_saves_a_request(recorded: Recorded) -> None:
    replay = recorded("notifications_first_poll:0")
    config = {**CONFIG, "account_id": "113122209187643102"}
    result, page = connector(replay, config=config).fetch_inbox(None)
    assert (result, page.items) == (Result(Outcome.OK), FIRST_ITEMS)


def test_nothing_new_keeps_the_old_cursor(recorded: Recorded) -> None:
    assert connector(recorded("notifications_nothing_new")).fetch_inbox("48214") == (
        Result(Outcome.OK),
        InboxPage(cursor=None, activity=NO_ACTIVITY),
    )


def test_a_poll_reads_at_most_ten_pages(recorded: Recorded) -> None:
    replay = recorded("notifications_bounded")
    result, page = connector(replay).fetch_inbox("48299")
    assert (result, page) == (
        Result(Outcome.OK),
        InboxPage(cursor="48309", activity={**NO_ACTIVITY, "likes": 10}),
    )
    assert [q["min_id"] for _m, _p, q in sent(replay)] == [[str(48299 + i)] for i in range(10)]


def test_a_failed_page_keeps_what_came_before_it(recorded: Recorded) -> None:
    replay = recorded("notifications_503_on_page_2")
    result, page = connector(replay).fetch_inbox("48210")
    assert result == Result(
        Outcome.RETRYABLE,
        reason="Mastodon (mastodon.social) had a temporary problem (HTTP 503).",
    )
    # The next poll starts after the page that arrived; nothing of it is lost or repeated.
    assert page == InboxPage(
        items=SECOND_ITEMS[:1], cursor="48213", activity={**NO_ACTIVITY, "likes": 1}
    )


def test_inbox_rate_limited(recorded: Recorded) -> None:
    assert connector(recorded("notifications_429")).fetch_inbox("48210") == (
        Result(
            Outcome.RATE_LIMITED,
            retry_after=150.123456,
            reason="Mastodon (mastodon.social) asked Roost to slow down for this account; "
            "wait about 150 seconds.",
        ),
        InboxPage(activity=NO_ACTIVITY),
    )


def test_inbox_with_a_revoked_token(recorded: Recorded) -> None:
    assert connector(recorded("notifications_401")).fetch_inbox("48210") == (
        Result(
            Outcome.UNAUTHORIZED,
            # Mastodon.py loses the server's words when a list endpoint answers an error.
            reason="Mastodon (mastodon.social) no longer accepts Roost's access to this account "
            "(Unauthorized). Reconnect the channel.",
        ),
        InboxPage(activity=NO_ACTIVITY),
    )


# Replies.


def test_reply_mentions_the_author_and_keeps_the_parents_visibility(recorded: Recorded) -> None:
    replay = recorded("reply_parent_unlisted")
    request = ReplyRequest("inbox-reply-41", "Dziękujemy!", "117689200000000001", root_id=S0)

    result = connector(replay).reply(request)

    assert result == Result(
        Outcome.OK,
        published=Published(
            "117689400000000010",
            "https://mastodon.social/@roost_demo/117689400000000010",
            ("117689400000000010",),
        ),
    )
    fetch, post = replay.sent
    assert (fetch.method, fetch.url) == ("GET", f"{STATUSES}/117689200000000001")
    assert (post.method, post.url) == ("POST", STATUSES)
    assert post.headers["Idempotency-Key"] == "inbox-reply-41"
    assert form(post) == {
        "status": ["@ala Dziękujemy!"],
        "in_reply_to_id": ["117689200000000001"],
        "sensitive": ["0"],
        "visibility": ["unlisted"],
    }


def test_reply_that_already_mentions_the_author_is_sent_as_written(recorded: Recorded) -> None:
    replay = recorded("reply_parent_public")
    request = ReplyRequest("inbox-reply-42", "@Bob@fosstodon.org thanks!", "117689180000000004")

    assert connector(replay).reply(request).outcome is Outcome.OK
    assert form(replay.sent[1]) == {
        "status": ["@Bob@fosstodon.org thanks!"],
        "in_reply_to_id": ["117689180000000004"],
        "sensitive": ["0"],
        "visibility": ["public"],
    }


def test_reply_to_a_direct_message_stays_direct(recorded: Recorded) -> None:
    replay = recorded("reply_parent_direct")
    request = ReplyRequest(
        "inbox-reply-43",
        "see you!",
        "117689310000000006",
        root_id=DM_ROOT,
        conversation_id=DM_ROOT,
        kind=InboundKind.DIRECT,
    )

    assert connector(replay).reply(request).outcome is Outcome.OK
    assert form(replay.sent[1]) == {
        # "@bob" alone would name a local account: a remote author keeps the domain.
        "status": ["@bob@fosstodon.org see you!"],
        "in_reply_to_id": ["117689310000000006"],
        "sensitive": ["0"],
        "visibility": ["direct"],
    }
    assert replay.sent[1].headers["Idempotency-Key"] == "inbox-reply-43"


def test_reply_to_a_deleted_status_is_rejected(recorded: Recorded) -> None:
    replay = recorded("reply_parent_404")
    request = ReplyRequest("inbox-reply-44", "thanks!", "117689180000000004")
    assert connector(replay).reply(request) == Result(
        Outcome.REJECTED,
        reason="Mastodon (mastodon.social) refused the request: Record not found (HTTP 404).",
    )
    assert [r.method for r in replay.sent] == ["GET"]


def test_reply_errors_map_as_publish_does(recorded: Recorded) -> None:
    request = ReplyRequest("inbox-reply-45", "thanks!", "117689180000000004")
    limited = connector(recorded("reply_parent_only", "statuses_post_429")).reply(request)
    assert limited == Result(
        Outcome.RATE_LIMITED,
        retry_after=150.123456,
        reason="Mastodon (mastodon.social) asked Roost to slow down for this account; "
        "wait about 150 seconds.",
    )
    revoked = connector(recorded("reply_parent_only", "statuses_post_401")).reply(request)
    assert revoked.outcome is Outcome.UNAUTHORIZED
    failing = connector(recorded("reply_parent_only", "statuses_post_503")).reply(request)
    assert failing == Result(
        Outcome.RETRYABLE,
        reason="Mastodon (mastodon.social) had a temporary problem (HTTP 503).",
    )
    timed_out = connector(recorded("reply_parent_only", "statuses_post_timeout")).reply(request)
    assert timed_out == Result(
        Outcome.RETRYABLE, reason="Mastodon (mastodon.social) did not answer in time."
    )


def test_reply_too_long_with_the_mention_is_rejected_before_posting(
    recorded: Recorded,
) -> None:
    replay = recorded("reply_parent_only")
    # 496 characters, plus "@bob@fosstodon.org " which Mastodon counts as "@bob " (5).
    request = ReplyRequest("inbox-reply-46", "x" * 496, "117689180000000004")
    assert connector(replay).reply(request) == Result(
        Outcome.REJECTED,
        reason="Mastodon (mastodon.social) allows 500 characters per post; part 1 has 501.",
    )
    assert [r.method for r in replay.sent] == ["GET"]
