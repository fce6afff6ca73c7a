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
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connections
from django.db.models import FloatField, Func, Q, QuerySet
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
        return self.between(start.timestamp(), end.timestamp())

    def between(self, start: float, end: float) -> float:
        """The same for two Unix times (what the report reads from the database)."""
        if end <= start:
            return 0.0
        if self.around_the_clock:
            return end - start
        return self._elapsed(end) - self._elapsed(start)


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
    members: list[Membership], user_ids: Iterable[int]
) -> tuple[dict[int, tuple[str, str]], set[int]]:
    """Names and e-mails of the people in the report, and the members who answer the inbox
    (shown even with nothing handled, so an empty row says "nothing" rather than nobody)."""
    names: dict[int, tuple[str, str]] = {}
    answering: set[int] = set()
    for m in members:
        names[m.user_id] = (m.user.display_name, m.user.email)
        if m.has_perm(Perm.INBOX_REPLY):
            answering.add(m.user_id)
    missing = set(user_ids) - set(names)
    if missing:  # people who have left the workspace keep their figures
        for user in get_user_model().objects.filter(pk__in=missing):
            names[user.pk] = (user.display_name, user.email)
    return names, answering


class Epoch(Func):
    """A moment as Unix seconds (a float), computed by the database: the report reads
    hundreds of thousands of moments, and turning each into a datetime costs more than the
    report's arithmetic. SQLite keeps milliseconds, PostgreSQL microseconds."""

    output_field = FloatField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="((julianday(%(expressions)s) - 2440587.5) * 86400.0)",
            **extra,
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler, connection, template="EXTRACT(EPOCH FROM %(expressions)s)::float8", **extra
        )


def _raw(query: QuerySet[Any]) -> list[tuple[Any, ...]]:
    """The rows of a values_list query as the database driver returns them, without
    Django's per-value converters (a third of the report's time at 100,000 rows). Fine for
    ints, floats, text and booleans (SQLite's 0/1 read the same)."""
    sql, params = query.query.get_compiler(using=query.db).as_sql()
    with connections[query.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _day_of(midnights: list[float], days: list[date], at: float) -> date | None:
    """The period's day (workspace zone) that `at` falls on, or None outside it."""
    i = bisect_right(midnights, at) - 1
    return days[i] if 0 <= i < len(days) else None


def team_report(workspace: Workspace, period: Period) -> TeamReport:
    """The team report for the workspace over `period` (see the module docstring).

    A fixed number of queries whatever the size: one pass over the period's messages, then
    the settings, the members and the channels. Durations need business hours, which no
    database computes portably, so the moments come back as Unix seconds and are measured
    here in one pass (two binary searches each)."""
    start, end = _bounds(workspace, period)
    settings = InboxSettings.objects.filter(workspace=workspace).first()
    hours = _hours(settings.business_hours if settings else {})
    zone = workspace.tzinfo
    t0, t1 = start.timestamp(), end.timestamp()

    # One pass over the workspace's messages: the period's incoming items; our replies from
    # the period's start on (who answered first: the reply is stored with the very moment
    # that stopped the item's clock; and what each person handled); the period's
    # completions by people (of items received before it, too).
    query = (
        Message.objects.filter(workspace=workspace)
        .filter(
            Q(outgoing=False, received_at__gte=start, received_at__lt=end)
            | Q(outgoing=True, sent_by__isnull=False, received_at__gte=start)
            | Q(
                outgoing=False,
                completed_by__isnull=False,
                completed_at__gte=start,
                completed_at__lt=end,
            )
        )
        .order_by()
        .values_list(
            "outgoing",
            "channel_id",
            "conversation_id",
            Epoch("received_at"),
            Epoch("first_response_at"),
            Epoch("completed_at"),
            "completed_by_id",
            "sent_by_id",
            "remote_id",
            "parent_remote_id",
        )
    )
    items: list[tuple[int, int, float, float | None, float | None, int | None]] = []
    replies: list[tuple[int, float, int, int, str]] = []
    completions: list[tuple[int, int, str, float]] = []
    for out, channel_id, conv, got, first, done, done_by, sent_by, remote_id, parent in _raw(query):
        if out:
            if sent_by is not None:
                replies.append((conv, got, sent_by, channel_id, parent))
            continue
        if t0 <= got < t1:
            items.append((channel_id, conv, got, first, done, done_by))
        if done_by is not None and done is not None and t0 <= done < t1:
            completions.append((done_by, channel_id, remote_id, done))
    members = list(
        Membership.objects.filter(workspace=workspace)
        .select_related("user")
        .prefetch_related("roles")
    )
    user_of = {m.pk: m.user_id for m in members}

    first_by: dict[tuple[int, float], int | None] = {}
    for conversation_id, at, member_id, _channel, _parent in replies:
        first_by.setdefault((conversation_id, at), user_of.get(member_id))

    moments = [t0, t1] + [m for row in items for m in row[2:5] if m is not None]
    clock = BusinessClock(
        hours,
        workspace.timezone,
        datetime.fromtimestamp(min(moments), UTC),
        datetime.fromtimestamp(max(moments), UTC),
    )
    per_channel: Counter[int] = Counter()
    fr_person: dict[int | None, list[float]] = defaultdict(list)
    fr_channel: dict[int, list[float]] = defaultdict(list)
    fr_all: list[float] = []
    tc_person: dict[int | None, list[float]] = defaultdict(list)
    tc_channel: dict[int, list[float]] = defaultdict(list)
    tc_all: list[float] = []
    for channel_id, conversation_id, got, first, done, done_by in items:
        per_channel[channel_id] += 1
        if first is not None:
            spent = round(clock.between(got, first), 3)
            fr_person[first_by.get((conversation_id, first))].append(spent)
            fr_channel[channel_id].append(spent)
            fr_all.append(spent)
        if done is not None and done_by is not None:
            spent = round(clock.between(got, done), 3)
            tc_person[done_by].append(spent)
            tc_channel[channel_id].append(spent)
            tc_all.append(spent)

    days = period.dates()
    midnights = [datetime.combine(d, time.min, zone).timestamp() for d in days]
    handled: set[tuple[int, date, int, str]] = set()
    for _conversation, at, member_id, channel_id, parent in replies:
        day = _day_of(midnights, days, at) if at < t1 else None
        user_id = user_of.get(member_id)
        if day is not None and user_id is not None:
            handled.add((user_id, day, channel_id, parent))
    for user_id, channel_id, remote_id, at in completions:
        day = _day_of(midnights, days, at)
        if day is not None:
            handled.add((user_id, day, channel_id, remote_id))
    by_person: Counter[int] = Counter()
    by_day: dict[date, dict[int, int]] = defaultdict(dict)
    for (user_id, day), n in Counter((u, d) for u, d, _c, _i in handled).items():
        by_person[user_id] += n
        by_day[day][user_id] = n

    ids = {i for i in (*fr_person, *tc_person, *by_person) if i is not None}
    names, answering = _names(members, ids)
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
        received=len(items),
        first_response=Durations.of(fr_all),
        completion=Durations.of(tc_all),
        people=people,
        channels=channels,
        days=sorted(by_day.items()),
    )
