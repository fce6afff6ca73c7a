"""The inbox against recorded XRPC exchanges: notifications in, replies out.

The inbox_* and reply_* exchanges are hand-written in the shapes Bluesky documents for
app.bsky.notification.listNotifications, app.bsky.feed.getPosts and
com.atproto.repo.createRecord (not captured from a live server); that a reply which also
@mentions the account arrives as reason "mention" was measured on Bluesky's dev network.
"""

from __future__ import annotations

import json
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
from roost.networks.bluesky.tests.conftest import DID, HANDLE, Replay, make_connector
from roost.networks.bluesky.tid import part_rkey

# Every Bluesky connector reads an inbox.
assert isinstance(make_connector(), InboxConnector)

Replayer = Callable[[str], Replay]
ALA = "did:plc:a7l4qz2mx5kw3hn6tvbp9rcd"
BOB = "did:plc:b0bq4w7n2k5hx3mvtl6cd1pz"
EWA = "did:plc:ewa6n3fkq2pz7hm4xwt5lc9d"
GONE = "did:plc:x9invq2lm7hd4kzw3pt6nb5c"
OUR_ROOT = f"at://{DID}/app.bsky.feed.post/3n3c5aevg2222"
OUR_REPLY = f"at://{DID}/app.bsky.feed.post/3n3c5f4hxk22o"
FIRST_CURSOR = "2026-11-27T11:50:30.120Z"
SECOND_CURSOR = "2026-11-27T11:57:00.000Z"
NO_ACTIVITY = {"likes": 0, "reposts": 0, "follows": 0}
KEY = "inbox-reply-3f9c2a"
RKEY = part_rkey(KEY, 0)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def post(did: str, rkey: str) -> str:
    return f"at://{did}/app.bsky.feed.post/{rkey}"


FIRST_ITEMS = (
    Inbound(
        remote_id=post(GONE, "3n3c5xkfzqk2a"),
        kind=InboundKind.MENTION,
        text="Polecam @roost-test.bsky.social na poranną kawę",
        created_at=at("2026-11-27T11:29:58.100Z"),
        author_id=GONE,
        author_handle="handle.invalid",
        # A handle that does not verify: the link goes through the DID.
        url=f"https://bsky.app/profile/{GONE}/post/3n3c5xkfzqk2a",
    ),
    Inbound(
        remote_id=post(BOB, "3n3c67nlczs2f"),
        kind=InboundKind.REPLY,
        text="A szarlotka jest też bez glutenu?",
        created_at=at("2026-11-27T11:44:40.310Z"),
        author_id=BOB,
        author_handle="bob.example.com",
        author_name="Bob 🚲",
        url="https://bsky.app/profile/bob.example.com/post/3n3c67nlczs2f",
        parent_id=OUR_REPLY,
        root_id=OUR_ROOT,
        language="pl",
    ),
    Inbound(
        remote_id=post(EWA, "3n3c6a7tdfc2l"),
        kind=InboundKind.QUOTE,
        text="This café schedules its posts like a pro",
        created_at=at("2026-11-27T11:46:59.002Z"),
        author_id=EWA,
        author_handle="ewa.bsky.social",
        url="https://bsky.app/profile/ewa.bsky.social/post/3n3c6a7tdfc2l",
        language="en",
    ),
    # Reason "mention", but it answers our post: a reply.
    Inbound(
        remote_id=post(ALA, "3n3c6b2wsqk2x"),
        kind=InboundKind.REPLY,
        text="@roost-test.bsky.social dzięki, latte było świetne!",
        created_at=at("2026-11-27T11:49:09.871Z"),
        author_id=ALA,
        author_handle="ala.bsky.social",
        author_name="Ala Kowalska",
        url="https://bsky.app/profile/ala.bsky.social/post/3n3c6b2wsqk2x",
        parent_id=OUR_ROOT,
        root_id=OUR_ROOT,
        language="pl",
    ),
)
SECOND_ITEMS = (
    Inbound(
        remote_id=post(BOB, "3n3c6fzzjek2h"),
        kind=InboundKind.QUOTE,
        text="Polecam 👇",
        created_at=at("2026-11-27T11:53:59.000Z"),
        author_id=BOB,
        author_handle="bob.example.com",
        author_name="Bob 🚲",
        url="https://bsky.app/profile/bob.example.com/post/3n3c6fzzjek2h",
    ),
    Inbound(
        remote_id=post(ALA, "3n3c6gx3wlk2i"),
        kind=InboundKind.REPLY,
        text="Do zobaczenia w sobotę!",
        created_at=at("2026-11-27T11:54:58.000Z"),
        author_id=ALA,
        author_handle="ala.bsky.social",
        author_name="Ala Kowalska",
        url="https://bsky.app/profile/ala.bsky.social/post/3n3c6gx3wlk2i",
        parent_id=OUR_REPLY,
        root_id=OUR_ROOT,
        language="pl",
    ),
    # isRead was true (someone opened it in the Bluesky app): it is still new to Roost.
    Inbound(
        remote_id=post(BOB, "3n3c6ijx2vs2k"),
        kind=InboundKind.MENTION,
        text="Kto zna dobrą kawiarnię? @roost-test.bsky.social",
        created_at=at("2026-11-27T11:56:59.700Z"),
        author_id=BOB,
        author_handle="bob.example.com",
        author_name="Bob 🚲",
        url="https://bsky.app/profile/bob.example.com/post/3n3c6ijx2vs2k",
        language="pl",
    ),
)


def cursors(exchanges: Replay) -> list[str | None]:
    """The listNotifications cursor of each request sent (None: from the newest)."""
    return [
        dict(request.url.params).get("cursor")
        for request in exchanges.requests
        if request.url.path.endswith("listNotifications")
    ]


def test_first_poll_reads_one_page_of_the_recent_past(replay: Replayer) -> None:
    exchanges = replay("inbox_first_poll")

    result, page = make_connector().fetch_inbox(None)

    assert result == Result(Outcome.OK)
    assert page == InboxPage(
        items=FIRST_ITEMS,
        cursor=FIRST_CURSOR,
        activity={"likes": 1, "reposts": 1, "follows": 1},
        # No author; unknown reason; a like as "reply"; 3000+ bytes of text; no indexedAt.
        skipped=5,
    )
    assert cursors(exchanges) == [None]  # Bluesky's cursor to older pages is not followed
    assert exchanges.requests[0].url.params.get_list("reasons") == [
        "mention",
        "reply",
        "quote",
        "like",
        "repost",
        "follow",
    ]
    assert exchanges.requests[0].url.params["limit"] == "100"


def test_the_next_poll_pages_back_to_the_cursor_without_duplicates(replay: Replayer) -> None:
    exchanges = replay("inbox_two_polls")
    connector = make_connector()

    _result, first = connector.fetch_inbox(None)
    assert first.cursor is not None
    result, page = connector.fetch_inbox(first.cursor)

    assert result == Result(Outcome.OK)
    # Two new likes; the like and the reply seen by the first poll are not counted again.
    assert page == InboxPage(
        items=SECOND_ITEMS, cursor=SECOND_CURSOR, activity={**NO_ACTIVITY, "likes": 2}
    )
    assert cursors(exchanges) == [None, None, "1795780500000::bafyreid3ngmxq"]
    both = [item.remote_id for item in first.items + page.items]
    assert len(both) == len(set(both)) == 7


def test_nothing_new_keeps_the_old_cursor(replay: Replayer) -> None:
    replay("inbox_nothing_new")
    assert make_connector().fetch_inbox(SECOND_CURSOR) == (
        Result(Outcome.OK),
        InboxPage(cursor=None, activity=NO_ACTIVITY),
    )


def test_a_poll_reads_at_most_ten_pages(replay: Replayer) -> None:
    exchanges = replay("inbox_bounded")

    result, page = make_connector().fetch_inbox("2026-11-27T10:00:00.000Z")

    assert result == Result(Outcome.OK)
    assert page == InboxPage(
        cursor="2026-11-27T11:59:00.000Z", activity={**NO_ACTIVITY, "likes": 10}
    )
    assert len(exchanges.requests) == 10


def test_an_unreadable_cursor_is_a_first_poll(replay: Replayer) -> None:
    exchanges = replay("inbox_first_poll")
    result, page = make_connector().fetch_inbox("not-a-time")
    assert (result, page.items, page.cursor) == (Result(Outcome.OK), FIRST_ITEMS, FIRST_CURSOR)
    assert cursors(exchanges) == [None]


def test_inbox_rate_limited(replay: Replayer) -> None:
    replay("inbox_rate_limited")
    assert make_connector().fetch_inbox(FIRST_CURSOR) == (
        Result(
            Outcome.RATE_LIMITED,
            retry_after=240.0,
            reason="Bluesky's rate limit was reached (Rate Limit Exceeded (RateLimitExceeded, "
            "HTTP 429)); try again in 240 seconds.",
        ),
        InboxPage(),
    )


def test_inbox_server_error_is_retryable(replay: Replayer) -> None:
    replay("inbox_502")
    assert make_connector().fetch_inbox(FIRST_CURSOR) == (
        Result(
            Outcome.RETRYABLE,
            reason="Bluesky could not be reached or failed (Upstream Failure (UpstreamFailure, "
            "HTTP 502)); try again later.",
        ),
        InboxPage(),
    )


def test_inbox_unauthorized_when_app_password_is_revoked(replay: Replayer) -> None:
    replay("inbox_unauthorized")
    assert make_connector().fetch_inbox(FIRST_CURSOR) == (
        Result(
            Outcome.UNAUTHORIZED,
            reason="Bluesky did not accept this account's login (Invalid identifier or password "
            "(AuthenticationRequired, HTTP 401)); reconnect the channel with a new app password.",
        ),
        InboxPage(),
    )


def test_inbox_unreadable_answer_is_retryable(replay: Replayer) -> None:
    replay("inbox_unreadable")
    assert make_connector().fetch_inbox(None) == (
        Result(
            Outcome.RETRYABLE,
            reason="Bluesky sent an answer Roost could not read (listNotifications answered "
            "without a list of notifications); try again later.",
        ),
        InboxPage(),
    )


# Replies.

REPLY_URI = f"at://{DID}/app.bsky.feed.post/{RKEY}"
REPLIED = Result(
    Outcome.OK,
    published=Published(REPLY_URI, f"https://bsky.app/profile/{HANDLE}/post/{RKEY}", (REPLY_URI,)),
)


def strong_ref(exchanges: Replay, which: str) -> tuple[str, str]:
    reply = json.loads(exchanges.requests[-1].content)["record"]["reply"]
    return reply[which]["uri"], reply[which]["cid"]


def test_reply_in_a_thread_points_at_its_root_and_parent(replay: Replayer) -> None:
    exchanges = replay("reply_in_thread")
    text = "@ala.bsky.social Dziękujemy! Menu: https://kawiarnia.example/menu ☕ #kawa"
    parent = post(ALA, "3n3c6gx3wlk2i")

    result = make_connector().reply(ReplyRequest(KEY, text, parent_id=parent, root_id=OUR_ROOT))

    assert result == REPLIED
    created = json.loads(exchanges.requests[-1].content)
    assert (created["repo"], created["rkey"]) == (DID, RKEY)
    # The root comes from the parent's own reply field (getPosts), with its cid.
    parent_cid = exchanges.exchanges[0]["response"]["json"]["posts"][0]["cid"]
    root_cid = exchanges.exchanges[0]["response"]["json"]["posts"][0]["record"]["reply"]["root"]
    assert strong_ref(exchanges, "root") == (OUR_ROOT, root_cid["cid"])
    assert strong_ref(exchanges, "parent") == (parent, parent_cid)
    assert [
        (f["index"]["byteStart"], f["index"]["byteEnd"], f["features"][0]["$type"])
        for f in created["record"]["facets"]
    ] == [
        (0, 16, "app.bsky.richtext.facet#mention"),
        (36, 66, "app.bsky.richtext.facet#link"),
        (71, 76, "app.bsky.richtext.facet#tag"),
    ]
    assert text.encode()[71:76] == b"#kawa"


def test_reply_to_the_start_of_a_thread(replay: Replayer) -> None:
    exchanges = replay("reply_top_level")
    parent = post(BOB, "3n3c6ijx2vs2k")

    result = make_connector().reply(ReplyRequest(KEY, "Polecamy Kawiarnię Zażółć!", parent))

    assert result == REPLIED
    assert strong_ref(exchanges, "root") == strong_ref(exchanges, "parent")
    assert strong_ref(exchanges, "root")[0] == parent


def test_a_repeated_reply_finds_the_first_instead_of_doubling_it(replay: Replayer) -> None:
    exchanges = replay("reply_repeated")
    parent = post(BOB, "3n3c6ijx2vs2k")

    result = make_connector().reply(ReplyRequest(KEY, "Polecamy Kawiarnię Zażółć!", parent))

    assert result == REPLIED
    assert [r.url.path.rsplit(".", 1)[-1] for r in exchanges.requests] == [
        "getPosts",
        "createRecord",
        "getRecord",
    ]


def test_reply_to_a_deleted_post_is_rejected_without_posting(replay: Replayer) -> None:
    replay("reply_parent_gone")
    parent = post(BOB, "3n3c6ijx2vs2k")
    assert make_connector().reply(ReplyRequest(KEY, "Dzięki!", parent)) == Result(
        Outcome.REJECTED, reason=f"The Bluesky post to reply to is gone or hidden ({parent})."
    )


def test_reply_rate_limited(replay: Replayer) -> None:
    replay("reply_rate_limited")
    result = make_connector().reply(
        ReplyRequest(KEY, "Polecamy Kawiarnię Zażółć!", post(BOB, "3n3c6ijx2vs2k"))
    )
    assert result == Result(
        Outcome.RATE_LIMITED,
        retry_after=300.0,
        reason="Bluesky's rate limit was reached (Rate Limit Exceeded (RateLimitExceeded, "
        "HTTP 429)); try again in 300 seconds.",
    )


def test_reply_checks_the_text_and_kind_before_sending(replay: Replayer) -> None:
    replay("none")
    connector = make_connector()
    parent = post(BOB, "3n3c6ijx2vs2k")
    assert connector.reply(ReplyRequest(KEY, "x" * 301, parent)) == Result(
        Outcome.REJECTED, reason="Bluesky allows 300 characters per post; this post has 301."
    )
    assert connector.reply(ReplyRequest(KEY, "Hej", parent, kind=InboundKind.DIRECT)) == Result(
        Outcome.REJECTED, reason="Roost cannot answer Bluesky direct messages."
    )
    assert connector.reply(ReplyRequest(KEY, "Hej", "https://bsky.app/x")).outcome is (
        Outcome.REJECTED
    )
