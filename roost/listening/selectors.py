"""Listening reads, always scoped to a workspace. Figures come from the hourly roll-ups
(TopicHour, TermHour); Mention and TopicMention are read only for lists of examples (and
the top authors, which no roll-up keeps)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet, Sum

from roost.listening.models import Alert, Mention, TermHour, Topic, TopicHour, TopicMention
from roost.workspaces.models import Workspace

HOURLY_UP_TO = timedelta(days=2)  # longer windows are shown day by day
PER_PAGE = 25
PREVIEW_DAYS = 7
PREVIEW_SCAN = 5000  # the newest stored mentions a preview reads at most
PREVIEW_EXAMPLES = 10


@dataclass(frozen=True)
class Window:
    """Times `start` (included) to `end` (excluded), timezone-aware."""

    start: datetime
    end: datetime

    @property
    def length(self) -> timedelta:
        return self.end - self.start

    @property
    def hourly(self) -> bool:
        """Volume over time by the hour (two days or less), else by the day."""
        return self.length <= HOURLY_UP_TO

    def previous(self) -> Window:
        """The window of the same length just before this one."""
        return Window(self.start - self.length, self.start)


def last_hours(now: datetime, hours: int) -> Window:
    """The `hours` hours up to the end of the current hour (so the running hour counts)."""
    end = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    return Window(end - timedelta(hours=hours), end)


def days_window(start: date, end: date, tz: ZoneInfo) -> Window:
    """Days `start`..`end` (both included) in the zone `tz`."""
    first = datetime(start.year, start.month, start.day, tzinfo=tz)
    after = end + timedelta(days=1)
    return Window(first, datetime(after.year, after.month, after.day, tzinfo=tz))


@dataclass(frozen=True)
class Figures:
    """Mentions and their sentiment and purchase intent, summed over some hours."""

    mentions: int = 0
    positive: int = 0
    neutral: int = 0
    negative: int = 0
    intent: int = 0

    @property
    def net(self) -> float | None:
        """Net sentiment: (positive − negative) / all mentions, −1 … 1; None without any."""
        if not self.mentions:
            return None
        return (self.positive - self.negative) / self.mentions

    def percent(self, part: int) -> float | None:
        return part * 100.0 / self.mentions if self.mentions else None

    def __add__(self, other: Figures) -> Figures:
        return Figures(
            self.mentions + other.mentions,
            self.positive + other.positive,
            self.neutral + other.neutral,
            self.negative + other.negative,
            self.intent + other.intent,
        )


_SUMS = {
    "s_mentions": Sum("mentions"),
    "s_positive": Sum("positive"),
    "s_neutral": Sum("neutral"),
    "s_negative": Sum("negative"),
    "s_intent": Sum("intent"),
}


def _figures(row: Any) -> Figures:
    return Figures(
        row["s_mentions"] or 0,
        row["s_positive"] or 0,
        row["s_neutral"] or 0,
        row["s_negative"] or 0,
        row["s_intent"] or 0,
    )


def _hours(workspace: Workspace, window: Window) -> QuerySet[TopicHour]:
    return TopicHour.objects.filter(
        topic__workspace=workspace, hour__gte=window.start, hour__lt=window.end
    )


def topics(workspace: Workspace) -> list[Topic]:
    """The workspace's topics: brand first, then competitors, campaigns, others; by name."""
    order: dict[str, int] = {Topic.Kind.BRAND: 0, Topic.Kind.COMPETITOR: 1, Topic.Kind.CAMPAIGN: 2}
    found = list(Topic.objects.filter(workspace=workspace).select_related("campaign"))
    return sorted(found, key=lambda t: (order.get(t.kind, 3), t.name.casefold(), t.pk))


def topic_figures(
    workspace: Workspace, window: Window, topic_ids: Collection[int] | None = None
) -> dict[int, Figures]:
    """Per topic of the workspace: its figures in the window (topics without any: absent)."""
    rows = _hours(workspace, window)
    if topic_ids is not None:
        rows = rows.filter(topic_id__in=list(topic_ids))
    return {
        row["topic_id"]: _figures(row)
        for row in rows.values("topic_id").annotate(**_SUMS).order_by("topic_id")
    }


@dataclass(frozen=True)
class TopicRow:
    """A topic on the overview: the window's figures against the window before."""

    topic: Topic
    now: Figures
    before: Figures

    @property
    def change(self) -> float | None:
        """Volume change in percent (None when there was nothing before)."""
        if not self.before.mentions:
            return None
        return (self.now.mentions - self.before.mentions) * 100.0 / self.before.mentions

    @property
    def net_change(self) -> float | None:
        """Net sentiment change, in points (−2 … 2)."""
        if self.now.net is None or self.before.net is None:
            return None
        return self.now.net - self.before.net


def topic_rows(workspace: Workspace, window: Window) -> list[TopicRow]:
    """Every topic of the workspace with its figures now and in the window before (two
    queries for the figures, whatever the number of topics)."""
    now = topic_figures(workspace, window)
    before = topic_figures(workspace, window.previous())
    return [
        TopicRow(t, now.get(t.pk, Figures()), before.get(t.pk, Figures()))
        for t in topics(workspace)
    ]


@dataclass(frozen=True)
class Voice:
    topic: Topic
    mentions: int
    percent: float | None


def share_of_voice(
    workspace: Workspace, window: Window, rows: Sequence[TopicRow] | None = None
) -> list[Voice]:
    """Brand against competitors: each brand and competitor topic's share of their summed
    mentions in the window."""
    if rows is None:
        rows = topic_rows(workspace, window)
    kinds = {Topic.Kind.BRAND, Topic.Kind.COMPETITOR}
    chosen = [r for r in rows if r.topic.kind in kinds]
    total = sum(r.now.mentions for r in chosen)
    return [
        Voice(r.topic, r.now.mentions, r.now.mentions * 100.0 / total if total else None)
        for r in chosen
    ]


def topic_share_of_voice(topic: Topic, window: Window) -> list[Voice]:
    """The topic against the workspace's competitor topics (the topic first)."""
    others = list(
        Topic.objects.filter(workspace_id=topic.workspace_id, kind=Topic.Kind.COMPETITOR)
        .exclude(pk=topic.pk)
        .order_by("name", "pk")
    )
    group = [topic, *others]
    counts = topic_figures(topic.workspace, window, [t.pk for t in group])
    total = sum(counts.get(t.pk, Figures()).mentions for t in group)
    return [
        Voice(
            t,
            counts.get(t.pk, Figures()).mentions,
            counts.get(t.pk, Figures()).mentions * 100.0 / total if total else None,
        )
        for t in group
    ]


def _of(row: TopicHour) -> Figures:
    return Figures(row.mentions, row.positive, row.neutral, row.negative, row.intent)


def series(topic: Topic, window: Window, tz: ZoneInfo) -> list[tuple[datetime | date, Figures]]:
    """The topic's figures hour by hour (windows of two days or less) or day by day (days
    in the zone `tz`), every hour or day of the window present (0 when quiet)."""
    rows = TopicHour.objects.filter(topic=topic, hour__gte=window.start, hour__lt=window.end)
    buckets: dict[Any, Figures] = defaultdict(Figures)
    if window.hourly:
        utc = ZoneInfo("UTC")
        at = window.start.astimezone(utc).replace(minute=0, second=0, microsecond=0)
        hours: list[datetime] = []
        while at < window.end:
            hours.append(at)
            at += timedelta(hours=1)
        for r in rows:
            h = r.hour.astimezone(utc)
            buckets[h] = buckets[h] + _of(r)
        return [(h.astimezone(tz), buckets[h]) for h in hours]
    first = window.start.astimezone(tz).date()
    last = (window.end - timedelta(microseconds=1)).astimezone(tz).date()
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    for r in rows:
        d = r.hour.astimezone(tz).date()
        buckets[d] = buckets[d] + _of(r)
    return [(d, buckets[d]) for d in days]


def _is_hashtag(term: str) -> bool:
    return term.startswith("#")


def top_terms(
    topic: Topic, window: Window, *, hashtags: bool, limit: int = 10
) -> list[tuple[str, int]]:
    """The topic's most used terms in the window (key terms, or hashtags only), from the
    hourly term roll-up; accounts named with "@" are neither."""
    rows = TermHour.objects.filter(topic=topic, hour__gte=window.start, hour__lt=window.end)
    rows = (
        rows.filter(term__startswith="#")
        if hashtags
        else rows.exclude(Q(term__startswith="#") | Q(term__startswith="@"))
    )
    found = rows.values("term").annotate(n=Sum("count")).order_by("-n", "term")[:limit]
    return [(r["term"], r["n"]) for r in found]


@dataclass(frozen=True)
class Author:
    handle: str
    name: str
    mentions: int


def top_authors(topic: Topic, window: Window, limit: int = 10) -> list[Author]:
    """Who wrote most of the topic's mentions in the window (one grouped query)."""
    found = (
        Mention.objects.filter(
            workspace_id=topic.workspace_id,
            pk__in=TopicMention.objects.filter(
                topic=topic, posted_at__gte=window.start, posted_at__lt=window.end
            ).values("mention_id"),
        )
        .exclude(author_handle="")
        .values("author_handle")
        .annotate(n=Count("id"))
        .order_by("-n", "author_handle")[:limit]
    )
    handles = [r["author_handle"] for r in found]
    names = dict(
        Mention.objects.filter(workspace_id=topic.workspace_id, author_handle__in=handles)
        .exclude(author_name="")
        .values_list("author_handle", "author_name")
    )
    return [Author(r["author_handle"], names.get(r["author_handle"], ""), r["n"]) for r in found]


# The mention list


@dataclass(frozen=True)
class MentionFilter:
    """What the mention list shows; every part optional."""

    window: Window
    topic: Topic | None = None
    sentiment: int | None = None
    language: str = ""
    intent: bool | None = None
    term: str = ""
    author: str = ""


def _term_filter(term: str) -> Q:
    """Mentions whose stored term list holds `term` (case aside) as one whole element: the
    quotes keep "kawa" from matching "kawasaki". Stored JSON may spell letters beyond ASCII
    as escapes (Django's encoder on SQLite) or as themselves (jsonb, raw inserts)."""
    spelled = {json.dumps(term), json.dumps(term, ensure_ascii=False)}
    found = Q()
    for text in sorted(spelled):
        found |= Q(terms__icontains=text)
    return found


def mentions(workspace: Workspace, f: MentionFilter) -> QuerySet[Mention]:
    """The workspace's mentions that pass `f`, newest first."""
    rows = Mention.objects.filter(
        workspace=workspace, posted_at__gte=f.window.start, posted_at__lt=f.window.end
    )
    if f.topic is not None:
        rows = rows.filter(
            pk__in=TopicMention.objects.filter(
                topic=f.topic, posted_at__gte=f.window.start, posted_at__lt=f.window.end
            ).values("mention_id")
        )
    if f.sentiment is not None:
        rows = rows.filter(sentiment=f.sentiment)
    if f.language:
        rows = rows.filter(language=f.language)
    if f.intent is not None:
        rows = rows.filter(intent=f.intent)
    if f.term:
        rows = rows.filter(_term_filter(f.term))
    if f.author:
        rows = rows.filter(author_handle=f.author)
    return rows.order_by("-posted_at", "-pk")


@dataclass
class MentionPage:
    page: Page[Mention]
    topics_of: dict[int, list[Topic]] = field(default_factory=dict)


def mention_page(workspace: Workspace, f: MentionFilter, number: int) -> MentionPage:
    """One page of the list, with the topics each mention matched: a fixed number of
    queries (the count, the page, the page's topics)."""
    paginator = Paginator(mentions(workspace, f).select_related("channel"), PER_PAGE)
    page = paginator.get_page(number)
    ids = [m.pk for m in page.object_list]
    topics_of: dict[int, list[Topic]] = defaultdict(list)
    if ids:
        for tm in (
            TopicMention.objects.filter(mention_id__in=ids, topic__workspace=workspace)
            .select_related("topic")
            .order_by("topic__name", "topic_id")
        ):
            topics_of[tm.mention_id].append(tm.topic)
    return MentionPage(page, dict(topics_of))


def languages(workspace: Workspace) -> list[str]:
    """The languages the workspace's mentions were found in (for the filter)."""
    return list(
        Mention.objects.filter(workspace=workspace)
        .exclude(language="")
        .values_list("language", flat=True)
        .distinct()
        .order_by("language")
    )


# Alerts


def alerts(workspace: Workspace, *, since: datetime | None = None) -> QuerySet[Alert]:
    """The workspace's alerts, newest first, with their topic."""
    rows = Alert.objects.filter(workspace=workspace).select_related("topic")
    if since is not None:
        rows = rows.filter(created_at__gte=since)
    return rows.order_by("-created_at", "-pk")


# The preview of a query being written


@dataclass(frozen=True)
class Preview:
    """What a query would match among the workspace's recent mentions, or why it cannot
    be read."""

    asked: bool = False  # a query was written
    error: str = ""
    position: int | None = None
    scanned: int = 0
    count: int = 0
    examples: list[Mention] = field(default_factory=list)
    capped: bool = False


def preview(workspace: Workspace, text: str, now: datetime) -> Preview:
    """Parse `text` and match it against the workspace's mentions of the last 7 days (the
    newest PREVIEW_SCAN of them): how many, and up to 10 examples."""
    if not text.strip():
        return Preview()
    from roost.listening.query import Doc, QueryError, parse

    try:
        query = parse(text)
    except QueryError as exc:
        return Preview(asked=True, error=exc.message, position=exc.position)
    rows = list(
        Mention.objects.filter(
            workspace=workspace, posted_at__gte=now - timedelta(days=PREVIEW_DAYS)
        )
        .order_by("-posted_at", "-pk")
        .only(
            "id",
            "text",
            "language",
            "author_handle",
            "author_name",
            "posted_at",
            "url",
            "sentiment",
            "network",
        )[:PREVIEW_SCAN]
    )
    matched = [
        m
        for m in rows
        if query.matches(Doc.of(m.text, language=m.language, author=m.author_handle))
    ]
    return Preview(
        asked=True,
        scanned=len(rows),
        count=len(matched),
        examples=matched[:PREVIEW_EXAMPLES],
        capped=len(rows) == PREVIEW_SCAN,
    )
