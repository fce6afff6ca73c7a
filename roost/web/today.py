"""The home page ("Today") of one member: what waits for them, what goes out today, what
failed, and what the team did since yesterday.

It lives in `web`, the top layer, because it reads from every app through their
selectors. Each block is asked only of a member whose role may open the page it links
to, and each costs a fixed number of queries however much data there is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from django.db.models import Count, F, Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from roost.approvals.models import EventKind
from roost.approvals.selectors import (
    QueueSection,
    decisions_since,
    sent_back_to,
    waiting_sections,
)
from roost.channels.models import Channel
from roost.channels.selectors import channels_needing_reconnect
from roost.inbox.models import InboxSettings, Message, MessageStatus, Task
from roost.inbox.selectors import q_visible
from roost.inbox.services.sla import first_response
from roost.publishing.models import Delivery, Post, PostStatus
from roost.publishing.selectors import (
    PostFilter,
    deliveries_failed_since,
    posts_in_range,
    posts_published_since,
)
from roost.web.nav import may_open
from roost.workspaces.models import Membership
from roost.workspaces.roles import Perm

SHOWN = 5  # items shown per list; the rest is a count and a link
SLA_SCAN = 200  # the oldest unanswered items checked against the SLA
FAILED_DAYS = 7  # how far back a failed delivery still needs someone
JOINED_NAMED = 3  # newcomers named; the rest are counted
# What may still go out today (a draft with a time does not).
GOING_OUT: list[str] = [
    PostStatus.IN_REVIEW,
    PostStatus.SCHEDULED,
    PostStatus.PUBLISHING,
    PostStatus.PUBLISHED,
    PostStatus.PARTIAL,
    PostStatus.FAILED,
]


@dataclass
class Listed[T]:
    """The first items of a list, and how many there are in all."""

    items: list[T]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.items)


@dataclass
class SlaItem:
    message: Message
    state: str  # "at_risk" or "breached"
    minutes: int  # waiting so far (business minutes)

    @property
    def waited(self) -> str:
        """How long it has waited, for people: "50 min", "3 h 5 min"."""
        hours, minutes = divmod(self.minutes, 60)
        if not hours:
            return _("%(m)d min") % {"m": minutes}
        if not minutes:
            return _("%(h)d h") % {"h": hours}
        return _("%(h)d h %(m)d min") % {"h": hours, "m": minutes}


@dataclass
class Today:
    now: datetime
    since: datetime  # "since yesterday": the start of yesterday in the workspace's zone
    # Waiting for me. None: the member's role does not open that page (block not shown).
    reviews_mine: QueueSection | None = None
    reviews_groups: QueueSection | None = None
    sent_back: QueueSection | None = None
    assigned: Listed[Message] | None = None
    tasks: Listed[Task] | None = None
    sla: Listed[SlaItem] | None = None
    # Today and problems.
    going_out: Listed[Post] | None = None
    failed: Listed[Delivery] | None = None
    reconnect: list[Channel] | None = None
    # Since yesterday.
    published: Listed[Post] | None = None
    team: list[str] = field(default_factory=list)

    @property
    def nothing_waits(self) -> bool:
        lists: list[Any] = [
            self.reviews_mine,
            self.reviews_groups,
            self.sent_back,
            self.assigned,
            self.tasks,
            self.sla,
        ]
        return all(found is None or found.total == 0 for found in lists)

    @property
    def shows_content(self) -> bool:
        return self.going_out is not None

    @property
    def nothing_failed(self) -> bool:
        return not (self.failed and self.failed.total) and not self.reconnect


def day_start(now: datetime, tz: Any) -> datetime:
    return datetime.combine(now.astimezone(tz).date(), time.min, tz)


def today_for(membership: Membership, now: datetime) -> Today:
    """Everything on the member's home page, as far as their roles let them see it."""
    tz = membership.workspace.tzinfo
    start = day_start(now, tz)
    # The next midnight, found in the zone (a day is 23 or 25 hours at a DST change).
    end = day_start(start + timedelta(hours=36), tz)
    since = day_start(start - timedelta(hours=12), tz)
    today = Today(now=now, since=since)
    content = may_open(membership, "calendar:month")
    replies = membership.has_perm(Perm.INBOX_REPLY)
    my_groups = list(membership.groups.values_list("pk", flat=True))

    if may_open(membership, "approvals:queue"):
        sections = waiting_sections(membership, SHOWN)
        if membership.has_perm(Perm.APPROVE) or sections["mine"].total:
            today.reviews_mine = sections["mine"]
        if membership.has_perm(Perm.APPROVE) or sections["groups"].total:
            today.reviews_groups = sections["groups"]
        sent_back = sent_back_to(membership, SHOWN)
        if membership.has_perm(Perm.COMPOSE) or sent_back.total:
            today.sent_back = sent_back

    assigned = _assigned(membership, my_groups)
    if replies or assigned.total:
        today.assigned = assigned
    tasks = _tasks(membership, my_groups)
    if replies or tasks.total:
        today.tasks = tasks
    if replies or membership.has_perm(Perm.INBOX_ASSIGN):
        today.sla = _sla(membership, now)

    if content:
        going = posts_in_range(membership, start, end, PostFilter(statuses=GOING_OUT))
        today.going_out = Listed(list(going[: SHOWN * 2]), going.count())
        today.failed = Listed(
            *deliveries_failed_since(membership, now - timedelta(days=FAILED_DAYS), SHOWN)
        )
        today.reconnect = list(channels_needing_reconnect(membership))
        today.published = Listed(*posts_published_since(membership, since, SHOWN))
    today.team = _team_lines(membership, since)
    return today


def _mine(membership: Membership, my_groups: list[int]) -> Q:
    """Assigned to me, or to one of my groups and no one in it yet."""
    return Q(assignee=membership) | Q(assignee__isnull=True, group_id__in=my_groups)


def _assigned(membership: Membership, my_groups: list[int]) -> Listed[Message]:
    qs = Message.objects.filter(
        q_visible(membership), _mine(membership, my_groups), outgoing=False
    ).filter(status=MessageStatus.OPEN)
    items = list(
        qs.select_related("channel", "group").order_by("-priority", "received_at", "id")[:SHOWN]
    )
    return Listed(items, qs.count())


def _tasks(membership: Membership, my_groups: list[int]) -> Listed[Task]:
    visible = Message.objects.filter(q_visible(membership)).values("pk")
    qs = Task.objects.filter(
        _mine(membership, my_groups),
        workspace_id=membership.workspace_id,
        message__in=visible,
        done=False,
    )
    items = list(
        qs.select_related("message__channel").order_by(
            F("due_at").asc(nulls_last=True), "created_at", "id"
        )[:SHOWN]
    )
    return Listed(items, qs.count())


def _sla(membership: Membership, now: datetime) -> Listed[SlaItem]:
    """Unanswered items the member may open whose first-response target is at risk (past
    three quarters of it) or missed, the longest waiting first."""
    ws = membership.workspace
    settings = InboxSettings.objects.filter(workspace_id=ws.pk).first() or InboxSettings(
        workspace_id=ws.pk
    )
    # Business hours only shorten the time counted, so this finds every candidate.
    threshold = now - timedelta(seconds=0.75 * settings.first_response_minutes * 60)
    candidates = (
        Message.objects.filter(
            q_visible(membership),
            outgoing=False,
            status=MessageStatus.OPEN,
            first_response_at__isnull=True,
            received_at__lte=threshold,
        )
        .select_related("channel", "assignee__user", "group")
        .order_by("received_at", "id")[:SLA_SCAN]
    )
    found = []
    for message in candidates:
        sla = first_response(message, settings, ws.timezone, now)
        if sla.state in {"at_risk", "breached"}:
            found.append(SlaItem(message, sla.state, int(sla.seconds // 60)))
    return Listed(found[:SHOWN], len(found))


def _team_lines(membership: Membership, since: datetime) -> list[str]:
    """What the team did since yesterday, in sentences: who completed how many inbox
    items and decided how many reviews (of what the member may see), and who joined."""
    lines = []
    done = (
        Message.objects.filter(
            q_visible(membership), completed_at__gte=since, completed_by__isnull=False
        )
        .values_list("completed_by__name", "completed_by__email")
        .annotate(n=Count("id", distinct=True))
        .order_by("-n", "completed_by__name")
    )
    for name, email, n in done:
        lines.append(
            ngettext(
                "%(name)s completed %(n)d inbox item.",
                "%(name)s completed %(n)d inbox items.",
                n,
            )
            % {"name": name or email, "n": n}
        )
    for name, event, n in decisions_since(membership, since):
        lines.append(_decided(name, event, n))
    joined = Membership.objects.filter(
        workspace_id=membership.workspace_id, created_at__gte=since
    ).select_related("user")
    names = [m.user.display_name for m in joined.order_by("created_at", "id")[:JOINED_NAMED]]
    others = joined.count() - len(names)
    if others:
        names.append(ngettext("%(n)d other", "%(n)d others", others) % {"n": others})
    if len(names) > 1:
        both = {"a": ", ".join(names[:-1]), "b": names[-1]}
        lines.append(_("%(names)s joined the team.") % {"names": _("%(a)s and %(b)s") % both})
    elif names:
        lines.append(_("%(names)s joined the team.") % {"names": names[0]})
    return lines


def _decided(name: str, event: str, n: int) -> str:
    if event == EventKind.APPROVED:
        text = ngettext("%(name)s approved %(n)d review.", "%(name)s approved %(n)d reviews.", n)
    elif event == EventKind.REJECTED:
        text = ngettext("%(name)s rejected %(n)d review.", "%(name)s rejected %(n)d reviews.", n)
    else:
        text = ngettext(
            "%(name)s asked for changes on %(n)d review.",
            "%(name)s asked for changes on %(n)d reviews.",
            n,
        )
    return text % {"name": name, "n": n}
