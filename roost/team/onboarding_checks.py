"""Automatic checks for onboarding steps: each counts one kind of real activity of a member
since a moment (their plan's start), so a step like "Handle ten inbox items" ticks itself.

A check is a code (kept on TemplateStep/PlanStep.auto_check), a label, a link into Roost
(a URL name taking the workspace's slug) and a batch counter: `counts(subjects)` answers
for many members at once with a fixed number of queries (one or two), whatever their
number, so the refresh job costs the same for one plan or five hundred."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from roost.approvals.models import ApprovalRequest, Decision, RequestStatus
from roost.inbox.models import Message
from roost.publishing.models import Post, PostStatus
from roost.workspaces.models import AuditEntry, Membership


@dataclass(frozen=True)
class Subject:
    """Whose activity to count, and from when. `key` is the caller's (a plan's id)."""

    key: int
    workspace_id: int
    member_id: int
    user_id: int
    since: datetime


Counter = Callable[[list[Subject]], dict[int, int]]


@dataclass(frozen=True)
class Check:
    code: str
    label: str | Promise
    counts_what: str | Promise  # for the docs and the template editor
    url_name: str
    batch: Counter

    def count(self, member: Membership, since: datetime) -> int:
        """How many times `member` did it since `since`."""
        subject = Subject(0, member.workspace_id, member.pk, member.user_id, since)
        return self.batch([subject]).get(0, 0)

    def url(self, slug: str) -> str:
        return reverse(self.url_name, kwargs={"slug": slug})


def _bounds(subjects: list[Subject]) -> tuple[set[int], set[int], set[int], datetime]:
    return (
        {s.workspace_id for s in subjects},
        {s.user_id for s in subjects},
        {s.member_id for s in subjects},
        min(s.since for s in subjects),
    )


def _tally(subjects: list[Subject], rows: Iterable[Any], by_user: bool) -> dict[int, int]:
    """Count distinct items per subject: rows are (workspace, who, when, item); `who` is a
    user id (by_user) or a membership id."""
    seen: dict[tuple[int, int], list[tuple[datetime, Any]]] = defaultdict(list)
    for workspace_id, who, when, item in rows:
        seen[(workspace_id, who)].append((when, item))
    out: dict[int, int] = {}
    for s in subjects:
        who = s.user_id if by_user else s.member_id
        out[s.key] = len(
            {item for when, item in seen.get((s.workspace_id, who), []) if when >= s.since}
        )
    return out


def _inbox_handled(subjects: list[Subject]) -> dict[int, int]:
    """Distinct incoming items a member completed or replied to (two queries)."""
    if not subjects:
        return {}
    workspaces, users, members, since = _bounds(subjects)
    completed = Message.objects.filter(
        workspace_id__in=workspaces,
        outgoing=False,
        completed_by_id__in=users,
        completed_at__gte=since,
    ).values_list("workspace_id", "completed_by_id", "completed_at", "channel_id", "remote_id")
    replies = Message.objects.filter(
        workspace_id__in=workspaces, outgoing=True, sent_by_id__in=members, sent_at__gte=since
    ).values_list(
        "workspace_id", "sent_by_id", "sent_at", "channel_id", "parent_remote_id", "conversation_id"
    )
    user_of = {s.member_id: s.user_id for s in subjects}
    rows: list[Any] = [
        (ws, who, when, (channel, remote)) for ws, who, when, channel, remote in completed
    ]
    for ws, member, when, channel, parent, conversation in replies:
        item = (channel, parent) if parent else ("conversation", conversation)
        rows.append((ws, user_of.get(member), when, item))
    return _tally(subjects, rows, by_user=True)


def _replies_sent(subjects: list[Subject]) -> dict[int, int]:
    if not subjects:
        return {}
    workspaces, _users, members, since = _bounds(subjects)
    rows = Message.objects.filter(
        workspace_id__in=workspaces, outgoing=True, sent_by_id__in=members, sent_at__gte=since
    ).values_list("workspace_id", "sent_by_id", "sent_at", "pk")
    return _tally(subjects, rows, by_user=False)


LIVE_POST = [PostStatus.SCHEDULED, PostStatus.PUBLISHING, PostStatus.PUBLISHED, PostStatus.PARTIAL]


def _posts_approved(subjects: list[Subject]) -> dict[int, int]:
    """Posts the member wrote that were approved and are scheduled or out (one query)."""
    if not subjects:
        return {}
    workspaces, users, _members, since = _bounds(subjects)
    author = Post.objects.filter(pk=OuterRef("object_id"), status__in=LIVE_POST).values(
        "author_id"
    )[:1]
    rows = (
        ApprovalRequest.objects.filter(
            workspace_id__in=workspaces,
            kind="post",
            status=RequestStatus.APPROVED,
            decided_at__gte=since,
        )
        .annotate(author=Subquery(author))
        .filter(author__in=users)
        .values_list("workspace_id", "author", "decided_at", "object_id")
    )
    return _tally(subjects, rows, by_user=True)


def _decisions(subjects: list[Subject]) -> dict[int, int]:
    if not subjects:
        return {}
    workspaces, users, _members, since = _bounds(subjects)
    rows = Decision.objects.filter(
        state__request__workspace_id__in=workspaces, user_id__in=users, created_at__gte=since
    ).values_list("state__request__workspace_id", "user_id", "created_at", "pk")
    return _tally(subjects, rows, by_user=True)


def _audited(*actions: str) -> Counter:
    def batch(subjects: list[Subject]) -> dict[int, int]:
        if not subjects:
            return {}
        workspaces, users, _members, since = _bounds(subjects)
        rows = AuditEntry.objects.filter(
            workspace_id__in=workspaces,
            action__in=actions,
            actor_id__in=users,
            created_at__gte=since,
        ).values_list("workspace_id", "actor_id", "created_at", "pk")
        return _tally(subjects, rows, by_user=True)

    return batch


CHECKS: dict[str, Check] = {
    c.code: c
    for c in (
        Check(
            "inbox_handled",
            _("Inbox items handled"),
            _(
                "Distinct incoming inbox items the member marked complete or replied to "
                "since the plan started."
            ),
            "inbox:list",
            _inbox_handled,
        ),
        Check(
            "replies_sent",
            _("Replies sent"),
            _("Replies the member sent from the inbox since the plan started."),
            "inbox:list",
            _replies_sent,
        ),
        Check(
            "posts_approved",
            _("Posts through approval"),
            _(
                "Posts the member wrote that were approved since the plan started and are "
                "now scheduled, publishing or published."
            ),
            "publishing:compose",
            _posts_approved,
        ),
        Check(
            "approval_decisions",
            _("Approval decisions made"),
            _("Approve, reject or request-changes decisions the member made."),
            "approvals:queue",
            _decisions,
        ),
        Check(
            "reports_shared",
            _("Reports exported, scheduled or shared"),
            _(
                "Analytics reports the member exported, scheduled by e-mail or shared as a "
                "read-only link (audit log)."
            ),
            "analytics:reports",
            _audited("report.exported", "report_schedule.created", "report_share.created"),
        ),
        Check(
            "listening_topics",
            _("Listening topics created"),
            _("Listening topics the member created (audit log)."),
            "listening:overview",
            _audited("listening.topic_created"),
        ),
        Check(
            "saved_replies",
            _("Saved replies written"),
            _("Saved replies the member created (audit log)."),
            "inbox:saved_replies",
            _audited("inbox.saved_reply_created"),
        ),
        Check(
            "tasks_created",
            _("Inbox tasks created"),
            _("Tasks (leads, support cases…) the member created from inbox items (audit log)."),
            "inbox:list",
            _audited("inbox.task_created"),
        ),
    )
}


def choices() -> list[tuple[str, str]]:
    """For the template editor: ("", by hand) and every check."""
    return [("", str(_("Ticked by hand")))] + [(c.code, str(c.label)) for c in CHECKS.values()]
