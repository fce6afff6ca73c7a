"""Dashboards: the workspace (the overview), a channel, a campaign, a tag, a post."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from roost.analytics import charts, kpis, selectors
from roost.analytics.dashboards import (
    CAMPAIGN,
    CHANNEL,
    POST,
    TAG,
    WORKSPACE,
    Reading,
    Scope,
    post_deliveries,
    post_history,
    ranked_posts,
    scope_audience,
    scope_figures,
    scope_rows,
)
from roost.analytics.forms import PeriodForm
from roost.analytics.goals import weekday_name
from roost.analytics.models import METRICS
from roost.analytics.selectors import Period
from roost.analytics.templatetags.analytics import kpi_value
from roost.channels.access import access_channel
from roost.channels.models import Channel
from roost.core import clock
from roost.core.exceptions import NotFound
from roost.publishing.models import Campaign, Post, Tag
from roost.workspaces.decorators import workspace_view
from roost.workspaces.roles import Perm

# Figures about an audience: they belong to a workspace or a channel, not to a set of posts.
AUDIENCE_KPIS = {"followers", "follower_growth", "net_follower_growth", "engagement_rate_followers"}
CONTENT_TYPES = {
    "text": gettext_lazy("text only"),
    "image": gettext_lazy("one image"),
    "images": gettext_lazy("several images"),
    "thread": gettext_lazy("a thread"),
}


def _today(request: HttpRequest) -> Any:
    return clock.now().astimezone(request.workspace.tzinfo).date()  # type: ignore[attr-defined]


def _count(value: float | None) -> str:
    return kpi_value(value, kpis.Unit.COUNT)


def _cards(scope: Scope, now: kpis.Totals, before: kpis.Totals | None) -> list[dict[str, Any]]:
    return [
        {
            "kpi": kpi,
            "value": kpi.compute(now),
            "previous": kpi.compute(before) if before is not None else None,
        }
        for kpi in kpis.all_current()
        if scope.has_audience or kpi.key not in AUDIENCE_KPIS
    ]


def _why_rows(ranking: Any) -> dict[str, list[dict[str, Any]]]:
    def row(r: Any) -> dict[str, Any]:
        return {
            "r": r,
            "when": f"{weekday_name(r.why.weekday)} {r.why.hour:02d}:00",
            "content": CONTENT_TYPES.get(r.why.content_type, r.why.content_type),
        }

    return {"top": [row(r) for r in ranking.top], "bottom": [row(r) for r in ranking.bottom]}


def _audience_chart(chart_id: str, series: list[tuple[Any, int | None]]) -> charts.Chart:
    return charts.line_chart(
        chart_id=chart_id,
        title=_("Followers per day"),
        x_label=_("Day"),
        xs=[d for d, _v in series],
        series=[charts.Series(_("Followers"), [v for _d, v in series])],
        fmt=_count,
        zero=False,
    )


def _growth(series: list[tuple[Any, int | None]]) -> dict[str, Any] | None:
    known = [(d, v) for d, v in series if v is not None]
    if not known:
        return None
    (first_day, first), (last_day, last) = known[0], known[-1]
    return {
        "first_day": first_day,
        "first": first,
        "last_day": last_day,
        "last": last,
        "net": last - first,
        "percent": (last - first) * 100.0 / first if first else None,
    }


def _dashboard(request: HttpRequest, scope: Scope, subject: Any, heading: str) -> HttpResponse:
    """One page for the workspace, a channel, a campaign or a tag: the period against the
    period before, a time series, top and bottom posts with why, the audience."""
    workspace: Any = request.workspace  # type: ignore[attr-defined]
    form = PeriodForm(request.GET or None, today=_today(request))
    period = form.period()
    previous = period.previous()
    figures = scope_figures(workspace, period, scope)
    now_totals, before_totals = figures.now, figures.before
    daily, daily_before = figures.daily, figures.daily_before
    series = charts.line_chart(
        chart_id="chart-engagements",
        title=_("Engagements per day"),
        x_label=_("Day"),
        xs=[d for d, _t in daily],
        series=[
            charts.Series(_("This period"), [float(t.engagements) for _d, t in daily]),
            charts.Series(_("Previous period"), [float(t.engagements) for _d, t in daily_before]),
        ],
        fmt=_count,
    )
    if not now_totals.engagements and not before_totals.engagements:
        series = series.blank()
    posts_chart = charts.bar_chart(
        chart_id="chart-posts",
        title=_("Posts published per day"),
        x_label=_("Day"),
        labels=[charts._label(d, True) for d, _t in daily],
        short_labels=[charts._label(d, False) for d, _t in daily],
        series=charts.Series(_("Posts"), [float(t.posts) for _d, t in daily]),
        fmt=_count,
    )
    if not now_totals.posts:
        posts_chart = posts_chart.blank()
    audience = figures.audience
    ranking = ranked_posts(workspace, period, scope, now=clock.now())
    context: dict[str, Any] = {
        "area": "analytics",
        "scope": scope,
        "subject": subject,
        "heading": heading,
        "form": form,
        "period": period,
        "previous": previous,
        "cards": _cards(scope, now_totals, before_totals),
        "series": series,
        "posts_chart": posts_chart,
        "audience_chart": _audience_chart("chart-audience", audience),
        "growth": _growth(audience),
        "ranking": ranking,
        "why": _why_rows(ranking),
        "has_data": selectors.has_data(workspace),
        "query": request.GET.urlencode(),
    }
    if scope.kind == WORKSPACE:
        context["links"] = {
            "channels": list(Channel.objects.filter(workspace=workspace).order_by("name", "pk")),
            "campaigns": list(Campaign.objects.filter(workspace=workspace).order_by("name", "pk")),
            "tags": list(Tag.objects.filter(workspace=workspace).order_by("name", "pk")),
        }
    template = "analytics/overview.html" if scope.kind == WORKSPACE else "analytics/dashboard.html"
    # A period that makes no sense: the page says why (and shows the last 28 days).
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, template, context, status=status)


def overview(request: HttpRequest) -> HttpResponse:
    """The workspace's dashboard (analytics:overview, see views.py)."""
    return _dashboard(request, Scope(WORKSPACE), None, _("Analytics"))


@workspace_view(Perm.VIEW_ANALYTICS)
@require_safe
def channel(request: HttpRequest, channel_id: int) -> HttpResponse:
    """One channel's dashboard."""
    actor: Any = request.membership  # type: ignore[attr-defined]
    found = access_channel(actor, channel_id, Perm.VIEW_ANALYTICS)
    return _dashboard(request, Scope(CHANNEL, channel_id=found.pk), found, found.name)


@workspace_view(Perm.VIEW_ANALYTICS)
@require_safe
def campaign(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """One campaign's dashboard (the posts in it)."""
    workspace: Any = request.workspace  # type: ignore[attr-defined]
    found = Campaign.objects.filter(workspace=workspace, pk=campaign_id).first()
    if found is None:
        raise NotFound()
    return _dashboard(request, Scope(CAMPAIGN, campaign_id=found.pk), found, found.name)


@workspace_view(Perm.VIEW_ANALYTICS)
@require_safe
def tag(request: HttpRequest, tag_id: int) -> HttpResponse:
    """One tag's dashboard (the posts carrying it)."""
    workspace: Any = request.workspace  # type: ignore[attr-defined]
    found = Tag.objects.filter(workspace=workspace, pk=tag_id).first()
    if found is None:
        raise NotFound()
    return _dashboard(request, Scope(TAG, tag_id=found.pk), found, f"#{found.name}")


@workspace_view(Perm.VIEW_ANALYTICS)
@require_safe
def post(request: HttpRequest, post_id: int) -> HttpResponse:
    """One post: its figures per channel, and how they grew reading by reading."""
    workspace: Any = request.workspace  # type: ignore[attr-defined]
    found = Post.objects.filter(workspace=workspace, pk=post_id).select_related("campaign").first()
    if found is None:
        raise NotFound()
    scope = Scope(POST, post_id=found.pk)
    rows = post_deliveries(workspace, found.pk)
    totals = selectors.totals_of(scope_rows(workspace, scope, None))
    history = post_history(workspace, found.pk)
    if history and rows:  # the curve starts at publishing, from nothing
        went_out = min(r.published_at for r in rows)
        if went_out < history[0].at:
            zero: dict[str, int | None] = dict.fromkeys(METRICS, None)
            history.insert(0, Reading(went_out, 0, zero))
    growth_chart = charts.line_chart(
        chart_id="chart-post-history",
        title=_("Engagements since publishing"),
        x_label=_("Reading"),
        xs=[r.at for r in history],
        series=[charts.Series(_("Engagements"), [float(r.engagements) for r in history])],
        fmt=_count,
    )
    impressions = [r.values.get("impressions") for r in history]
    impressions_chart = None
    if any(v is not None for v in impressions):
        impressions_chart = charts.line_chart(
            chart_id="chart-post-impressions",
            title=_("Impressions since publishing"),
            x_label=_("Reading"),
            xs=[r.at for r in history],
            series=[
                charts.Series(
                    _("Impressions"), [float(v) if v is not None else None for v in impressions]
                )
            ],
            fmt=_count,
        )
    by_channel = charts.bar_chart(
        chart_id="chart-post-channels",
        title=_("Engagements by channel"),
        x_label=_("Channel"),
        labels=[r.channel.name for r in rows],
        series=charts.Series(_("Engagements"), [float(r.engagements) for r in rows]),
        fmt=_count,
    )
    audience_chart = growth = None
    if rows:
        today = _today(request)
        first = min(r.day for r in rows)
        start = first - timedelta(days=1)
        end = min(today, start + timedelta(days=89))
        if end >= start:
            audience = scope_audience(workspace, Period(start, end), scope)
            audience_chart = _audience_chart("chart-audience", audience)
            growth = _growth(audience)
    context = {
        "area": "analytics",
        "post": found,
        "tags": list(found.tags.all()),
        "rows": [{"pm": r, "values": [(m, getattr(r, m)) for m in METRICS]} for r in rows],
        "metric_names": METRICS,
        "cards": _cards(scope, totals, None),
        "growth_chart": growth_chart if history else None,
        "impressions_chart": impressions_chart,
        "by_channel": by_channel if rows else None,
        "audience_chart": audience_chart,
        "growth": growth,
        "readings": len(history),
    }
    return render(request, "analytics/post.html", context)
