"""Reads for the inbox: what a member may see, filtered; a fixed number of queries."""

from __future__ import annotations

import math
import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.db.models.functions import TruncDate

from roost.core.exceptions import NotFound
from roost.inbox.models import (
    InboxRule,
    InboxSettings,
    InboxTag,
    InternalNote,
    Message,
    MessageStatus,
    SavedReply,
    Task,
    TaskKind,
    WebhookDelivery,
    WebhookEndpoint,
)
from roost.inbox.services.sla import business_seconds
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


def _filtered(membership: Membership, f: InboxFilter) -> QuerySet[Message]:
    """The member's visible incoming items narrowed by the list's filters (unordered)."""
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
    return qs


def messages_list(membership: Membership, f: InboxFilter, limit: int = 50) -> QuerySet[Message]:
    return (
        _filtered(membership, f)
        .select_related("channel", "assignee__user", "group")
        .prefetch_related("tags")
        .order_by("-received_at", "-id")[:limit]
    )


def messages_new_count(membership: Membership, f: InboxFilter, after_id: int) -> int:
    """How many items the list, with the same filters, would show above the newest one it
    shows now (`after_id`): new items have higher ids. One COUNT query."""
    return _filtered(membership, f).filter(pk__gt=after_id).values("pk").distinct().count()


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


def _q_thread_visible(membership: Membership, message: Message) -> Q:
    """Which items of `message`'s conversation the member may read: the ones they may
    open (q_visible), and our replies to those or written by them. For people who read
    the whole inbox that is the whole conversation."""
    opened = Message.objects.filter(
        q_visible(membership), conversation_id=message.conversation_id, outgoing=False
    ).values("remote_id")
    return (
        q_visible(membership)
        | Q(outgoing=True, parent_remote_id__in=opened)
        | Q(outgoing=True, sent_by=membership)
    )


def thread(membership: Membership, message: Message) -> QuerySet[Message]:
    """The conversation around `message`, as far as `membership` may read it: a routed-only
    member (Customer Care, Sales) does not read, through the thread, the messages that
    were not routed to them."""
    return (
        Message.objects.filter(
            _q_thread_visible(membership, message), conversation_id=message.conversation_id
        )
        .distinct()
        .order_by("sent_at", "id")
    )


def thread_hidden(membership: Membership, message: Message) -> int:
    """How many items of the conversation the member may not read (shown as a count only,
    so they know to ask a colleague)."""
    everything = Message.objects.filter(conversation_id=message.conversation_id).count()
    return everything - thread(membership, message).count()


def author_history(membership: Membership, message: Message, limit: int = 20) -> QuerySet[Message]:
    """What this person said to the brand before, on this channel: only what the member
    may open themselves."""
    return (
        Message.objects.filter(
            q_visible(membership), channel_id=message.channel_id, author_id=message.author_id
        )
        .exclude(pk=message.pk)
        .distinct()
        .order_by("-sent_at")[:limit]
    )


def access_message(membership: Membership, message_id: int) -> Message:
    """The message, if `membership` may see it; NotFound otherwise (never "forbidden": a
    hidden message does not exist for them)."""
    found = message_detail(membership, message_id)
    if found is None:
        raise NotFound()
    return found


def tasks_list(membership: Membership, open_only: bool = False, limit: int = 200) -> QuerySet[Task]:
    """Tasks on the messages `membership` may see, newest first."""
    visible = Message.objects.filter(q_visible(membership)).values("pk")
    qs = Task.objects.filter(workspace_id=membership.workspace_id, message__in=visible)
    if open_only:
        qs = qs.filter(done=False)
    return qs.select_related("message__channel", "assignee__user", "group").order_by(
        "-created_at", "-id"
    )[:limit]


def lead_counts(workspace_id: int, start: datetime, end: datetime) -> dict[int | None, int]:
    """Lead tasks created in [start, end), counted by the campaign of the post the message
    answers (None: no campaign, or not an answer to one of our posts). For ROI."""
    rows = (
        Task.objects.filter(
            workspace_id=workspace_id,
            kind=TaskKind.LEAD,
            created_at__gte=start,
            created_at__lt=end,
        )
        .values("message__conversation__delivery__post__campaign_id")
        .annotate(n=Count("pk"))
    )
    return {row["message__conversation__delivery__post__campaign_id"]: row["n"] for row in rows}


def my_tasks(membership: Membership, limit: int = 200) -> list[Task]:
    """Tasks given to the member or to one of their groups, on items they may see: open
    ones first, the soonest due first (no due date last), then done ones, newest first."""
    visible = Message.objects.filter(q_visible(membership)).values("pk")
    groups = membership.groups.values("pk")
    qs = (
        Task.objects.filter(workspace_id=membership.workspace_id, message__in=visible)
        .filter(Q(assignee=membership) | Q(group__in=groups))
        .select_related("message__channel", "assignee__user", "group")
    )
    open_ = qs.filter(done=False).order_by(F("due_at").asc(nulls_last=True), "-created_at", "-id")
    done = qs.filter(done=True).order_by("-created_at", "-id")
    found = list(open_[:limit])
    return found + list(done[: max(0, min(50, limit - len(found)))])


def tags_in(workspace_id: int) -> QuerySet[InboxTag]:
    return InboxTag.objects.filter(workspace_id=workspace_id).order_by("name")


def saved_replies(workspace_id: int) -> QuerySet[SavedReply]:
    """The workspace's shared saved replies."""
    return SavedReply.objects.filter(workspace_id=workspace_id, owner__isnull=True).order_by("name")


def saved_replies_for(membership: Membership) -> QuerySet[SavedReply]:
    """The saved replies the member may use: the shared ones and their own."""
    return SavedReply.objects.filter(
        Q(owner__isnull=True) | Q(owner=membership), workspace_id=membership.workspace_id
    ).order_by("name", "id")


def access_saved_reply(membership: Membership, saved_id: int) -> SavedReply:
    """A saved reply the member may use; NotFound for another's personal one."""
    found = saved_replies_for(membership).filter(pk=saved_id).first()
    if found is None:
        raise NotFound()
    return found


def notes(membership: Membership, message: Message) -> QuerySet[InternalNote]:
    """The internal notes on `message`'s conversation, left on items the member may open
    (a note on an item not routed to them may quote it)."""
    visible = Message.objects.filter(
        q_visible(membership), conversation_id=message.conversation_id
    ).values("pk")
    return (
        InternalNote.objects.filter(conversation_id=message.conversation_id, message__in=visible)
        .select_related("author__user")
        .order_by("created_at", "id")
    )


def rules_list(workspace_id: int) -> QuerySet[InboxRule]:
    return InboxRule.objects.filter(workspace_id=workspace_id).order_by("position", "id")


def endpoints_list(workspace_id: int) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(workspace_id=workspace_id).order_by("name", "id")


def deliveries_list(workspace_id: int, limit: int = 50) -> QuerySet[WebhookDelivery]:
    return (
        WebhookDelivery.objects.filter(endpoint__workspace_id=workspace_id)
        .select_related("endpoint")
        .order_by("-created_at", "-id")[:limit]
    )


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile (p in 0..100) of `values`; None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass
class MemberDays:
    name: str
    counts: list[int]

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass
class SlaReport:
    days: list[date]
    responded: int
    p50: float | None  # seconds, in business hours when the workspace sets them
    p90: float | None
    members: list[MemberDays]


def sla_report(
    workspace_id: int, settings: InboxSettings, tz: str, now: datetime, days: int = 7
) -> SlaReport:
    """First-response percentiles over messages received in the last `days` days, and
    items completed per member per day (in the workspace's time zone)."""
    zone = zoneinfo.ZoneInfo(tz)
    today = now.astimezone(zone).date()
    day_list = [today - timedelta(days=i) for i in range(days - 1, -1, -1)]
    start = datetime.combine(day_list[0], time.min, zone)
    pairs = Message.objects.filter(
        workspace_id=workspace_id,
        outgoing=False,
        received_at__gte=start,
        first_response_at__isnull=False,
    ).values_list("received_at", "first_response_at")
    spent = [business_seconds(r, f, settings.business_hours, tz) for r, f in pairs if f]
    done = (
        Message.objects.filter(
            workspace_id=workspace_id, completed_at__gte=start, completed_by__isnull=False
        )
        .annotate(day=TruncDate("completed_at", tzinfo=zone))
        .values_list("completed_by", "day")
        .annotate(n=Count("id"))
    )
    counts: dict[int, dict[date, int]] = {}
    for user_id, day, n in done:
        counts.setdefault(user_id, {})[day] = n
    members = (
        Membership.objects.filter(workspace_id=workspace_id)
        .select_related("user")
        .prefetch_related("roles")
        .order_by("user__name", "pk")
    )
    rows = [
        MemberDays(m.user.display_name, [counts.get(m.user_id, {}).get(d, 0) for d in day_list])
        for m in members
        if m.user_id in counts or m.has_perm(Perm.INBOX_REPLY)
    ]
    return SlaReport(
        days=day_list,
        responded=len(spent),
        p50=percentile(spent, 50),
        p90=percentile(spent, 90),
        members=rows,
    )
