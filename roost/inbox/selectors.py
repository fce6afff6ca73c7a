"""Reads for the inbox: what a member may see, filtered; a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet

from roost.inbox.models import Message, MessageStatus, Task
from roost.workspaces.models import Membership
from roost.workspaces.roles import Perm


def q_visible(membership: Membership) -> Q:
    """All of the workspace for people who read the whole inbox; for Customer Care and
    Sales only what is routed to them or their groups. Channel access applies too."""
    q = Q(workspace_id=membership.workspace_id)
    if not membership.all_channels:
        q &= Q(channel__channelaccess__membership=membership)
    if membership.has_perm(Perm.INBOX_READ_ALL):
        return q
    groups = list(membership.groups.values_list("pk", flat=True))
    return q & (Q(assignee=membership) | Q(group__in=groups))


@dataclass
class InboxFilter:
    status: str = MessageStatus.OPEN
    channel_ids: list[int] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    assignee: str = ""  # "", "me", "none", or a membership id
    group_id: int | None = None
    tag: str = ""
    priority: int | None = None
    language: str = ""
    query: str = ""


def messages_list(membership: Membership, f: InboxFilter, limit: int = 50) -> QuerySet[Message]:
    qs = Message.objects.filter(q_visible(membership), outgoing=False)
    if f.status in MessageStatus.values:
        qs = qs.filter(status=f.status)
    if f.channel_ids:
        qs = qs.filter(channel_id__in=f.channel_ids)
    if f.kinds:
        qs = qs.filter(kind__in=f.kinds)
    if f.assignee == "me":
        qs = qs.filter(assignee=membership)
    elif f.assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif f.assignee.isdigit():
        qs = qs.filter(assignee_id=int(f.assignee))
    if f.group_id:
        qs = qs.filter(group_id=f.group_id)
    if f.tag:
        qs = qs.filter(tags__name=f.tag)
    if f.priority is not None:
        qs = qs.filter(priority=f.priority)
    if f.language:
        qs = qs.filter(language=f.language)
    if f.query:
        qs = qs.filter(Q(text__icontains=f.query) | Q(author_handle__icontains=f.query))
    return (
        qs.select_related("channel", "assignee__user", "group")
        .prefetch_related("tags")
        .order_by("-received_at", "-id")[:limit]
    )


def message_detail(membership: Membership, message_id: int) -> Message | None:
    return (
        Message.objects.filter(q_visible(membership), pk=message_id)
        .select_related("channel__workspace", "conversation", "assignee__user", "group")
        .prefetch_related(
            "tags",
            Prefetch("tasks", queryset=Task.objects.select_related("group", "assignee__user")),
        )
        .first()
    )


def thread(message: Message) -> QuerySet[Message]:
    return message.conversation.messages.order_by("sent_at", "id")


def author_history(message: Message, limit: int = 20) -> QuerySet[Message]:
    """What this person said to the brand before, on this channel."""
    return (
        Message.objects.filter(channel_id=message.channel_id, author_id=message.author_id)
        .exclude(pk=message.pk)
        .order_by("-sent_at")[:limit]
    )
