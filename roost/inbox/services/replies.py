"""Replies from the inbox, sent through the channel's connector and threaded on the
network; the reply joins the conversation and stops the first-response clock."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from functools import partial

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

from roost.channels.services import channel_connector, channel_mark_unauthorized
from roost.core import clock
from roost.core.exceptions import Conflict, ValidationFailed
from roost.inbox.models import Message, MessageStatus, ReplyDraft
from roost.networks.base import InboundKind, InboxConnector, Outcome, Published, ReplyRequest
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
) -> Message | ReplyDraft:
    """Answer `message` on its network. A refusal keeps nothing half-done: the person sees
    why (their text stays in the form as a draft). A second answer within two minutes of
    a colleague's needs `confirm`.

    Idempotent by `key`: the same key again (a retried API call, a form sent twice) returns
    the first reply, or its draft, and sends nothing."""
    require(actor, Perm.INBOX_REPLY)
    if key:
        earlier = reply_by_key(message, key)
        if earlier is not None:
            return earlier
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
    key = key or uuid.uuid4().hex
    draft = _review_if_required(actor, message, text, complete, key)
    if draft is not None:
        return draft
    return deliver(actor=actor, message=message, text=text, complete=complete, key=key)


def reply_by_key(message: Message, key: str) -> Message | ReplyDraft | None:
    """The reply (or the draft waiting for approval) already made with `key` in the
    message's workspace. The key on a reply to another message is a client error."""
    reply = (
        Message.objects.filter(workspace_id=message.workspace_id, idempotency_key=key)
        .select_related("channel")
        .first()
    )
    if reply is not None:
        if reply.channel_id != message.channel_id or reply.parent_remote_id != message.remote_id:
            raise Conflict(_("This idempotency key was already used for another reply."))
        return reply
    draft = ReplyDraft.objects.filter(workspace_id=message.workspace_id, key=key).first()
    if draft is not None and draft.message_id != message.pk:
        raise Conflict(_("This idempotency key was already used for another reply."))
    return draft


def _review_if_required(
    actor: Membership, message: Message, text: str, complete: bool, key: str
) -> ReplyDraft | None:
    """Where the workspace requires approval for inbox replies, the reply waits as a draft
    in the approval workflow; it is sent when the last step approves."""
    from roost.approvals import services as approvals

    if not approvals.approval_settings(actor.workspace).require_for_inbox_replies:
        return None
    try:
        with transaction.atomic():
            draft = ReplyDraft.objects.create(
                workspace=actor.workspace,
                message=message,
                author=actor,
                text=text,
                complete=complete,
                key=key,
            )
            workflow = approvals.needs_review(actor, "reply", draft)
            if workflow is None:
                transaction.set_rollback(True)
                return None
            approvals.request_submit(
                actor=actor, kind="reply", obj=draft, workflow=workflow, plan={"mode": "now"}
            )
    except IntegrityError:
        # The same key at the same moment (a double submit): the first draft stands.
        earlier = ReplyDraft.objects.filter(workspace_id=message.workspace_id, key=key).first()
        if earlier is None:
            raise
        return earlier
    return draft


def deliver(
    *, actor: Membership, message: Message, text: str, complete: bool = False, key: str
) -> Message:
    """Send the reply on the network and record it in the conversation. A reply already
    recorded with `key` is returned as it is: the network is not asked again."""
    earlier = Message.objects.filter(workspace_id=message.workspace_id, idempotency_key=key).first()
    if earlier is not None:
        return earlier
    channel = message.channel
    conversation = message.conversation
    request = ReplyRequest(
        idempotency_key=key,
        text=text,
        parent_id=message.remote_id,
        root_id=conversation.key if not conversation.direct else "",
        conversation_id=conversation.key[3:] if conversation.direct else "",
        kind=InboundKind.DIRECT if conversation.direct else InboundKind.REPLY,
    )
    with channel_connector(channel) as connector:
        if not isinstance(connector, InboxConnector):
            raise Conflict(
                _("%(channel)s cannot reply from Roost yet.") % {"channel": channel.name}
            )
        result = connector.reply(request)  # the network call, outside any transaction
    if result.outcome is Outcome.UNAUTHORIZED:
        channel_mark_unauthorized(channel_id=channel.pk, reason=result.reason)
    if result.outcome is not Outcome.OK or result.published is None:
        raise ValidationFailed(
            {"text": [result.reason or _("The network did not accept the reply.")]}
        )
    now = clock.now()
    try:
        sent = _record(actor, message, text, complete, key, result.published, now)
    except IntegrityError:
        # A concurrent send with the same key (the network answered both with the same
        # post, thanks to the key): the reply recorded first is the answer to both.
        earlier = (
            Message.objects.filter(workspace_id=message.workspace_id, idempotency_key=key).first()
            or Message.objects.filter(
                channel=channel, remote_id=result.published.remote_id[:500]
            ).first()
        )
        if earlier is None:
            raise
        return earlier
    return sent


def _record(
    actor: Membership,
    message: Message,
    text: str,
    complete: bool,
    key: str,
    published: Published,
    now: datetime,
) -> Message:
    """Store our reply in the conversation and stop the first-response clock."""
    channel = message.channel
    conversation = message.conversation
    with transaction.atomic():
        sent = Message.objects.create(
            workspace=message.workspace,
            channel=channel,
            conversation=conversation,
            remote_id=published.remote_id[:500],
            kind=message.kind,
            outgoing=True,
            author_id=channel.remote_id,
            author_handle=channel.handle,
            author_name=actor.user.display_name,
            sent_by=actor,
            text=text,
            url=published.url[:500],
            parent_remote_id=message.remote_id,
            sent_at=now,
            received_at=now,
            status=MessageStatus.COMPLETE,
            idempotency_key=key,
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


def send_draft(draft_id: int) -> str:
    """Send an approved draft; a refusal is kept on the draft and told to its author."""
    draft = (
        ReplyDraft.objects.select_related(
            "message__channel", "message__conversation", "author__user", "workspace"
        )
        .filter(pk=draft_id, status="approved")
        .first()
    )
    if draft is None:
        return "not approved (or already sent)"
    try:
        deliver(
            actor=draft.author,
            message=draft.message,
            text=draft.text,
            complete=draft.complete,
            key=draft.key,
        )
    except (ValidationFailed, Conflict) as exc:
        reason = (
            "; ".join(m for ms in getattr(exc, "errors", {}).values() for m in ms) or exc.message
        )
        _draft_failed(draft, reason)
        return "failed"
    except IntegrityError:
        # The network answered this key with the reply recorded the first time: a retry
        # after the worker stopped between sending it and marking the draft sent.
        pass
    ReplyDraft.objects.filter(pk=draft.pk).update(status="sent", error="")
    return "sent"


def send_draft_lost(draft_id: int) -> str:
    """The worker sending an approved draft stopped mid-way (see roost/core/reaper.py): the
    reply may or may not be on the network. Show the draft as failed, with a retry, and
    tell its author; a draft already sent or failed is left as it is."""
    reason = _(
        "Roost stopped while sending this approved reply, so it may or may not have reached "
        "the network. Check the conversation there, then retry if it is missing."
    )
    with transaction.atomic():  # the failed state and its notification, or neither
        if not ReplyDraft.objects.filter(pk=draft_id, status="approved").update(
            status="failed", error=reason[:500]
        ):
            return "not waiting to be sent"
        draft = ReplyDraft.objects.select_related("workspace", "author__user").get(pk=draft_id)
        _tell_author(draft, reason)
    return "failed"


def reply_draft_retry(*, actor: Membership, draft: ReplyDraft) -> ReplyDraft:
    """Send a failed approved reply again, with the same idempotency key (networks that
    honour it answer with the first reply instead of posting a second)."""
    require(actor, Perm.INBOX_REPLY)
    from roost.inbox.tasks import send_approved_reply

    with transaction.atomic():
        if not ReplyDraft.objects.filter(pk=draft.pk, status="failed").update(
            status="approved", error=""
        ):
            raise Conflict(_("This reply is not waiting for a retry."))
        audit_record(
            workspace=draft.workspace,
            actor=actor.user,
            action="inbox.reply_retried",
            target=draft.message,
            draft=draft.pk,
        )
        transaction.on_commit(partial(send_approved_reply.enqueue, draft.pk))
    draft.refresh_from_db()
    return draft


def _draft_failed(draft: ReplyDraft, reason: str) -> None:
    with transaction.atomic():
        ReplyDraft.objects.filter(pk=draft.pk).update(status="failed", error=reason[:500])
        _tell_author(draft, _("Your approved reply could not be sent: %(why)s") % {"why": reason})


def _tell_author(draft: ReplyDraft, text: str) -> None:
    from roost.notifications.services import notify

    notify(
        workspace=draft.workspace,
        recipients=[draft.author.user],
        kind="inbox.reply_failed",
        # One notification per failure: a retried draft that fails again is told again.
        key=f"reply-draft:{draft.pk}:failed:{clock.now():%Y%m%d%H%M%S%f}",
        text=text,
        url=reverse("inbox:detail", args=[draft.workspace.slug, draft.message_id]),
    )
