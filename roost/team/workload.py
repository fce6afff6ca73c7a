"""Workload: the nightly roll-up of each member's activity into WorkloadDay rows, and the
burnout signals read from those rows (docs/team.md, "Workload and check-ins").

Sources (Roost's own records, nothing else):
- the audit log: every AuditEntry with the member's user as actor (one action each);
- the inbox: messages completed by the member (`completed_by`, at `completed_at`) and our
  own replies they sent (`sent_by`, at `sent_at`);
- approvals: decisions the member made (Decision.user, at `created_at`);
- publishing: posts the member created (Post.author, at `created_at`).

"Handled items" = inbox items completed + replies sent + approval decisions + posts
created. "Actions" = audit entries + handled items (a trace of activity; a handled item
that also wrote an audit entry counts twice there, which is what "busy" means here).

The database groups the events by person and UTC hour; Python then places each hour in
the workspace's time zone (by the hour's middle) and against the member's working hours.
"""

from __future__ import annotations

import logging
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.db.models import CharField, Count, F, Func, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from roost.approvals.models import (
    Decision,
    RequestStatus,
    StepState,
    WorkflowStep,
)
from roost.core import clock
from roost.inbox.models import InboxSettings, Message, MessageStatus, Task
from roost.publishing.models import Post
from roost.team.hours import Hours, hours_of, is_working_time
from roost.team.models import MemberProfile, WeeklyCheckIn, WorkloadDay, WorkloadProgress
from roost.workspaces.models import AuditEntry, Group, Membership, Workspace

log = logging.getLogger("roost.team.workload")

HISTORY_DAYS = 90  # how far back a workspace's first roll-up reaches
WINDOW_DAYS = 28  # the signals' window
TREND_WEEKS = 8
MIN_CHECK_INS = 3  # a weekly average is shown only with at least this many answers

OK, WATCH, HIGH = "ok", "watch", "high"
FLAG_ORDER = {OK: 0, WATCH: 1, HIGH: 2}


class UtcHour(Func):
    """The UTC hour of a timestamp as text, "YYYY-MM-DD HH", in the database's own C code
    (Django's TruncHour on SQLite calls back into Python for every row)."""

    output_field = CharField()
    template = "to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24')"

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # SQLite keeps aware datetimes as UTC text "YYYY-MM-DD HH:MM:SS[.ffffff]".
        return super().as_sql(
            compiler, connection, template="substr(%(expressions)s, 1, 13)", **extra
        )


def local_today(workspace: Workspace) -> date:
    return clock.now().astimezone(workspace.tzinfo).date()


def _grouped(qs: QuerySet[Any], who: str, at: str) -> Iterable[tuple[int, str, int]]:
    return (
        qs.annotate(h=UtcHour(at))
        .values(who, "h")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list(who, "h", "n")
        .iterator(chunk_size=20000)
    )


def member_hours(workspace_id: int) -> dict[int, Hours]:
    """Each member's working hours (the default for a member without a profile)."""
    stored = dict(
        MemberProfile.objects.filter(workspace_id=workspace_id).values_list(
            "membership_id", "working_hours"
        )
    )
    return {
        pk: hours_of(stored.get(pk))
        for pk in Membership.objects.filter(workspace_id=workspace_id).values_list("pk", flat=True)
    }


def rollup(workspace: Workspace, start: date, end: date) -> int:
    """Recompute the WorkloadDay rows of `start`..`end` (the workspace's dates, inclusive).
    Idempotent: the days' rows are replaced. Returns the rows written."""
    tz = workspace.tzinfo
    lo = datetime.combine(start, time(), tz)
    hi = datetime.combine(end + timedelta(days=1), time(), tz)
    members = list(
        Membership.objects.filter(workspace=workspace).values_list(
            "pk", "user_id", "away_from", "away_until"
        )
    )
    by_user = {user_id: pk for pk, user_id, _f, _u in members}
    hours = member_hours(workspace.pk)
    # (member, hour text) -> [actions, handled]
    counts: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])

    def add(rows: Iterable[tuple[int, str, int]], users: bool, handled: bool) -> None:
        for who, hour, n in rows:
            member = by_user.get(who) if users else who
            if member is None or member not in hours:
                continue
            cell = counts[(member, hour)]
            cell[0] += n
            if handled:
                cell[1] += n

    ws = workspace.pk
    add(
        _grouped(
            AuditEntry.objects.filter(
                workspace_id=ws, created_at__gte=lo, created_at__lt=hi, actor__isnull=False
            ),
            "actor_id",
            "created_at",
        ),
        users=True,
        handled=False,
    )
    add(
        _grouped(
            Message.objects.filter(
                workspace_id=ws,
                completed_by__isnull=False,
                completed_at__gte=lo,
                completed_at__lt=hi,
            ),
            "completed_by_id",
            "completed_at",
        ),
        users=True,
        handled=True,
    )
    add(
        _grouped(
            Message.objects.filter(
                workspace_id=ws,
                outgoing=True,
                sent_by__isnull=False,
                sent_at__gte=lo,
                sent_at__lt=hi,
            ),
            "sent_by_id",
            "sent_at",
        ),
        users=False,
        handled=True,
    )
    add(
        _grouped(
            Decision.objects.filter(
                state__request__workspace_id=ws,
                user__isnull=False,
                created_at__gte=lo,
                created_at__lt=hi,
            ),
            "user_id",
            "created_at",
        ),
        users=True,
        handled=True,
    )
    add(
        _grouped(
            Post.objects.filter(
                workspace_id=ws, author__isnull=False, created_at__gte=lo, created_at__lt=hi
            ),
            "author_id",
            "created_at",
        ),
        users=True,
        handled=True,
    )
    # Each UTC hour, once: its local day and its middle's local time.
    placed: dict[str, tuple[date, int, time]] = {}
    days: dict[tuple[int, date], list[int]] = defaultdict(lambda: [0, 0, 0])
    for (member, hour), (actions, handled) in counts.items():
        where = placed.get(hour)
        if where is None:
            at = datetime.strptime(hour, "%Y-%m-%d %H").replace(tzinfo=UTC) + timedelta(minutes=30)
            local = at.astimezone(tz)
            where = placed[hour] = (local.date(), local.weekday(), local.time())
        day, weekday, moment = where
        if not start <= day <= end:
            continue
        cell = days[(member, day)]
        cell[0] += actions
        cell[1] += handled
        if not is_working_time(hours[member], weekday, moment):
            cell[2] += actions
    away = {pk: (f, u) for pk, _user, f, u in members}
    rows = [
        WorkloadDay(
            workspace_id=ws,
            member_id=member,
            day=day,
            actions=actions,
            handled=handled,
            after_hours=after,
            weekend=day.weekday() >= 5,
            working_day=day.weekday() in hours[member] and not _away(away[member], day),
        )
        for (member, day), (actions, handled, after) in days.items()
    ]
    with transaction.atomic():
        WorkloadDay.objects.filter(workspace_id=ws, day__gte=start, day__lte=end).delete()
        WorkloadDay.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _away(span: tuple[date | None, date | None], day: date) -> bool:
    start, until = span
    if start is None and until is None:
        return False
    return (start is None or start <= day) and (until is None or day <= until)


def rollup_due(workspace: Workspace, today: date | None = None) -> int:
    """Roll up the workspace's days not yet done, up to yesterday (its dates)."""
    today = today or local_today(workspace)
    yesterday = today - timedelta(days=1)
    progress = WorkloadProgress.objects.filter(workspace=workspace).first()
    start = (
        progress.rolled_through + timedelta(days=1)
        if progress is not None
        else today - timedelta(days=HISTORY_DAYS)
    )
    if start > yesterday:
        return 0
    written = rollup(workspace, start, yesterday)
    WorkloadProgress.objects.update_or_create(
        workspace=workspace, defaults={"rolled_through": yesterday, "updated_at": clock.now()}
    )
    return written


def rollup_all(workspace_ids: list[int] | None = None) -> dict[int, str]:
    """Roll up every workspace (one's failure is logged; the others go on) and hand back
    the open items of members whose away period has started. Returns the failures."""
    from roost.team.services.workload import hand_back_due

    failed: dict[int, str] = {}
    workspaces = Workspace.objects.all()
    if workspace_ids is not None:
        workspaces = workspaces.filter(pk__in=workspace_ids)
    for workspace in workspaces.order_by("pk"):
        try:
            rollup_due(workspace)
            hand_back_due(workspace)
        except Exception as error:  # one workspace must not stop the rest
            log.exception("workload roll-up failed for workspace %s", workspace.pk)
            failed[workspace.pk] = str(error)[:300]
    return failed


# --- signals ---------------------------------------------------------------------------


@dataclass
class Signal:
    value: Any
    flag: str
    text: str = ""


@dataclass
class MemberSignals:
    member: Membership
    open_items: Signal
    handled_ratio: Signal  # handled per working day / the team's median
    handled_per_day: float | None
    after_hours: Signal  # share of actions outside working hours
    weekend_days: Signal
    longest_run: Signal  # days worked in a row without a day off
    bottleneck: Signal  # pending reviews waiting on them; .text: the oldest one's age
    reviews_waiting: int = 0
    oldest_review_hours: int | None = None
    cap: int = 25
    flag: str = OK
    signals: list[tuple[str, Signal]] = field(default_factory=list)


def _flag(value: float | None, watch: float, high: float) -> str:
    if value is None:
        return OK
    return HIGH if value >= high else WATCH if value >= watch else OK


THRESHOLDS = {
    # signal: (watch from, high from)
    "handled_ratio": (1.5, 2.0),
    "after_hours": (0.15, 0.30),
    "weekend_days": (2, 4),
    "longest_run": (7, 12),
    "reviews_waiting": (5, 10),
    "oldest_review_hours": (48, 120),
    "open_share_of_cap": (0.8, 1.0),
}
MIN_ACTIONS_FOR_SHARE = 20  # an after-hours share of fewer actions says nothing


def reviews_waiting(workspace_id: int) -> dict[int, list[datetime]]:
    """Member id -> when each pending review waiting on them started (the request's current
    step names them, directly or through one of their groups, and they have not decided
    it yet). Five queries for the whole workspace."""
    states = list(
        StepState.objects.filter(
            request__workspace_id=workspace_id,
            request__status=RequestStatus.PENDING,
            position=F("request__current_position"),
            step__isnull=False,
        ).values_list("pk", "step_id", "started_at", "request__submitted_at")
    )
    if not states:
        return {}
    step_ids = {s for _pk, s, _a, _b in states}
    named: dict[int, set[int]] = defaultdict(set)
    for step_id, member_id in WorkflowStep.members.through.objects.filter(
        workflowstep_id__in=step_ids
    ).values_list("workflowstep_id", "membership_id"):
        named[step_id].add(member_id)
    step_groups: dict[int, set[int]] = defaultdict(set)
    for step_id, group_id in WorkflowStep.groups.through.objects.filter(
        workflowstep_id__in=step_ids
    ).values_list("workflowstep_id", "group_id"):
        step_groups[step_id].add(group_id)
    in_group: dict[int, set[int]] = defaultdict(set)
    for group_id, member_id in Group.members.through.objects.filter(
        group__workspace_id=workspace_id
    ).values_list("group_id", "membership_id"):
        in_group[group_id].add(member_id)
    users = dict(Membership.objects.filter(workspace_id=workspace_id).values_list("user_id", "pk"))
    decided: set[tuple[int, int]] = {
        (state_id, users[user_id])
        for state_id, user_id in Decision.objects.filter(
            state_id__in=[pk for pk, *_rest in states], user__isnull=False
        ).values_list("state_id", "user_id")
        if user_id in users
    }
    found: dict[int, list[datetime]] = defaultdict(list)
    for pk, step_id, started, submitted in states:
        people = set(named[step_id])
        for group_id in step_groups[step_id]:
            people |= in_group[group_id]
        for member_id in people:
            if (pk, member_id) not in decided:
                found[member_id].append(started or submitted)
    return found


def _working_days(hours: Hours, span: tuple[date | None, date | None], days: list[date]) -> int:
    return sum(1 for d in days if d.weekday() in hours and not _away(span, d))


def _longest_run(worked: set[date], days: list[date]) -> int:
    best = run = 0
    for d in days:
        run = run + 1 if d in worked else 0
        best = max(best, run)
    return best


def member_signals(
    workspace: Workspace, members: list[Membership], today: date | None = None
) -> list[MemberSignals]:
    """The signals of `members` over the last WINDOW_DAYS days before today (the stored
    roll-ups) plus their open items now. A fixed number of queries, whatever the count."""
    today = today or local_today(workspace)
    days = [today - timedelta(days=n) for n in range(WINDOW_DAYS, 0, -1)]
    all_members = list(
        Membership.objects.filter(workspace=workspace).values_list("pk", "away_from", "away_until")
    )
    spans = {pk: (f, u) for pk, f, u in all_members}
    hours = member_hours(workspace.pk)
    per: dict[int, list[tuple[date, int, int, int, bool]]] = defaultdict(list)
    for member_id, day, handled, actions, after, weekend in WorkloadDay.objects.filter(
        workspace=workspace, day__gte=days[0], day__lte=days[-1]
    ).values_list("member_id", "day", "handled", "actions", "after_hours", "weekend"):
        per[member_id].append((day, handled, actions, after, weekend))
    rates: dict[int, float | None] = {}
    for pk in spans:
        working = _working_days(hours[pk], spans[pk], days)
        handled = sum(r[1] for r in per.get(pk, []))
        rates[pk] = handled / working if working else None
    team = [r for r in rates.values() if r is not None and r > 0]
    median = statistics.median(team) if team else None
    wanted = [m.pk for m in members]
    open_msgs = dict(
        Message.objects.filter(
            workspace_id=workspace.pk, assignee_id__in=wanted, status=MessageStatus.OPEN
        )
        .values("assignee_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("assignee_id", "n")
    )
    open_tasks = dict(
        Task.objects.filter(workspace_id=workspace.pk, assignee_id__in=wanted, done=False)
        .values("assignee_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("assignee_id", "n")
    )
    waiting = reviews_waiting(workspace.pk)
    default_cap = (
        InboxSettings.objects.filter(workspace_id=workspace.pk)
        .values_list("per_member_cap", flat=True)
        .first()
    ) or 25
    now = clock.now()
    found = []
    for m in members:
        rows = per.get(m.pk, [])
        worked = {r[0] for r in rows if r[2] > 0}
        actions = sum(r[2] for r in rows)
        after = sum(r[3] for r in rows)
        reviews = waiting.get(m.pk, [])
        oldest = int((now - min(reviews)).total_seconds() // 3600) if reviews else None
        cap = m.assignment_cap if m.assignment_cap is not None else default_cap
        open_n = open_msgs.get(m.pk, 0) + open_tasks.get(m.pk, 0) + len(reviews)
        rate = rates.get(m.pk)
        ratio = round(rate / median, 2) if rate is not None and median else None
        share = round(after / actions, 3) if actions else None
        weekend_days = sum(1 for r in rows if r[4] and r[2] > 0)
        run = _longest_run(worked, days)
        bottleneck_flag = max(
            _flag(len(reviews), *THRESHOLDS["reviews_waiting"]),
            _flag(oldest, *THRESHOLDS["oldest_review_hours"]),
            key=FLAG_ORDER.__getitem__,
        )
        s = MemberSignals(
            member=m,
            open_items=Signal(
                open_n, _flag(open_n / cap if cap else None, *THRESHOLDS["open_share_of_cap"])
            ),
            handled_ratio=Signal(ratio, _flag(ratio, *THRESHOLDS["handled_ratio"])),
            handled_per_day=round(rate, 2) if rate is not None else None,
            after_hours=Signal(
                share,
                _flag(share, *THRESHOLDS["after_hours"])
                if actions >= MIN_ACTIONS_FOR_SHARE
                else OK,
            ),
            weekend_days=Signal(weekend_days, _flag(weekend_days, *THRESHOLDS["weekend_days"])),
            longest_run=Signal(run, _flag(run, *THRESHOLDS["longest_run"])),
            bottleneck=Signal(len(reviews), bottleneck_flag),
            reviews_waiting=len(reviews),
            oldest_review_hours=oldest,
            cap=cap,
        )
        s.signals = [
            ("open_items", s.open_items),
            ("handled_ratio", s.handled_ratio),
            ("after_hours", s.after_hours),
            ("weekend_days", s.weekend_days),
            ("longest_run", s.longest_run),
            ("bottleneck", s.bottleneck),
        ]
        s.flag = max((sig.flag for _n, sig in s.signals), key=FLAG_ORDER.__getitem__)
        found.append(s)
    return found


SIGNAL_LABELS = {
    "open_items": _("Open items"),
    "handled_ratio": _("Handled per working day vs team median"),
    "after_hours": _("After-hours share"),
    "weekend_days": _("Weekend days worked"),
    "longest_run": _("Days without a break"),
    "bottleneck": _("Reviews waiting on them"),
}


@dataclass
class WeekTrend:
    week: date
    handled_per_day: float
    after_hours: float | None
    check_in_average: float | None  # None: fewer than MIN_CHECK_INS answers
    answers: int


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def team_trends(
    workspace: Workspace, member_ids: list[int], today: date | None = None
) -> list[WeekTrend]:
    """Per week (the last TREND_WEEKS, this one included): the members' handled items per
    calendar day, their after-hours share, and their check-in average (only with at least
    MIN_CHECK_INS answers). Two queries."""
    today = today or local_today(workspace)
    weeks = [monday(today) - timedelta(weeks=n) for n in range(TREND_WEEKS - 1, -1, -1)]
    sums: dict[date, list[int]] = {w: [0, 0, 0] for w in weeks}
    # Summed per day in the database: 56 rows whatever the team's size.
    for day, handled, actions, after in (
        WorkloadDay.objects.filter(workspace=workspace, member_id__in=member_ids, day__gte=weeks[0])
        .order_by()
        .values("day")
        .annotate(Sum("handled"), Sum("actions"), Sum("after_hours"))
        .values_list("day", "handled__sum", "actions__sum", "after_hours__sum")
    ):
        cell = sums.get(monday(day))
        if cell is not None:
            cell[0] += handled
            cell[1] += actions
            cell[2] += after
    answers: dict[date, list[int]] = defaultdict(list)
    for week, score in WeeklyCheckIn.objects.filter(
        workspace=workspace, member_id__in=member_ids, week__gte=weeks[0]
    ).values_list("week", "score"):
        answers[week].append(score)
    found = []
    for w in weeks:
        handled, actions, after = sums[w]
        elapsed = min(7, max((today - w).days, 1))  # the current week: its days so far
        scores = answers.get(w, [])
        found.append(
            WeekTrend(
                week=w,
                handled_per_day=round(handled / elapsed, 1),
                after_hours=round(after / actions, 3) if actions else None,
                check_in_average=round(sum(scores) / len(scores), 2)
                if len(scores) >= MIN_CHECK_INS
                else None,
                answers=len(scores),
            )
        )
    return found
