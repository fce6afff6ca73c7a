"""Reads for dashboards, goals and reports, always scoped to a workspace. Workspace and
channel figures come from the day roll-ups (`ChannelDay`); campaign, tag and post figures
from the latest counts (`PostMetrics`) of the posts in scope."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from roost.analytics.kpis import Totals
from roost.analytics.models import METRICS, ChannelDay, PostMetrics
from roost.workspaces.models import Workspace

_SUMS = (*METRICS, "engagements", "link_clicks")


@dataclass(frozen=True)
class Period:
    """Days `start`..`end`, both included, in the workspace's zone."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of the same length just before this one."""
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def dates(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range(self.days)]


def last_days(today: date, days: int) -> Period:
    """The `days` days ending with `today`."""
    return Period(today - timedelta(days=days - 1), today)


def _days(
    workspace: Workspace, period: Period, channel_ids: Collection[int] | None
) -> QuerySet[ChannelDay]:
    rows = ChannelDay.objects.filter(
        workspace=workspace, day__gte=period.start, day__lte=period.end
    )
    if channel_ids is not None:
        rows = rows.filter(channel_id__in=list(channel_ids))
    return rows


def _aggregate_kwargs() -> dict[str, Any]:
    """Sums, and for each metric how many rows provide it (0: not available)."""
    kwargs: dict[str, Any] = {f"sum_{name}": Sum(name) for name in _SUMS}
    kwargs["sum_posts"] = Sum("posts")
    for name in METRICS:
        kwargs[f"n_{name}"] = Count(name)
    return kwargs


def _totals_from(row: Mapping[str, Any], followers: tuple[int | None, int | None]) -> Totals:
    values = {
        name: (int(row[f"sum_{name}"] or 0) if row.get(f"n_{name}") else None) for name in METRICS
    }
    return Totals(
        posts=int(row.get("sum_posts") or 0),
        values=values,
        engagements=int(row.get("sum_engagements") or 0),
        link_clicks=int(row.get("sum_link_clicks") or 0),
        followers_start=followers[0],
        followers_end=followers[1],
    )


def audience(
    workspace: Workspace, period: Period, channel_ids: Collection[int] | None = None
) -> list[tuple[date, int]]:
    """Followers per day (sum over the channels with a reading that day)."""
    rows = (
        _days(workspace, period, channel_ids)
        .filter(followers__isnull=False)
        .values("day")
        .annotate(total=Sum("followers"))
        .order_by("day")
    )
    return [(r["day"], int(r["total"])) for r in rows]


class Rollups:
    """The day roll-ups of a span read once, in two queries (sums per day, followers per
    day), for the figures of any period inside it: a dashboard's period and the period
    before cost one pass over the rows, not one per figure."""

    def __init__(
        self, workspace: Workspace, span: Period, channel_ids: Collection[int] | None = None
    ) -> None:
        self.rows: dict[date, Mapping[str, Any]] = {
            r["day"]: r
            for r in _days(workspace, span, channel_ids)
            .values("day")
            .annotate(**_aggregate_kwargs())
            .order_by("day")
        }
        self.followers: dict[date, int] = dict(audience(workspace, span, channel_ids))

    def totals(self, period: Period) -> Totals:
        summed: dict[str, int] = {}
        for day in period.dates():
            for key, value in self.rows.get(day, {}).items():
                if key != "day":
                    summed[key] = summed.get(key, 0) + int(value or 0)
        series = self.audience(period)
        followers = (series[0][1], series[-1][1]) if series else (None, None)
        return _totals_from(summed, followers)

    def daily(self, period: Period) -> list[tuple[date, Totals]]:
        """One Totals per day of the period (days without a row are empty, not missing)."""
        out = []
        for day in period.dates():
            f = self.followers.get(day)
            out.append((day, _totals_from(self.rows.get(day, {}), (f, f))))
        return out

    def audience(self, period: Period) -> list[tuple[date, int]]:
        return [(d, self.followers[d]) for d in period.dates() if d in self.followers]


def totals(
    workspace: Workspace, period: Period, channel_ids: Collection[int] | None = None
) -> Totals:
    """The sums over a period for the workspace (or some of its channels), from roll-ups."""
    return Rollups(workspace, period, channel_ids).totals(period)


def daily(
    workspace: Workspace, period: Period, channel_ids: Collection[int] | None = None
) -> list[tuple[date, Totals]]:
    """One Totals per day of the period (days without a row are empty, not missing)."""
    return Rollups(workspace, period, channel_ids).daily(period)


def post_metrics(
    workspace: Workspace,
    period: Period | None = None,
    *,
    channel_ids: Collection[int] | None = None,
    campaign_id: int | None = None,
    tag_id: int | None = None,
    post_id: int | None = None,
) -> QuerySet[PostMetrics]:
    """The latest counts of the deliveries in scope (published in `period`, by day)."""
    rows = PostMetrics.objects.filter(workspace=workspace)
    if period is not None:
        rows = rows.filter(day__gte=period.start, day__lte=period.end)
    if channel_ids is not None:
        rows = rows.filter(channel_id__in=list(channel_ids))
    if campaign_id is not None:
        rows = rows.filter(post__campaign_id=campaign_id)
    if tag_id is not None:
        rows = rows.filter(post__tags=tag_id)
    if post_id is not None:
        rows = rows.filter(post_id=post_id)
    return rows


def totals_of(rows: QuerySet[PostMetrics]) -> Totals:
    """Sums over some deliveries' latest counts (campaign, tag, post scopes). Audience
    figures do not apply to a set of posts and stay None."""
    kwargs = _aggregate_kwargs()
    kwargs["sum_posts"] = Count("pk")  # deliveries, as in the roll-ups
    row = rows.aggregate(**kwargs)
    return _totals_from(row, (None, None))


def has_data(workspace: Workspace) -> bool:
    return (
        ChannelDay.objects.filter(workspace=workspace)
        .filter(Q(posts__gt=0) | Q(followers__isnull=False))
        .exists()
    )


def totals_per_channel(workspace: Workspace, period: Period) -> dict[int, Totals]:
    """Totals over a period for each channel with a roll-up in it, in two queries."""
    rows = (
        _days(workspace, period, None)
        .values("channel_id")
        .annotate(**_aggregate_kwargs())
        .order_by("channel_id")
    )
    first: dict[int, int | None] = {}
    last: dict[int, int | None] = {}
    readings = (
        _days(workspace, period, None)
        .filter(followers__isnull=False)
        .order_by("channel_id", "day")
        .values_list("channel_id", "followers")
    )
    for channel_id, followers in readings:
        first.setdefault(channel_id, followers)
        last[channel_id] = followers
    return {
        r["channel_id"]: _totals_from(r, (first.get(r["channel_id"]), last.get(r["channel_id"])))
        for r in rows
    }
