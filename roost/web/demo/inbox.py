"""The demo's inbox story: customers write to the brand on the Sandbox (a real local
network), the inbox polls them in, and the team has already worked on some of them — items
new, assigned to a person or a group, waiting for the customer, complete, with replies
and tasks (a Lead for Sales, a Support case for Customer Care), and service levels on
time, at risk, missed and met.

Customers' posts and our replies really go through the Sandbox (so a reply from the demo
inbox lands under them); assignment, tasks and completion go through the inbox services.
Only times are moved afterwards (see `_backdate`): the story happened over a few days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx

from roost.channels.models import Channel
from roost.core import clock
from roost.core.outbound import guarded_httpx_client
from roost.inbox.models import Conversation, Message
from roost.inbox.services.poll import poll_channels
from roost.inbox.services.replies import reply_send
from roost.inbox.services.triage import (
    message_assign,
    message_set_status,
    message_tag,
    task_create,
)
from roost.web.demo.posts import Cast
from roost.workspaces.models import AuditEntry, Group


@dataclass(frozen=True)
class Said:
    """One customer's message: on which channel, by whom, and how long ago."""

    name: str
    channel: str  # "en" or "pl"
    author: str
    text: str
    language: str
    ago: timedelta


SAID = [
    Said(
        "fresh",
        "en",
        "Nina Fischer",
        "Do you have the Ethiopia Guji in 250 g bags? Asking for a gift 🎁",
        "en",
        timedelta(minutes=5),
    ),
    Said(
        "at_risk",
        "en",
        "Tom Baker",
        "My order #4821 still hasn't shipped — it's been five days. Can someone check?",
        "en",
        timedelta(minutes=50),
    ),
    Said(
        "breached",
        "en",
        "Olivia Park",
        "The grinder I bought on Saturday makes a rattling noise. Is that normal?",
        "en",
        timedelta(hours=3),
    ),
    Said(
        "support",
        "en",
        "Ben Carter",
        "You charged me twice for order #5120. Please refund one of them.",
        "en",
        timedelta(minutes=25),
    ),
    Said(
        "lead",
        "en",
        "Rachel Adams",
        "We're opening an office café for 40 people. Do you do wholesale beans with a "
        "monthly delivery?",
        "en",
        timedelta(hours=2),
    ),
    Said(
        "waiting",
        "en",
        "Leo Grant",
        "Is the Christmas blend available as whole beans?",
        "en",
        timedelta(days=1, hours=2),
    ),
    Said(
        "done",
        "en",
        "Lea Novak",
        "Best flat white in town, thank you!",
        "en",
        timedelta(days=3, hours=4),
    ),
    Said(
        "group",
        "pl",
        "Marta Wójcik",
        "Czy macie kawę bezkofeinową w ziarnach?",
        "pl",
        timedelta(minutes=12),
    ),
    Said(
        "done_pl",
        "pl",
        "Jan Kowalski",
        "Dziękuję za szybką wysyłkę, kawa pachnie obłędnie!",
        "pl",
        timedelta(days=5),
    ),
]


def _say(channel: Channel, said: Said, http: httpx.Client) -> str:
    """A customer account on the Sandbox mentions the brand; returns the post's id."""
    base = channel.config["base_url"]
    account = http.post(f"{base}/api/accounts", json={"name": said.author})
    account.raise_for_status()
    posted = http.post(
        f"{base}/api/posts",
        json={"text": f"@{channel.handle} {said.text}", "language": said.language},
        headers={
            "Authorization": f"Bearer {account.json()['token']}",
            "Idempotency-Key": f"demo-story-{said.name}",
        },
    )
    posted.raise_for_status()
    remote_id: str = posted.json()["id"]
    return remote_id


def _backdate(message: Message, when: datetime) -> None:
    """The customer wrote `when` (the poll stamped the real "now")."""
    Message.objects.filter(pk=message.pk).update(sent_at=when, received_at=when)
    Conversation.objects.filter(pk=message.conversation_id).update(last_message_at=when)
    message.refresh_from_db()


def _replied(message: Message, after: timedelta) -> None:
    """Our reply went out `after` the customer wrote; the conversation moved on then."""
    when = message.received_at + after
    Message.objects.filter(conversation=message.conversation, outgoing=True).update(
        sent_at=when, received_at=when
    )
    Message.objects.filter(pk=message.pk).update(first_response_at=when)
    Conversation.objects.filter(pk=message.conversation_id).update(last_message_at=when)
    AuditEntry.objects.filter(target_type="message", target_id=str(message.pk)).update(
        created_at=when
    )


def seed_inbox(cast: Cast) -> dict[str, Message]:
    """Customers write, the inbox polls them in, the team works on them. Returns the
    story's messages by name. Raises httpx.HTTPError when the Sandbox does not answer."""
    channels = {"en": cast.en, "pl": cast.pl}
    with guarded_httpx_client(timeout=10) as http:
        ids = {s.name: _say(channels[s.channel], s, http) for s in SAID}
    poll_channels([cast.en, cast.pl])
    now = clock.now()
    found = {
        s.name: Message.objects.get(channel=channels[s.channel], remote_id=ids[s.name])
        for s in SAID
    }
    for s in SAID:
        _backdate(found[s.name], now - s.ago)
    m = cast.members
    celina = m["community"]
    care = Group.objects.get(workspace=celina.workspace, name="Customer Care")

    message_tag(actor=celina, message=found["at_risk"], names=["shipping", "order"])
    message_assign(actor=celina, message=found["breached"], member_id=celina.pk)
    message_tag(actor=celina, message=found["breached"], names=["product"])
    # Customer Care's round-robin hands the double charge to Kasia (Celina has one already),
    # and the next item to Celina: both of them have work waiting.
    message_assign(actor=celina, message=found["support"], group_id=care.pk)
    task_create(
        actor=celina,
        message=found["support"],
        kind="support",
        notes="Double charge on order #5120: refund one payment.",
        due_at=now + timedelta(hours=20),
        member_id=found["support"].assignee_id,
    )
    message_assign(actor=celina, message=found["group"], group_id=care.pk)
    message_tag(actor=celina, message=found["support"], names=["billing"])
    task_create(
        actor=celina,
        message=found["lead"],
        kind="lead",
        notes="Office café, 40 people: wholesale beans, monthly delivery.",
        due_at=now + timedelta(days=2),
    )
    message_tag(actor=celina, message=found["lead"], names=["wholesale"])
    reply_send(
        actor=celina,
        message=found["lead"],
        text="Hi Rachel! We do — Szymon from our sales team will write to you today.",
        key="demo-story-lead",
    )
    _replied(found["lead"], timedelta(minutes=18))
    reply_send(
        actor=celina,
        message=found["waiting"],
        text="Hi Leo! Yes — whole beans or ground, 250 g or 1 kg. Which would you like?",
        key="demo-story-waiting",
    )
    _replied(found["waiting"], timedelta(minutes=35))
    reply_send(
        actor=celina,
        message=found["done"],
        text="Thank you, Lea! See you soon ☕",
        complete=True,
        key="demo-story-done",
    )
    _replied(found["done"], timedelta(minutes=40))
    Message.objects.filter(pk=found["done"].pk).update(
        completed_at=found["done"].received_at + timedelta(minutes=40)
    )
    message_set_status(actor=celina, message=found["done_pl"], complete=True)
    Message.objects.filter(pk=found["done_pl"].pk).update(
        completed_at=found["done_pl"].received_at + timedelta(hours=1)
    )
    for message in found.values():
        message.refresh_from_db()
    return found
