"""Items Roost itself puts in a workspace's inbox (a listening spike alert), beside what
the networks bring in.

An inbox message belongs to a channel and a conversation, so an internal item is filed
under the workspace's first active channel (the oldest), in a conversation of its own,
with `kind` "alert" and `remote_id` its key: storing the same key twice stores it once.
It is not a post on the network: there is nothing there to reply to.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from roost.channels.models import Channel, ChannelStatus
from roost.core import clock
from roost.inbox.models import Conversation, Message, Priority
from roost.workspaces.models import Workspace

INTERNAL_KIND = "alert"


def internal_item_add(
    *,
    workspace: Workspace,
    key: str,
    text: str,
    url: str = "",
    author_name: str = "Roost",
    priority: int = Priority.HIGH,
) -> Message | None:
    """Put an item from Roost in the inbox, once per `key`; None when the workspace has no
    active channel to file it under."""
    channel = (
        Channel.objects.filter(workspace=workspace, status=ChannelStatus.ACTIVE)
        .order_by("pk")
        .first()
    )
    if channel is None:
        return None
    key = key[:500]
    existing = Message.objects.filter(channel=channel, remote_id=key).first()
    if existing is not None:
        return existing
    now = clock.now()
    try:
        with transaction.atomic():
            conversation, _ = Conversation.objects.get_or_create(
                workspace=workspace,
                channel=channel,
                key=key,
                defaults={"last_message_at": now},
            )
            return Message.objects.create(
                workspace=workspace,
                channel=channel,
                conversation=conversation,
                remote_id=key,
                kind=INTERNAL_KIND,
                author_name=author_name[:255],
                text=text,
                url=url[:500] if url.startswith(("http://", "https://")) else "",
                sent_at=now,
                received_at=now,
                priority=priority,
            )
    except IntegrityError:
        return Message.objects.filter(channel=channel, remote_id=key).first()
