"""Send a mention to the Smart Inbox, where people assign it, reply to it and make a Lead
task of it (the inbox's own features)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from roost.core.exceptions import Conflict, NotFound
from roost.inbox.models import Message
from roost.inbox.selectors import access_message
from roost.inbox.services.ingest import ingest
from roost.listening.models import Mention
from roost.networks.base import Inbound, InboundKind, InboxPage
from roost.workspaces.access import require
from roost.workspaces.models import Membership
from roost.workspaces.roles import Perm
from roost.workspaces.services import audit_record


def mention_to_inbox(*, actor: Membership, mention: Mention) -> Message:
    """The mention as an inbox message of the channel it was found through, made once
    (a second call returns the same message). Needs VIEW_LISTENING and INBOX_READ_ALL, and
    the actor must be able to see the message afterwards (channel access)."""
    require(actor, Perm.VIEW_LISTENING)
    require(actor, Perm.INBOX_READ_ALL)
    if mention.workspace_id != actor.workspace_id:
        raise NotFound()
    channel = mention.channel
    if channel is None:
        raise Conflict(_("The channel this mention was found through is gone."))
    if mention.inbox_message_id is not None:
        existing = Message.objects.filter(pk=mention.inbox_message_id, channel=channel).first()
        if existing is not None:
            return access_message(actor, existing.pk)
    with transaction.atomic():
        ingest(
            channel,
            InboxPage(
                items=(
                    Inbound(
                        remote_id=mention.remote_id,
                        kind=InboundKind.MENTION,
                        text=mention.text,
                        created_at=mention.posted_at,
                        author_id=mention.author_id,
                        author_handle=mention.author_handle,
                        author_name=mention.author_name,
                        url=mention.url,
                        language=mention.language,
                    ),
                )
            ),
            cursor_after=False,
        )
        message = Message.objects.get(channel=channel, remote_id=mention.remote_id[:500])
        sent = Mention.objects.filter(pk=mention.pk, inbox_message_id__isnull=True).update(
            inbox_message_id=message.pk
        )
        mention.inbox_message_id = message.pk
        if sent:
            audit_record(
                workspace=actor.workspace,
                actor=actor.user,
                action="listening.mention_to_inbox",
                target=mention,
                message_id=message.pk,
            )
    return access_message(actor, message.pk)
