"""The team report: how fast the inbox is answered and finished, per person and per channel,
and how many items each person handled per day.

Definitions (docs/analytics.md, "Team report"):
- The items measured are the incoming inbox messages received in the period (a cohort).
- First response: from when Roost received the item to the first reply from Roost in its
  conversation (the inbox's own clock, `Message.first_response_at`). The person is who sent
  that reply.
- Time to complete: from receipt to completion, for items a person completed. Items that
  only a rule completed have no person (`completed_by` is empty) and are left out, as are
  rule assignments: only people's replies and completions count as handling.
- Durations are in business hours: the workspace's inbox business hours (inbox settings),
  in the workspace's time zone; when none are set, around the clock, as the inbox SLA
  counts them. Median and p90 are nearest-rank percentiles, as in the inbox SLA report.
- Handled: the distinct items a person replied to or completed, per day of the action (in
  the workspace's zone) within the period.
"""

from __future__ import annotations

import zoneinfo
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import TruncDate
from django.utils.translation import gettext as _

from roost.analytics.selectors import Period
from roost.channels.models import Channel
from roost.inbox.models import InboxSettings, Message
from roost.inbox.selectors import percentile
from roost.workspaces.models import Membership, Workspace
from roost.workspaces.roles import Perm

WEEKDAYS = (0, 1, 2, 3, 4, 5, 6)


class BusinessClock:
    """Business seconds between two moments, quickly: the business windows of the days
    concerned are laid out once with a running total, and each duration is then two binary
    searches (the inbox's `sla.business_seconds` walks the days for every pair)."""

    def __init__(self, hours: Mapping[str, Any], tz: str, first: datetime, last: datetime) -> None:
        self.around_the_clock = not hours
        self._opens: list[float] = []
        self._closes: list[float] = []
        self._before: list[float] = []  # business seconds in the windows before this one
        if self.around_the_clock:
            return
        zone = zoneinfo.ZoneInfo(tz)
        day = first.astimezone(zone).date() - timedelta(days=1)
        end = last.astimezone(zone).date() + timedelta(days=1)
        total = 0.0
        while day <= end:
            window = _window(hours.get(str(day.weekday())))
            if window is not None:
                opens = datetime.combine(day, window[0], zone).timestamp()
                closes = datetime.combine(day, window[1], zone).timestamp()
                if closes > opens:
                    self._opens.append(opens)
                    self._closes.append(closes)
                    self._before.append(total)
                    total += closes - opens
            day += timedelta(days=1)

    def _elapsed(self, at: float) -> float:
        """Business seconds from the first window up to `at`."""
        i = bisect_right(self._opens, at) - 1
        if i < 0:
            return 0.0
        return self._before[i] + min(at, self._closes[i]) - self._opens[i]

    def seconds(self, start: datetime, end: datetime) -> float:
        """Business seconds from `start` to `end` (0 when `end` is not after `start`)."""
        if end <= start:
            return 0.0
        if self.around_the_clock:
            return (end - start).total_seconds()
        return self._elapsed(end.timestamp()) - self._elapsed(start.timestamp())


def _window(value: Any) -> tuple[time, time] | None:
    """A day's ["HH:MM", "HH:MM"], or None when the day is closed (or the value unreadable:
    the settings form only stores valid ones, but the JSON is not a schema)."""
    if not isinstance(value, list | tuple) or len(value) != 2:
        return None
    try:
        return time.fromisoformat(str(value[0])), time.fromisoformat(str(value[1]))
    except ValueError:
        return None


def _hours(stored: Any) -> dict[str, list[str]]:
    """The open days of the stored business hours, as {"0": ["09:00", "17:00"], …}."""
    if not isinstance(stored, dict):
        return {}
    found = {}
    for day in WEEKDAYS:
        window = _window(stored.get(str(day)))
        if window is not None and window[1] > window[0]:
            found[str(day)] = [window[0].strftime("%H:%M"), window[1].strftime("%H:%M")]
    return found


@dataclass(frozen=True)
class Durations:
    """How many items were measured, and their median and p90 in business seconds."""

    count: int
    median: float | None
    p90: float | None

    @classmethod
    def of(cls, values: list[float]) -> Durations:
        return cls(len(values), percentile(values, 50), percentile(values, 90))


@dataclass(frozen=True)
class PersonRow:
    user_id: int | None  # None: replies whose sender is no longer known
    name: str
    email: str
    first_response: Durations
    completion: Durations
    handled: int  # distinct items replied to or completed, summed over the days

    def per_day(self, days: int) -> float:
        return self.handled / days if days else 0.0


@dataclass(frozen=True)
class ChannelRow:
    channel_id: int
    name: str
    network: str
    received: int
    first_response: Durations
    completion: Durations


@dataclass(frozen=True)
class TeamReport:
    period: Period
    timezone: str
    business_hours: dict[str, list[str]]  # empty: around the clock
    received: int
    first_response: Durations
    completion: Durations
    people: list[PersonRow]
    channels: list[ChannelRow]
    # Handled items per day: (day, {user_id: n}), only the days someone handled something.
    days: list[tuple[date, dict[int, int]]]

    def hours_text(self) -> list[tuple[int, str]]:
        """(weekday, "09:00–17:00") for the open days, Monday first."""
        return [
            (d, f"{w[0].strftime('%H:%M')}–{w[1].strftime('%H:%M')}")
            for d in WEEKDAYS
            if (w := _window(self.business_hours.get(str(d)))) is not None
        ]


def _bounds(workspace: Workspace, period: Period) -> tuple[datetime, datetime]:
    zone = workspace.tzinfo
    start = datetime.combine(period.start, time.min, zone)
    end = datetime.combine(period.end + timedelta(days=1), time.min, zone)
    return start, end


def _names(
    workspace: Workspace, user_ids: Iterable[int]
) -> tuple[dict[int, tuple[str, str]], set[int]]:
    """Names and e-mails of the people in the report, and the members who answer the inbox
    (shown even with nothing handled, so an empty row says "nothing" rather than nobody)."""
    names: dict[int, tuple[str, str]] = {}
    answering: set[int] = set()
    members = (
        Membership.objects.filter(workspace=workspace)
        .select_related("user")
        .prefetch_related("roles")
    )
    for m in members:
        names[m.user_id] = (m.user.display_name, m.user.email)
        if m.has_perm(Perm.INBOX_REPLY):
            answering.add(m.user_id)
    missing = set(user_ids) - set(names)
    if missing:  # people who have left the workspace keep their figures
        for user in get_user_model().objects.filter(pk__in=missing):
            names[user.pk] = (user.display_name, user.email)
    return names, answering


def team_report(workspace: Workspace, period: Period) -> TeamReport:
    """The team report for the workspace over `period` (see the module docstring)."""
    start, end = _bounds(workspace, period)
    settings = InboxSettings.objects.filter(workspace=workspace).first()
    hours = _hours(settings.business_hours if settings else {})
    zone = workspace.tzinfo

    received = Message.objects.filter(
        workspace=workspace, outgoing=False, received_at__gte=start, received_at__lt=end
    ).order_by()
    # Who sent the reply that stopped the clock: the reply is stored with the same moment.
    responder = (
        Message.objects.filter(
            conversation_id=OuterRef("conversation_id"),
            outgoing=True,
            received_at=OuterRef("first_response_at"),
        )
        .order_by("pk")
        .values("sent_by__user_id")[:1]
    )
    answered: list[tuple[int, int | None, datetime, datetime]] = [
        (channel_id, by, got, first)
        for channel_id, by, got, first in received.filter(first_response_at__isnull=False)
        .annotate(by=Subquery(responder))
        .values_list("channel_id", "by", "received_at", "first_response_at")
        if first is not None
    ]
    completed: list[tuple[int, int | None, datetime, datetime]] = [
        (channel_id, by, got, done)
        for channel_id, by, got, done in received.filter(
            completed_at__isnull=False, completed_by__isnull=False
        ).values_list("channel_id", "completed_by_id", "received_at", "completed_at")
        if done is not None
    ]
    per_channel = dict(received.values_list("channel_id").annotate(n=Count("pk")))

    moments = [r[2] for r in answered] + [r[3] for r in answered + completed]
    clock = BusinessClock(hours, workspace.timezone, min(moments or [start]), max(moments or [end]))
    fr_person: dict[int | None, list[float]] = defaultdict(list)
    fr_channel: dict[int, list[float]] = defaultdict(list)
    fr_all: list[float] = []
    for channel_id, by, got, first in answered:
        spent = clock.seconds(got, first)
        fr_person[by].append(spent)
        fr_channel[channel_id].append(spent)
        fr_all.append(spent)
    tc_person: dict[int | None, list[float]] = defaultdict(list)
    tc_channel: dict[int, list[float]] = defaultdict(list)
    tc_all: list[float] = []
    for channel_id, by, got, done in completed:
        spent = clock.seconds(got, done)
        tc_person[by].append(spent)
        tc_channel[channel_id].append(spent)
        tc_all.append(spent)

    handled = _handled(workspace, start, end, zone)
    by_person: Counter[int] = Counter()
    by_day: dict[date, dict[int, int]] = defaultdict(dict)
    for (user_id, day), n in handled.items():
        by_person[user_id] += n
        by_day[day][user_id] = n

    ids = {i for i in (*fr_person, *tc_person, *by_person) if i is not None}
    names, answering = _names(workspace, ids)
    people = [
        PersonRow(
            user_id=user_id,
            name=names.get(user_id, ("?", ""))[0],
            email=names.get(user_id, ("?", ""))[1],
            first_response=Durations.of(fr_person.get(user_id, [])),
            completion=Durations.of(tc_person.get(user_id, [])),
            handled=by_person.get(user_id, 0),
        )
        for user_id in ids | answering
    ]
    people.sort(key=lambda p: (p.name.casefold(), p.user_id or 0))
    if fr_person.get(None):
        people.append(
            PersonRow(
                user_id=None,
                name=_("No longer known"),
                email="",
                first_response=Durations.of(fr_person[None]),
                completion=Durations.of([]),
                handled=0,
            )
        )
    channel_ids = set(per_channel) | set(fr_channel) | set(tc_channel)
    channels = [
        ChannelRow(
            channel_id=c.pk,
            name=c.name,
            network=c.network,
            received=per_channel.get(c.pk, 0),
            first_response=Durations.of(fr_channel.get(c.pk, [])),
            completion=Durations.of(tc_channel.get(c.pk, [])),
        )
        for c in Channel.objects.filter(workspace=workspace, pk__in=channel_ids).order_by(
            "name", "pk"
        )
    ]
    return TeamReport(
        period=period,
        timezone=workspace.timezone,
        business_hours=hours,
        received=sum(per_channel.values()),
        first_response=Durations.of(fr_all),
        completion=Durations.of(tc_all),
        people=people,
        channels=channels,
        days=sorted(by_day.items()),
    )


def _handled(
    workspace: Workspace, start: datetime, end: datetime, zone: zoneinfo.ZoneInfo
) -> Counter[tuple[int, date]]:
    """Distinct items each person replied to or completed, per day of the action. An item
    answered and completed by the same person on the same day counts once."""
    replies = (
        Message.objects.filter(
            workspace=workspace,
            outgoing=True,
            sent_by__isnull=False,
            received_at__gte=start,
            received_at__lt=end,
        )
        .annotate(day=TruncDate("received_at", tzinfo=zone))
        .values_list("sent_by__user_id", "day", "channel_id", "parent_remote_id")
        .order_by()
        .distinct()
    )
    completions = (
        Message.objects.filter(
            workspace=workspace,
            outgoing=False,
            completed_by__isnull=False,
            completed_at__gte=start,
            completed_at__lt=end,
        )
        .annotate(day=TruncDate("completed_at", tzinfo=zone))
        .values_list("completed_by_id", "day", "channel_id", "remote_id")
        .order_by()
    )
    items = {row for row in replies if row[0] is not None}
    items.update(completions)
    return Counter((user_id, day) for user_id, day, _channel, _item in items)
