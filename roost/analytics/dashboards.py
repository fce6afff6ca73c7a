"""Reads for the dashboards of a workspace, channel, campaign, tag or post, always scoped
to a workspace. Workspace and channel figures come from the day roll-ups (ChannelDay);
campaign, tag and post figures from the latest counts (PostMetrics) of the posts in
scope. Top and bottom posts come with what sets them apart ("why"): when they went out,
where, what kind of post, how long, which campaign."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, QuerySet, Sum

from roost.analytics import selectors
from roost.analytics.kpis import Totals
from roost.analytics.models import ENGAGEMENTS, METRICS, MetricSnapshot, PostMetrics
from roost.analytics.selectors import Period
from roost.publishing.models import PostMedia, PostVariant
from roost.workspaces.models import Workspace

WORKSPACE, CHANNEL, CAMPAIGN, TAG, POST = "workspace", "channel", "campaign", "tag", "post"
SETTLE_HOURS = 24  # younger posts are still gathering engagements: never "bottom"
RANK_LIMIT = 5


@dataclass(frozen=True)
class Scope:
    """What a dashboard covers: the workspace, one channel, campaign, tag or post."""

    kind: str = WORKSPACE
    channel_id: int | None = None
    campaign_id: int | None = None
    tag_id: int | None = None
    post_id: int | None = None

    @property
    def channel_ids(self) -> list[int] | None:
        return [self.channel_id] if self.channel_id is not None else None

    @property
    def from_rollups(self) -> bool:
        return self.kind in {WORKSPACE, CHANNEL}

    @property
    def has_audience(self) -> bool:
        """Whether audience figures (followers) belong to the scope itself."""
        return self.from_rollups


def scope_rows(workspace: Workspace, scope: Scope, period: Period | None) -> QuerySet[PostMetrics]:
    """The latest counts of the deliveries in scope, published in `period`."""
    return selectors.post_metrics(
        workspace,
        period,
        channel_ids=scope.channel_ids,
        campaign_id=scope.campaign_id,
        tag_id=scope.tag_id,
        post_id=scope.post_id,
    )


def scope_totals(workspace: Workspace, period: Period, scope: Scope) -> Totals:
    """The scope's sums over the period (roll-ups for workspace and channel)."""
    if scope.from_rollups:
        return selectors.totals(workspace, period, scope.channel_ids)
    return selectors.totals_of(scope_rows(workspace, scope, period))


def scope_daily(workspace: Workspace, period: Period, scope: Scope) -> list[tuple[date, Totals]]:
    """One Totals per day of the period (by the day the posts were published)."""
    if scope.from_rollups:
        return selectors.daily(workspace, period, scope.channel_ids)
    kwargs = selectors._aggregate_kwargs()
    kwargs["sum_posts"] = Count("pk")
    rows = {
        r["day"]: r
        for r in scope_rows(workspace, scope, period)
        .values("day")
        .annotate(**kwargs)
        .order_by("day")
    }
    return [
        (day, selectors._totals_from(rows.get(day, {}), (None, None))) for day in period.dates()
    ]


@dataclass(frozen=True)
class Figures:
    """A dashboard's figures: the period and the one before, day by day, and followers."""

    now: Totals
    before: Totals
    daily: list[tuple[date, Totals]]
    daily_before: list[tuple[date, Totals]]
    audience: list[tuple[date, int | None]]


def scope_figures(workspace: Workspace, period: Period, scope: Scope) -> Figures:
    """Everything a dashboard shows over time. Workspace and channel: both periods' day
    roll-ups read in one pass (selectors.Rollups)."""
    previous = period.previous()
    if not scope.from_rollups:
        return Figures(
            now=scope_totals(workspace, period, scope),
            before=scope_totals(workspace, previous, scope),
            daily=scope_daily(workspace, period, scope),
            daily_before=scope_daily(workspace, previous, scope),
            audience=scope_audience(workspace, period, scope),
        )
    rollups = selectors.Rollups(workspace, Period(previous.start, period.end), scope.channel_ids)
    followers = dict(rollups.audience(period))
    return Figures(
        now=rollups.totals(period),
        before=rollups.totals(previous),
        daily=rollups.daily(period),
        daily_before=rollups.daily(previous),
        audience=[(day, followers.get(day)) for day in period.dates()],
    )


def scope_channel_ids(workspace: Workspace, period: Period | None, scope: Scope) -> list[int]:
    """The channels the scope's posts went to (for a campaign's or a tag's audience)."""
    if scope.channel_id is not None:
        return [scope.channel_id]
    return sorted(
        set(scope_rows(workspace, scope, period).values_list("channel_id", flat=True).distinct())
    )


def scope_audience(
    workspace: Workspace, period: Period, scope: Scope
) -> list[tuple[date, int | None]]:
    """Followers per day of the period (None: no reading that day). For a campaign, tag or
    post: the followers of the channels its posts went to."""
    if scope.kind == WORKSPACE:
        channel_ids: Collection[int] | None = None
    else:
        channel_ids = scope_channel_ids(workspace, None if scope.kind == POST else period, scope)
        if not channel_ids:
            return [(day, None) for day in period.dates()]
    found = dict(selectors.audience(workspace, period, channel_ids))
    return [(day, found.get(day)) for day in period.dates()]


# == top and bottom posts ==


@dataclass(frozen=True)
class Why:
    """What sets a post apart: the factors an analyst looks at first."""

    weekday: int  # 0 Monday (in the workspace's zone)
    hour: int
    network: str
    content_type: str  # "text", "image", "images", "thread"
    media: int
    length: int  # characters of the text this channel got
    campaign: str  # "" without one
    vs_average: float | None  # engagements ÷ the average of the posts ranked


@dataclass(frozen=True)
class RankedPost:
    metrics: PostMetrics  # with channel, post and post.campaign loaded
    text: str
    why: Why


@dataclass(frozen=True)
class Ranking:
    """The best and the weakest posts of a scope and period, by engagements."""

    top: list[RankedPost] = field(default_factory=list)
    bottom: list[RankedPost] = field(default_factory=list)
    average: float | None = None  # engagements per post over all ranked
    posts: int = 0


def _content_type(media: int, thread: list[Any] | None) -> str:
    if thread:
        return "thread"
    if media > 1:
        return "images"
    if media == 1:
        return "image"
    return "text"


def ranked_posts(
    workspace: Workspace, period: Period, scope: Scope, *, now: datetime, limit: int = RANK_LIMIT
) -> Ranking:
    """Top and bottom deliveries (post × channel) by engagements, each with its "why".
    Posts younger than SETTLE_HOURS are ranked only among the top (they are still
    gathering engagements). A fixed number of queries, whatever the number of posts."""
    rows = scope_rows(workspace, scope, period)
    stats = rows.aggregate(n=Count("pk"), total=Sum("engagements"))
    n = int(stats["n"] or 0)
    if not n:
        return Ranking()
    average = (stats["total"] or 0) / n
    loaded = rows.select_related("channel", "post", "post__campaign")
    top = list(loaded.order_by("-engagements", "-published_at", "pk")[:limit])
    settled = loaded.filter(published_at__lte=now - timedelta(hours=SETTLE_HOURS)).exclude(
        pk__in=[r.pk for r in top]
    )
    bottom = list(settled.order_by("engagements", "published_at", "pk")[:limit])
    every = top + bottom
    post_ids = {r.post_id for r in every}
    media = dict(
        PostMedia.objects.filter(post_id__in=post_ids)
        .values("post_id")
        .annotate(n=Count("pk"))
        .values_list("post_id", "n")
    )
    variants = {
        (v.post_id, v.channel_id): v
        for v in PostVariant.objects.filter(post_id__in=post_ids).only(
            "post_id", "channel_id", "text", "thread"
        )
    }
    from roost.networks import registry

    labels = {net.key: str(net.label) for net in registry.networks()}
    zone = workspace.tzinfo

    def ranked(pm: PostMetrics) -> RankedPost:
        variant = variants.get((pm.post_id, pm.channel_id))
        text = (variant.text if variant and variant.text else "") or pm.post.text
        thread = variant.thread if variant and variant.thread is not None else pm.post.thread
        m = media.get(pm.post_id, 0)
        local = pm.published_at.astimezone(zone)
        why = Why(
            weekday=local.weekday(),
            hour=local.hour,
            network=labels.get(pm.channel.network, pm.channel.network),
            content_type=_content_type(m, thread),
            media=m,
            length=len(text),
            campaign=pm.post.campaign.name if pm.post.campaign else "",
            vs_average=(pm.engagements / average) if average else None,
        )
        return RankedPost(pm, text, why)

    return Ranking(
        top=[ranked(r) for r in top],
        bottom=[ranked(r) for r in bottom],
        average=average,
        posts=n,
    )


# == one post ==


def post_deliveries(workspace: Workspace, post_id: int) -> list[PostMetrics]:
    """The post's latest counts per channel, in the channels' order."""
    return list(
        scope_rows(workspace, Scope(POST, post_id=post_id), None)
        .select_related("channel")
        .order_by("channel__name", "pk")
    )


@dataclass(frozen=True)
class Reading:
    """The post's counts summed over its channels at one moment (each channel's latest
    reading up to then)."""

    at: datetime
    engagements: int
    values: dict[str, int | None]


def post_history(workspace: Workspace, post_id: int) -> list[Reading]:
    """Every reading of the post's deliveries as a running sum over its channels."""
    delivery_ids = list(
        PostMetrics.objects.filter(workspace=workspace, post_id=post_id).values_list(
            "delivery_id", flat=True
        )
    )
    if not delivery_ids:
        return []
    latest: dict[int, dict[str, int | None]] = {}
    out: list[Reading] = []
    snapshots = MetricSnapshot.objects.filter(delivery_id__in=delivery_ids).order_by(
        "taken_at", "pk"
    )
    for snap in snapshots:
        previous = latest.get(snap.delivery_id, {})
        merged = dict(previous)
        for name, value in snap.values().items():
            if value is not None:  # not reported this time: the last value stands
                merged[name] = value
        latest[snap.delivery_id] = merged
        summed: dict[str, int | None] = {}
        for name in METRICS:
            parts = [v[name] for v in latest.values() if v.get(name) is not None]
            summed[name] = sum(p for p in parts if p is not None) if parts else None
        engagements = sum(summed.get(name) or 0 for name in ENGAGEMENTS)
        if out and out[-1].at == snap.taken_at:
            out.pop()
        out.append(Reading(snap.taken_at, engagements, summed))
    return out
