"""Replies from the inbox, sent through the channel's connector and threaded on the
network; the reply joins the conversation and stops the first-response clock."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.db import transaction
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

from roost.channels.services import channel_mark_unauthorized, connector_for
from roost.core import clock
from roost.core.exceptions import Conflict, ValidationFailed
from roost.inbox.models import Message, MessageStatus
from roost.networks.base import InboundKind, InboxConnector, Outcome, ReplyRequest
from roost.workspaces.access import require
from roost.workspaces.models import Membership
from roost.workspaces.roles import Perm
from roost.workspaces.services import audit_record

COLLISION_WINDOW = timedelta(minutes=2)


def recent_reply_by_other(actor: Membership, message: Message) -> Message | None:
    """Another member's reply in the same conversation within the collision window."""
    return (
        Message.objects.filter(
            conversation_id=message.conversation_id,
            outgoing=True,
            sent_at__gte=clock.now() - COLLISION_WINDOW,
        )
        .exclude(sent_by=actor)
        .select_related("sent_by__user")
        .order_by("-sent_at")
        .first()
    )


def reply_send(
    *,
    actor: Membership,
    message: Message,
    text: str,
    complete: bool = False,
    key: str = "",
    confirm: bool = False,
) -> Message:
    """Answer `message` on its network. A refusal keeps nothing half-done: the person sees
    why (their text stays in the form as a draft). A second answer within two minutes of
    a colleague's needs `confirm`."""
    require(actor, Perm.INBOX_REPLY)
    text = text.strip()
    if not text:
        raise ValidationFailed({"text": [_("Write the reply first.")]})
    if not confirm:
        other = recent_reply_by_other(actor, message)
        if other is not None:
            who = other.sent_by.user.display_name if other.sent_by else other.author_name
            if clock.now() - other.sent_at < timedelta(minutes=1):
                said = _("%(name)s answered less than a minute ago — send anyway?") % {"name": who}
            else:
                said = _("%(name)s answered %(ago)s ago — send anyway?") % {
                    "name": who,
                    "ago": timesince(other.sent_at, clock.now()),
                }
            raise ValidationFailed({"confirm": [said]})
    channel = message.channel
    connector = connector_for(channel)
    if not isinstance(connector, InboxConnector):
        raise Conflict(_("%(channel)s cannot reply from Roost yet.") % {"channel": channel.name})
    conversation = message.conversation
    request = ReplyRequest(
        idempotency_key=key or uuid.uuid4().hex,
        text=text,
        parent_id=message.remote_id,
        root_id=conversation.key if not conversation.direct else "",
        conversation_id=conversation.key[3:] if conversation.direct else "",
        kind=InboundKind.DIRECT if conversation.direct else InboundKind.REPLY,
    )
    result = connector.reply(request)  # the network call, outside any transaction
    if result.outcome is Outcome.UNAUTHORIZED:
        channel_mark_unauthorized(channel_id=channel.pk, reason=result.reason)
    if result.outcome is not Outcome.OK or result.published is None:
        raise ValidationFailed(
            {"text": [result.reason or _("The network did not accept the reply.")]}
        )
    now = clock.now()
    with transaction.atomic():
        sent = Message.objects.create(
            workspace=message.workspace,
            channel=channel,
            conversation=conversation,
            remote_id=result.published.remote_id[:500],
            kind=message.kind,
            outgoing=True,
            author_id=channel.remote_id,
            author_handle=channel.handle,
            author_name=actor.user.display_name,
            sent_by=actor,
            text=text,
            url=result.published.url[:500],
            parent_remote_id=message.remote_id,
            sent_at=now,
            received_at=now,
            status=MessageStatus.COMPLETE,
        )
        # The first answer in a conversation stops the first-response clock of every open
        # message in it that was waiting.
        Message.objects.filter(
            conversation=conversation,
            outgoing=False,
            first_response_at__isnull=True,
            received_at__lte=now,
        ).update(first_response_at=now)
        if complete:
            Message.objects.filter(pk=message.pk).update(
                status=MessageStatus.COMPLETE, completed_at=now, completed_by=actor.user
            )
        audit_record(
            workspace=message.workspace,
            actor=actor.user,
            action="inbox.replied",
            target=message,
            reply=sent.remote_id,
        )
    return sent
