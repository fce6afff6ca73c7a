"""Inbox replies as approvable things (when the workspace requires approval for them)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from roost.approvals.registry import register
from roost.inbox.models import Message, ReplyDraft
from roost.inbox.selectors import q_visible
from roost.workspaces.models import Membership


class ReplyApprovable:
    kind = "reply"

    def load(self, object_id: int) -> ReplyDraft | None:
        return (
            ReplyDraft.objects.select_related("workspace", "message__channel", "author__user")
            .filter(pk=object_id)
            .first()
        )

    def load_many(self, object_ids: Collection[int]) -> dict[int, ReplyDraft]:
        return ReplyDraft.objects.select_related(
            "workspace", "message__channel", "author__user"
        ).in_bulk(list(object_ids))

    def workspace_id(self, obj: ReplyDraft) -> int:
        return obj.workspace_id

    def visible_ids(
        self, member: Membership, object_ids: Collection[int] | QuerySet[Any]
    ) -> set[int]:
        """Replies to inbox messages the member may open (q_visible: the whole inbox, or
        only what is routed to them, on their channels), and their own replies. The
        review's snapshot quotes the customer's message."""
        visible = Message.objects.filter(q_visible(member)).values("pk")
        found = ReplyDraft.objects.filter(
            Q(message__in=visible) | Q(author=member),
            workspace_id=member.workspace_id,
            pk__in=object_ids if isinstance(object_ids, QuerySet) else list(object_ids),
        )
        return set(found.values_list("pk", flat=True))

    def title(self, obj: ReplyDraft) -> str:
        text = obj.text.replace("\n", " ")
        return _("Reply: %(text)s") % {"text": text[:70] + ("…" if len(text) > 70 else "")}

    def url(self, obj: ReplyDraft) -> str:
        return reverse("inbox:detail", args=[obj.workspace.slug, obj.message_id])

    def snapshot(self, obj: ReplyDraft) -> dict[str, Any]:
        return {"text": obj.text, "in_reply_to": obj.message.text[:500]}

    def scope(self, obj: ReplyDraft) -> tuple[list[int], int | None]:
        return [obj.message.channel_id], None

    def author(self, obj: ReplyDraft) -> Any:
        return obj.author.user

    def planned_at(self, obj: ReplyDraft, plan: dict[str, Any]) -> datetime | None:
        return None

    def on_submitted(self, obj: ReplyDraft) -> None:
        ReplyDraft.objects.filter(pk=obj.pk).update(status="pending")

    def on_approved(self, obj: ReplyDraft, plan: dict[str, Any]) -> str:
        from roost.inbox.tasks import send_approved_reply

        ReplyDraft.objects.filter(pk=obj.pk).update(status="approved")
        # The network call happens in a background task, after this decision is stored.
        transaction.on_commit(partial(send_approved_reply.enqueue, obj.pk))
        return _("The reply is being sent.")

    def on_returned(self, obj: ReplyDraft) -> None:
        ReplyDraft.objects.filter(pk=obj.pk).update(status="returned")


register(ReplyApprovable())
