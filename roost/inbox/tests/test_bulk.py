"""The set-based insert under ingestion stores what Django's bulk_create would, and skips
rows that are there already."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.forms.models import model_to_dict

from roost.conftest import World
from roost.inbox.models import Conversation, Message
from roost.inbox.services.bulk import insert_ignoring_conflicts

SENT = datetime(2026, 11, 27, 10, 0, 0, 123456, tzinfo=UTC)
RECEIVED = datetime(2026, 11, 27, 10, 0, 5, tzinfo=UTC)


def fields(message: Message) -> dict[str, object]:
    values = model_to_dict(message, exclude=["id", "remote_id", "tags"])
    values.update(received_at=message.received_at, sent_at=message.sent_at)
    return values


def test_rows_are_stored_as_bulk_create_stores_them(world: World) -> None:
    channel = world.a_channel
    conversation = Conversation.objects.create(
        workspace=world.a, channel=channel, key="k", last_message_at=SENT
    )
    common = {
        "workspace_id": world.a.pk,
        "channel_id": channel.pk,
        "conversation_id": conversation.pk,
        "kind": "reply",
        "author_id": "u1",
        "author_handle": "anna.sandbox",
        "author_name": "Anna Ł.",
        "text": "Zimna kawa ☕ 'quoted' \"twice\"",
        "url": "https://example.com/p/1",
        "parent_remote_id": "p-0",
        "language": "pl",
        "sent_at": SENT,
        "received_at": RECEIVED,
    }
    Message.objects.bulk_create([Message(remote_id="by-django", **common)])
    columns = ["remote_id", *common]

    inserted = insert_ignoring_conflicts(
        Message, columns, [("ours", *common.values()), ("ours-2", *common.values())]
    )

    assert inserted == 2
    django_row = Message.objects.get(remote_id="by-django")
    for ours in Message.objects.filter(remote_id__startswith="ours"):
        assert fields(ours) == fields(django_row)
    assert Message.objects.filter(received_at=RECEIVED).count() == 3  # the same stored form
    assert Message.objects.filter(sent_at__lt=SENT.replace(microsecond=123457)).count() == 3


def test_conflicting_rows_are_skipped_and_not_counted(world: World) -> None:
    channel = world.a_channel
    row = (world.a.pk, channel.pk, "k-1", False, None, SENT)
    columns = ("workspace_id", "channel_id", "key", "direct", "delivery_id", "last_message_at")
    assert insert_ignoring_conflicts(Conversation, columns, [row]) == 1
    again = [row, (world.a.pk, channel.pk, "k-2", True, None, SENT)]
    assert insert_ignoring_conflicts(Conversation, columns, again) == 1
    assert insert_ignoring_conflicts(Conversation, columns, []) == 0
    assert sorted(
        Conversation.objects.filter(channel=channel, key__startswith="k-").values_list(
            "key", "direct"
        )
    ) == [("k-1", False), ("k-2", True)]


def test_an_unknown_column_is_refused(world: World) -> None:
    with pytest.raises(ValueError, match="no columns"):
        insert_ignoring_conflicts(Conversation, ("keyy",), [("k",)])
    assert not Conversation.objects.filter(channel=world.a_channel, key="k").exists()


def test_among_finds_the_rows_with_any_of_the_values(world: World) -> None:
    from roost.inbox.services.bulk import among

    columns = ("workspace_id", "channel_id", "key", "direct", "delivery_id", "last_message_at")
    keys = ["a-1", "a-2", "a-3", "zażółć ☕", 'it\'s "quoted"']
    rows = [(world.a.pk, world.a_channel.pk, key, False, None, SENT) for key in keys]
    insert_ignoring_conflicts(Conversation, columns, rows)

    wanted = ["a-1", "a-3", "nope", "zażółć ☕", 'it\'s "quoted"']
    found = Conversation.objects.filter(among(Conversation, "key", wanted), channel=world.a_channel)

    assert sorted(found.values_list("key", flat=True)) == sorted(set(wanted) - {"nope"})
    assert not Conversation.objects.filter(among(Conversation, "key", [])).exists()
