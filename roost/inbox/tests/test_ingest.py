"""Ingestion: dedupe, threading, rules, cursors; bad payloads skipped, nothing lost."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from roost.channels.models import Channel
from roost.conftest import World, make_channel
from roost.inbox.models import Conversation, InboxCursor, InboxRule, Message, Task
from roost.inbox.services.ingest import ingest
from roost.networks.base import Inbound, InboundKind, InboxPage

T0 = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


def item(rid: str, text: str = "hello", **kw: object) -> Inbound:
    fields: dict[str, object] = {
        "remote_id": rid,
        "kind": InboundKind.MENTION,
        "text": text,
        "created_at": T0 + timedelta(minutes=int(rid.split("-")[-1]) if rid[-1:].isdigit() else 0),
        "author_id": "u1",
        "author_handle": "anna.sandbox",
        "author_name": "Anna",
    }
    fields.update(kw)
    return Inbound(**fields)  # type: ignore[arg-type]


def test_duplicates_are_dropped_and_the_cursor_moves(world: World) -> None:
    channel = make_channel(world.a, "Inbox only")
    first = ingest(channel, InboxPage(items=(item("m-1"), item("m-2"), item("m-1")), cursor="2"))
    assert (first.created, first.duplicates) == (2, 0)
    again = ingest(channel, InboxPage(items=(item("m-2"), item("m-3")), cursor="3"))
    assert (again.created, again.duplicates) == (1, 1)
    assert Message.objects.filter(channel=channel).count() == 3
    assert InboxCursor.objects.get(channel=channel).cursor == "3"


def test_replies_thread_into_one_conversation(world: World) -> None:
    channel = make_channel(world.a, "Threads")
    ingest(channel, InboxPage(items=(item("root-1", kind=InboundKind.MENTION),)))
    ingest(
        channel,
        InboxPage(
            items=(
                item("r-2", kind=InboundKind.REPLY, parent_id="root-1", root_id="root-1"),
                item("r-3", kind=InboundKind.REPLY, parent_id="r-2"),  # root unknown: via parent
            )
        ),
    )
    conversations = Conversation.objects.filter(channel=channel)
    assert conversations.count() == 1
    assert conversations.get().key == "root-1"
    assert conversations.get().messages.count() == 3


def test_a_reply_to_our_post_links_the_delivery(world: World) -> None:
    from roost.publishing.models import Delivery

    delivery = Delivery.objects.filter(post=world.a_post).get()
    Delivery.objects.filter(pk=delivery.pk).update(remote_id="our-post", status="published")
    ingest(
        world.a_channel,
        InboxPage(
            items=(item("x-1", kind=InboundKind.REPLY, root_id="our-post", parent_id="our-post"),)
        ),
    )
    conversation = Conversation.objects.get(key="our-post")
    assert conversation.delivery_id == delivery.pk


def test_malformed_payloads_are_skipped_or_cleaned_never_fatal(world: World) -> None:
    huge = "x" * 100_000
    broken = "bad \ud800 unicode \x00 here"
    result = ingest(
        world.a_channel,
        InboxPage(
            items=(
                item("ok-1"),
                item("", text="no id"),
                item("big-2", text=huge),
                item("uni-3", text=broken),
            ),
            skipped=2,
        ),
    )
    assert result.created == 3 and result.skipped == 3
    assert len(Message.objects.get(remote_id="big-2").text) == 10_000
    assert Message.objects.get(remote_id="uni-3").text == "bad ? unicode  here"


def test_rules_tag_assign_prioritise_and_make_tasks(world: World) -> None:
    care = world.members["customer_care"]
    from roost.workspaces.models import Group

    group = Group.objects.create(workspace=world.a, name="Customer Care")
    group.members.set([care])
    Group.objects.create(workspace=world.a, name="Sales")
    InboxRule.objects.create(
        workspace=world.a,
        name="Complaints",
        position=1,
        when={"keywords": ["cold", "zimna"]},
        then={"tag": "complaint", "group": group.pk, "priority": 3, "task": "support"},
    )
    InboxRule.objects.create(
        workspace=world.a, name="Polish", position=2, when={"languages": ["pl"]}, then={"tag": "pl"}
    )
    ingest(
        world.a_channel,
        InboxPage(
            items=(
                item("c-1", text="My coffee arrived COLD"),
                item("p-2", text="Kawa była zimna", language="pl"),
                item("n-3", text="Nice!"),
            )
        ),
    )
    cold = Message.objects.get(remote_id="c-1")
    assert [t.name for t in cold.tags.all()] == ["complaint"]
    assert (cold.group_id, cold.assignee_id, cold.priority) == (group.pk, care.pk, 3)
    polish = Message.objects.get(remote_id="p-2")
    assert sorted(t.name for t in polish.tags.all()) == ["complaint", "pl"]
    plain = Message.objects.get(remote_id="n-3")
    assert plain.tags.count() == 0 and plain.assignee_id is None
    assert sorted(Task.objects.values_list("message__remote_id", "kind")) == [
        ("c-1", "support"),
        ("p-2", "support"),
    ]


def test_stage_times_are_summed_only_when_asked_for(world: World) -> None:
    from roost.inbox.services.ingest import stage_times

    channel = make_channel(world.a, "Timed")
    ingest(channel, InboxPage(items=(item("t-1"),), cursor="1"))  # nothing to sum into
    with stage_times() as stages:
        ingest(channel, InboxPage(items=(item("t-2"), item("t-3")), cursor="3"))
        ingest(channel, InboxPage(items=(item("t-3"),), cursor="3"))  # a duplicate only
    summed = dict(stages)
    ingest(channel, InboxPage(items=(item("t-4"),), cursor="4"))  # after: not summed

    assert stages == summed
    assert {"prepare", "dedupe", "thread", "insert", "cursor", "commit"} <= set(stages)
    assert all(seconds >= 0 for seconds in stages.values())
    assert sum(stages.values()) > 0
    assert Message.objects.filter(channel=channel).count() == 4


def test_a_conversation_moves_to_its_newest_message_and_never_back(world: World) -> None:
    channel = make_channel(world.a, "Times")
    ingest(channel, InboxPage(items=(item("root-1"), item("other-2"))))
    root = Conversation.objects.get(channel=channel, key="root-1")
    other = Conversation.objects.get(channel=channel, key="other-2")
    assert (root.last_message_at, other.last_message_at) == (
        T0 + timedelta(minutes=1),
        T0 + timedelta(minutes=2),
    )
    # Someone moved "other-2" further on meanwhile (a reply of ours, a concurrent poll).
    later = T0 + timedelta(hours=5)
    Conversation.objects.filter(pk=other.pk).update(last_message_at=later)

    ingest(
        channel,
        InboxPage(
            items=(
                item("r-30", kind=InboundKind.REPLY, parent_id="root-1", root_id="root-1"),
                item("r-31", kind=InboundKind.REPLY, parent_id="r-30"),  # via its parent
                item("r-40", kind=InboundKind.REPLY, parent_id="other-2", root_id="other-2"),
            )
        ),
    )

    root.refresh_from_db()
    other.refresh_from_db()
    assert root.last_message_at == T0 + timedelta(minutes=31)
    assert other.last_message_at == later
    assert sorted(root.messages.values_list("remote_id", flat=True)) == ["r-30", "r-31", "root-1"]
    assert sorted(other.messages.values_list("remote_id", flat=True)) == ["other-2", "r-40"]


def test_a_page_takes_the_same_queries_however_many_items_it_has(world: World) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def page(start: int, count: int) -> InboxPage:
        items = []
        for n in range(start, start + count):
            if n % 3 == 0:  # a new thread
                items.append(item(f"m-{n}"))
                continue
            # A reply into a stored thread (each a different one), or to an item of this page.
            parent = f"m-{n % start}" if n % 3 == 1 and start else f"m-{n - 1}"
            items.append(item(f"m-{n}", kind=InboundKind.REPLY, parent_id=parent))
        return InboxPage(items=tuple(items), cursor=str(start + count))

    channel = make_channel(world.a, "Counted")
    ingest(channel, page(0, 31))
    with CaptureQueriesContext(connection) as small:
        ingest(channel, page(31, 10))
    with CaptureQueriesContext(connection) as large:
        ingest(channel, page(41, 400))
    assert len(large.captured_queries) == len(small.captured_queries)
    assert Message.objects.filter(channel=channel).count() == 441
    assert Conversation.objects.filter(channel=channel).count() == 147


def test_a_conversation_made_by_a_concurrent_poll_is_joined_and_moved_on(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from roost.inbox.services import ingest as ingest_module

    channel = make_channel(world.a, "Race")
    ingest(channel, InboxPage(items=(item("root-1"),)))
    # The other poll stored "root-1"'s conversation between our look-up and our insert:
    # our look-up saw nothing, our insert meets the conflict.
    looked_up = ingest_module._conversation_ids
    calls: list[list[str]] = []

    def first_sees_nothing(channel: Channel, keys: list[str]) -> dict[str, int]:
        calls.append(keys)
        return {} if len(calls) == 1 else looked_up(channel, keys)

    monkeypatch.setattr(ingest_module, "_conversation_ids", first_sees_nothing)
    reply = item("r-9", kind=InboundKind.REPLY, parent_id="root-1", root_id="root-1")
    assert ingest(channel, InboxPage(items=(reply,))).created == 1

    conversation = Conversation.objects.get(channel=channel)
    assert conversation.last_message_at == T0 + timedelta(minutes=9)
    assert sorted(conversation.messages.values_list("remote_id", flat=True)) == ["r-9", "root-1"]
    assert len(calls) == 2


def test_an_empty_poll_moves_the_cursor_in_one_statement(world: World) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    channel = make_channel(world.a, "Quiet")
    ingest(channel, InboxPage(items=(item("m-1"),), cursor="1"))
    InboxCursor.objects.filter(channel=channel).update(last_error="was failing")
    with CaptureQueriesContext(connection) as empty:
        done = ingest(channel, InboxPage(items=(), cursor="7", skipped=2))
    assert (done.created, done.duplicates, done.skipped) == (0, 0, 2)
    # Most polls bring nothing: one UPDATE of the cursor, no transaction, no message read.
    assert [q["sql"].split()[0] for q in empty.captured_queries] == ["UPDATE"]
    state = InboxCursor.objects.get(channel=channel)
    assert (state.cursor, state.last_error) == ("7", "")
    # The first poll of a channel makes its cursor; activity counts still add up.
    fresh = make_channel(world.a, "New")
    ingest(fresh, InboxPage(items=(), cursor=None))
    assert InboxCursor.objects.get(channel=fresh).polled_at is not None
    ingest(fresh, InboxPage(items=(), activity={"likes": 2}))
    ingest(fresh, InboxPage(items=(), activity={"likes": 3}))
    assert InboxCursor.objects.get(channel=fresh).activity == {"likes": 5}
