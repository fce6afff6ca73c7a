"""Listening's part of the daily brief: what is trending, and the risks and opportunities
the public's talk shows. Plain lines (text, figures, link, severity): the briefing app,
a layer above, turns them into its section items and registers them
(roost/briefing/apps.py); this module knows nothing of it. Pure reads, a few indexed
queries each."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.db.models import Exists, OuterRef, Q, Sum
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from roost.inbox.models import Task, TaskKind
from roost.listening.models import Alert, Mention, Topic, TopicHour
from roost.listening.trends import rising_terms_for_workspace
from roost.publishing.models import Post, PostStatus
from roost.workspaces.models import Workspace

TERMS = 5  # rising terms listed
BASELINE_DAYS = 7
MIN_TOPIC_MENTIONS = 5
RISING = 2.0  # this many times the usual daily level
TOPICS_CHECKED = 3  # rising topics checked for a post of ours


@dataclass(frozen=True)
class BriefLine:
    text: str
    figures: dict[str, Any] = field(default_factory=dict)
    link: str = ""
    severity: str = "info"  # info, notice, warning, critical


@dataclass(frozen=True)
class RisingTerm:
    term: str
    count: int  # uses in the trends' recent window
    expected: float  # what the baseline predicts for that window
    ratio: float


def _link(name: str, slug: str, query: dict[str, Any] | None = None) -> str:
    """The mentions list (filtered) once listening has it; else the listening home; else
    nothing."""
    for candidate in (name, "listening:topics", "listening:home"):
        try:
            path = reverse(candidate, args=[slug])
        except NoReverseMatch:
            continue
        return f"{path}?{urlencode(query)}" if query and candidate == name else path
    return ""


def rising_terms(workspace_id: int, *, now: datetime, limit: int = TERMS) -> list[RisingTerm]:
    """The workspace's trending terms (roost/listening/trends.py), once per term."""
    found: dict[str, RisingTerm] = {}
    for trend in rising_terms_for_workspace(workspace_id, now=now, limit=limit * 3):
        if trend.term not in found:
            found[trend.term] = RisingTerm(trend.term, trend.count, trend.expected, trend.ratio)
    return list(found.values())[:limit]


def trending_lines(workspace: Workspace, *, now: datetime, since: datetime) -> list[BriefLine]:
    slug = workspace.slug
    lines = [
        BriefLine(
            _("“%(term)s” is rising: %(n)s uses in the last hours, %(ratio)s× the usual")
            % {"term": t.term, "n": t.count, "ratio": f"{t.ratio:.1f}"},
            {"term": t.term, "count": t.count, "expected": t.expected, "ratio": t.ratio},
            _link("listening:mentions", slug, {"q": t.term}),
            "notice",
        )
        for t in rising_terms(workspace.pk, now=now)
    ]
    for alert in _alerts(workspace, since, now, Alert.Kind.VOLUME):
        lines.append(
            BriefLine(
                _("Spike on %(topic)s: %(n)s mentions in an hour (usually %(usual)s)")
                % {
                    "topic": alert.topic.name,
                    "n": f"{alert.observed:g}",
                    "usual": f"{alert.expected:.0f}",
                },
                {"topic": alert.topic_id, "observed": alert.observed, "expected": alert.expected},
                _link("listening:mentions", slug, {"topic": alert.topic_id}),
                "warning",
            )
        )
    return lines


def _alerts(workspace: Workspace, since: datetime, now: datetime, kind: str) -> list[Alert]:
    return list(
        Alert.objects.filter(
            workspace=workspace, kind=kind, created_at__gte=since, created_at__lt=now
        )
        .select_related("topic")
        .order_by("-created_at", "-pk")[:5]
    )


def risk_lines(workspace: Workspace, *, now: datetime, since: datetime) -> list[BriefLine]:
    slug = workspace.slug
    lines = []
    for alert in _alerts(workspace, since, now, Alert.Kind.NEGATIVE):
        lines.append(
            BriefLine(
                _("Negative spike on %(topic)s: %(share)s%% negative (usually %(usual)s%%)")
                % {
                    "topic": alert.topic.name,
                    "share": f"{alert.observed * 100:.0f}",
                    "usual": f"{alert.expected * 100:.0f}",
                },
                {"topic": alert.topic_id, "observed": alert.observed, "expected": alert.expected},
                _link("listening:mentions", slug, {"topic": alert.topic_id, "sentiment": "-1"}),
                "critical",
            )
        )
    # Posts going out while a spike is still on (an alert in its cool-down).
    spiking = Alert.objects.filter(workspace=workspace, quiet_until__gt=now).exists()
    if spiking:
        n = Post.objects.filter(
            workspace=workspace,
            status=PostStatus.SCHEDULED,
            scheduled_at__gte=now,
            scheduled_at__lt=now + timedelta(hours=24),
        ).count()
        if n:
            lines.append(
                BriefLine(
                    ngettext(
                        "%(n)s post is scheduled in the next 24 h during a spike: check it",
                        "%(n)s posts are scheduled in the next 24 h during a spike: check them",
                        n,
                    )
                    % {"n": n},
                    {"count": n},
                    _calendar(slug),
                    "warning",
                )
            )
    lead = Task.objects.filter(message_id=OuterRef("inbox_message_id"), kind=TaskKind.LEAD)
    leads = (
        Mention.objects.filter(workspace=workspace, intent=True, posted_at__gte=since)
        .exclude(Exists(lead))
        .count()
    )
    if leads:
        lines.append(
            BriefLine(
                ngettext(
                    "%(n)s mention shows purchase intent and has no lead task",
                    "%(n)s mentions show purchase intent and have no lead task",
                    leads,
                )
                % {"n": leads},
                {"count": leads},
                _link("listening:mentions", slug, {"intent": "1"}),
                "notice",
            )
        )
    lines.extend(_unposted_topics(workspace, now))
    return lines


def _calendar(slug: str) -> str:
    try:
        return reverse("calendar:month", args=[slug])
    except NoReverseMatch:
        return ""


def _unposted_topics(workspace: Workspace, now: datetime) -> list[BriefLine]:
    """Rising topics (a day well above the usual) that none of our posts of the last week
    names: an opportunity."""
    day_ago = now - timedelta(hours=24)
    start = day_ago - timedelta(days=BASELINE_DAYS)
    rows = (
        TopicHour.objects.filter(topic__workspace=workspace, hour__gte=start, hour__lt=now)
        .values("topic_id")
        .annotate(
            recent=Sum("mentions", filter=Q(hour__gte=day_ago)),
            before=Sum("mentions", filter=Q(hour__lt=day_ago)),
        )
        .filter(recent__gte=MIN_TOPIC_MENTIONS)
        .order_by()
    )
    rising = sorted(
        (
            (r["recent"] / max((r["before"] or 0) / BASELINE_DAYS, 1.0), r["topic_id"], r["recent"])
            for r in rows
            if r["recent"] >= RISING * max((r["before"] or 0) / BASELINE_DAYS, 1.0)
        ),
        reverse=True,
    )[:TOPICS_CHECKED]
    if not rising:
        return []
    topics = Topic.objects.in_bulk([topic_id for _r, topic_id, _n in rising])
    week = now - timedelta(days=7)
    lines = []
    for _ratio, topic_id, recent in rising:
        topic = topics.get(topic_id)
        if topic is None:
            continue
        posted = Post.objects.filter(
            workspace=workspace, created_at__gte=week, text__icontains=topic.name
        ).exists()
        if posted:
            continue
        lines.append(
            BriefLine(
                _("%(topic)s is rising (%(n)s mentions in 24 h) and we have not posted about it")
                % {"topic": topic.name, "n": recent},
                {"topic": topic.pk, "count": recent},
                _link("listening:mentions", workspace.slug, {"topic": topic.pk}),
                "notice",
            )
        )
    return lines
