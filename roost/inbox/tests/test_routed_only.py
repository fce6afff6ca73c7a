"""Customer Care and Sales read only what is routed to them, everywhere: the list, the
pane's conversation and its "Earlier from", and the API — never, around a routed message,
the words of the messages that were not routed to them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from roost.conftest import World, token_for
from roost.inbox.models import Message, MessageStatus
from roost.inbox.tests.conftest import T0, put
from roost.networks.base import InboundKind

URL = "/w/alpha/inbox/"
API = "/api/v1/workspaces/alpha/inbox/"
HX = {"HTTP_HX_REQUEST": "true"}
# Words of messages nobody routed to Customer Care or Sales.
UNROUTED = [
    "Do you have decaf in stock?",
    "Can I order a gift box for Friday?",
    "Opening question nobody routed",
    "Private detail nobody routed",
    "Our answer to the opening question",
]


@dataclass
class Inbox:
    parcel: Message  # routed to the member in person; the same author wrote two unrouted
    follow_up: Message  # routed to the member, inside a thread of unrouted messages
    answer: Message  # our reply to follow_up
    visible_history: Message  # same author as parcel, routed to the member's group


def ours(parent: Message, text: str, minutes: int) -> Message:
    """Our reply in `parent`'s conversation, as reply_send stores it."""
    at = T0 + timedelta(minutes=minutes)
    return Message.objects.create(
        workspace=parent.workspace,
        channel=parent.channel,
        conversation=parent.conversation,
        remote_id=f"ours-{parent.remote_id}",
        kind=parent.kind,
        outgoing=True,
        author_id=parent.channel.remote_id,
        author_handle=parent.channel.handle,
        author_name="Alpha Owner",
        text=text,
        parent_remote_id=parent.remote_id,
        sent_at=at,
        received_at=at,
        status=MessageStatus.COMPLETE,
    )


def build(world: World, role: str) -> Inbox:
    ch, member = world.a_channel, world.members[role]
    lucas = {"author_id": "u-lucas", "author_handle": "lucas.sandbox", "author_name": "Lucas"}
    put(ch, "l-1", UNROUTED[0], created_at=T0 - timedelta(days=3), **lucas)
    put(ch, "l-2", UNROUTED[1], created_at=T0 - timedelta(days=2), **lucas)
    earlier = put(
        ch, "l-3", "The parcel arrived, thanks", created_at=T0 - timedelta(days=1), **lucas
    )
    parcel = put(ch, "l-4", "Where is my parcel?", **lucas)
    Message.objects.filter(pk=earlier.pk).update(group=world.a_inbox.group)
    maria = {"author_id": "u-maria", "author_handle": "maria.sandbox", "author_name": "Maria"}
    opener = put(ch, "t-1", UNROUTED[2], **maria)
    reply = {"kind": InboundKind.REPLY, "parent_id": "t-1", "root_id": "t-1"}
    follow_up = put(
        ch, "t-2", "A follow-up for care", created_at=T0 + timedelta(minutes=5), **maria, **reply
    )
    put(ch, "t-3", UNROUTED[3], created_at=T0 + timedelta(minutes=6), **maria, **reply)
    ours(opener, UNROUTED[4], minutes=2)
    answer = ours(follow_up, "Our answer to the follow-up", minutes=7)
    Message.objects.filter(pk__in=[parcel.pk, follow_up.pk]).update(assignee=member)
    return Inbox(parcel, follow_up, answer, earlier)


def body(response: Any) -> str:
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("role", ["customer_care", "sales"])
def test_the_pane_shows_only_routed_history_and_thread(world: World, role: str) -> None:
    inbox = build(world, role)
    client = world.client_for(role)
    for headers in ({}, HX):  # the whole page, and the htmx pane
        html = body(client.get(f"{URL}{inbox.parcel.pk}/", **headers))
        assert "The parcel arrived, thanks" in html  # routed to their group: theirs to read
        html += body(client.get(f"{URL}{inbox.follow_up.pk}/", **headers))
        for words in UNROUTED:
            assert words not in html, words
        assert "A follow-up for care" in html and "Our answer to the follow-up" in html
        assert "This conversation has 3 more messages that you cannot open." in html
    # Search does not find them either.
    assert UNROUTED[0] not in body(client.get(URL, {"q": "decaf", "status": "open"}))


def test_who_reads_the_whole_inbox_sees_the_whole_conversation(world: World) -> None:
    inbox = build(world, "customer_care")
    html = body(world.client_for("community_manager").get(f"{URL}{inbox.follow_up.pk}/", **HX))
    for words in UNROUTED[2:]:
        assert words in html, words
    assert "more messages that you cannot open" not in html
    html = body(world.client_for("community_manager").get(f"{URL}{inbox.parcel.pk}/", **HX))
    assert UNROUTED[0] in html and UNROUTED[1] in html


@pytest.mark.parametrize("role", ["customer_care", "sales"])
def test_the_api_thread_holds_only_what_they_may_open(world: World, role: str) -> None:
    inbox = build(world, role)
    token = token_for(world.members[role], ["read"])
    response = Client().get(f"{API}{inbox.follow_up.pk}", HTTP_AUTHORIZATION=f"Bearer {token}")
    found = json.loads(body(response))
    assert [t["id"] for t in found["thread"]] == [inbox.follow_up.pk, inbox.answer.pk]
    assert found["thread_hidden"] == 3
    for words in UNROUTED:
        assert words not in response.content.decode(), words
    everyone = token_for(world.members["owner"], ["read"])
    whole = Client().get(f"{API}{inbox.follow_up.pk}", HTTP_AUTHORIZATION=f"Bearer {everyone}")
    assert len(whole.json()["thread"]) == 5 and whole.json()["thread_hidden"] == 0
