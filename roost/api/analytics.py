"""Analytics: the workspace's figures for a period (totals and day by day), per channel and
per post (latest counts and their history), the KPI registry and its values, and the team
report — read through the same selectors as the analytics pages."""

from datetime import date, datetime
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import AfterValidator, Field

from roost.analytics import kpis, selectors
from roost.analytics.forms import MAX_DAYS
from roost.analytics.kpis import Totals
from roost.analytics.models import METRICS, MetricSnapshot, PostMetrics
from roost.analytics.selectors import Period, last_days
from roost.analytics.team import Durations, team_report
from roost.api.auth import access
from roost.api.schemas import Id, responses
from roost.channels.access import access_channel
from roost.channels.models import Channel
from roost.core import clock
from roost.core.exceptions import NotFound, ValidationFailed
from roost.core.validation import moment_problem
from roost.publishing import selectors as publishing
from roost.workspaces.models import ApiScope, Membership
from roost.workspaces.roles import Perm

router = Router(tags=["analytics"])
READ = ApiScope.READ
VIEW = Perm.VIEW_ANALYTICS
SNAPSHOTS_MAX = 500  # readings per delivery in a post's history, newest kept


def _day_in_window(value: date) -> date:
    problem = moment_problem(value)
    if problem:
        raise ValueError(problem)
    return value


Day = Annotated[date, AfterValidator(_day_in_window)]


class PeriodQuery(Schema):
    days: int = Field(default=28, ge=1, le=MAX_DAYS, description="The last N days, today included")
    start: Day | None = Field(
        default=None, description="First day (with end: a custom period; workspace zone)"
    )
    end: Day | None = Field(default=None, description="Last day, included")


class KpiQuery(PeriodQuery):
    channel: Id | None = Field(default=None, description="Only this channel's figures")


class PeriodOut(Schema):
    start: date
    end: date
    days: int


class TotalsOut(Schema):
    posts: int
    engagements: int
    link_clicks: int = Field(description="Clicks on Roost short links")
    followers_start: int | None
    followers_end: int | None
    metrics: dict[str, int | None] = Field(
        description="Each count; null: no channel in scope provides it (not available)"
    )


class DayOut(Schema):
    day: date
    totals: TotalsOut


class ChannelRefOut(Schema):
    id: int
    name: str
    network: str


class MetricsOut(Schema):
    period: PeriodOut
    previous_period: PeriodOut
    totals: TotalsOut
    previous: TotalsOut
    daily: list[DayOut]


class ChannelMetricsOut(MetricsOut):
    channel: ChannelRefOut


class ChannelTotalsOut(Schema):
    channel: ChannelRefOut
    totals: TotalsOut


class ChannelsMetricsOut(Schema):
    period: PeriodOut
    channels: list[ChannelTotalsOut]


class SnapshotOut(Schema):
    taken_at: datetime
    metrics: dict[str, int | None]


class DeliveryMetricsOut(Schema):
    delivery: int
    channel: ChannelRefOut
    published_at: datetime
    metrics: dict[str, int | None] = Field(description="The latest reading")
    engagements: int
    link_clicks: int
    collected_at: datetime | None
    next_collect_at: datetime | None = Field(description="null: no more readings planned")
    snapshots: list[SnapshotOut] = Field(description="Every reading, oldest first")


class PostMetricsOut(Schema):
    post: int
    totals: TotalsOut
    deliveries: list[DeliveryMetricsOut]


class KpiOut(Schema):
    key: str
    version: int
    ref: str = Field(description="key@vN: how stored figures name the formula they used")
    name: str
    formula: str
    unit: str = Field(json_schema_extra={"enum": ["count", "percent", "ratio"]})
    higher_is_better: bool
    current: bool = Field(description="The newest version of this KPI")


class KpiValueOut(Schema):
    key: str
    version: int
    ref: str
    name: str
    unit: str
    value: float | None = Field(description="null: not available")
    previous: float | None = Field(description="The period before, of the same length")


class KpiValuesOut(Schema):
    period: PeriodOut
    previous_period: PeriodOut
    channel: int | None
    values: list[KpiValueOut]


class DurationsOut(Schema):
    count: int
    median_seconds: float | None = Field(description="Business seconds (nearest rank)")
    p90_seconds: float | None


class PersonOut(Schema):
    email: str = Field(description="Empty: replies whose sender is no longer known")
    name: str
    first_response: DurationsOut
    completion: DurationsOut
    handled: int = Field(description="Distinct items replied to or completed, over the days")
    handled_per_day: float


class TeamChannelOut(Schema):
    channel: ChannelRefOut
    received: int
    first_response: DurationsOut
    completion: DurationsOut


class TeamDayOut(Schema):
    day: date
    email: str
    handled: int


class TeamOut(Schema):
    period: PeriodOut
    timezone: str
    business_hours: dict[str, list[str]] = Field(
        description='Weekday "0" (Monday) to "6" → ["HH:MM", "HH:MM"]; empty: around the clock'
    )
    received: int
    first_response: DurationsOut
    completion: DurationsOut
    people: list[PersonOut]
    channels: list[TeamChannelOut]
    days: list[TeamDayOut] = Field(description="Items handled per person and day (non-zero)")


def _actor(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined]


def _period(actor: Membership, query: PeriodQuery) -> Period:
    if query.start is None and query.end is None:
        today = clock.now().astimezone(actor.workspace.tzinfo).date()
        return last_days(today, query.days)
    if query.start is None or query.end is None:
        field = "end" if query.end is None else "start"
        raise ValidationFailed({field: ["A custom period needs both a start and an end day."]})
    if query.end < query.start:
        raise ValidationFailed({"end": ["The period ends before it starts."]})
    if (query.end - query.start).days + 1 > MAX_DAYS:
        raise ValidationFailed({"end": [f"A period can cover at most {MAX_DAYS} days."]})
    return Period(query.start, query.end)


def _period_out(p: Period) -> dict[str, Any]:
    return {"start": p.start, "end": p.end, "days": p.days}


def _totals_out(t: Totals) -> dict[str, Any]:
    return {
        "posts": t.posts,
        "engagements": t.engagements,
        "link_clicks": t.link_clicks,
        "followers_start": t.followers_start,
        "followers_end": t.followers_end,
        "metrics": {name: t.values.get(name) for name in METRICS},
    }


def _channel_out(c: Any) -> dict[str, Any]:
    return {"id": c.pk, "name": c.name, "network": c.network}


def _metrics(actor: Membership, period: Period, channel_ids: list[int] | None) -> dict[str, Any]:
    ws = actor.workspace
    previous = period.previous()
    return {
        "period": _period_out(period),
        "previous_period": _period_out(previous),
        "totals": _totals_out(selectors.totals(ws, period, channel_ids)),
        "previous": _totals_out(selectors.totals(ws, previous, channel_ids)),
        "daily": [
            {"day": day, "totals": _totals_out(t)}
            for day, t in selectors.daily(ws, period, channel_ids)
        ],
    }


@router.get(
    "/{slug}/analytics/metrics",
    response=responses({200: MetricsOut}),
    auth=access(VIEW, READ),
    summary="The workspace's figures for a period, against the period before, day by day",
)
def metrics_workspace(request: HttpRequest, slug: str, query: Query[PeriodQuery]) -> Any:
    actor = _actor(request)
    return _metrics(actor, _period(actor, query), None)


@router.get(
    "/{slug}/analytics/channels",
    response=responses({200: ChannelsMetricsOut}),
    auth=access(VIEW, READ),
    summary="Each channel's totals for a period",
)
def metrics_channels(request: HttpRequest, slug: str, query: Query[PeriodQuery]) -> Any:
    actor = _actor(request)
    period = _period(actor, query)
    channels = Channel.objects.filter(workspace_id=actor.workspace_id).order_by("name", "pk")
    found = selectors.totals_per_channel(actor.workspace, period)
    return {
        "period": _period_out(period),
        "channels": [
            {"channel": _channel_out(c), "totals": _totals_out(found.get(c.pk, Totals()))}
            for c in channels
        ],
    }


@router.get(
    "/{slug}/analytics/channels/{channel_id}",
    response=responses({200: ChannelMetricsOut}),
    auth=access(VIEW, READ),
    summary="One channel's figures for a period, day by day",
)
def metrics_channel(
    request: HttpRequest, slug: str, channel_id: Id, query: Query[PeriodQuery]
) -> Any:
    actor = _actor(request)
    channel = access_channel(actor, channel_id, VIEW)
    found = _metrics(actor, _period(actor, query), [channel.pk])
    return {**found, "channel": _channel_out(channel)}


@router.get(
    "/{slug}/analytics/posts/{post_id}",
    response=responses({200: PostMetricsOut}),
    auth=access(VIEW, READ),
    summary="A post's latest counts per channel, and every reading before them",
)
def metrics_post(request: HttpRequest, slug: str, post_id: Id) -> Any:
    actor = _actor(request)
    post = publishing.post_detail(actor, post_id)
    if post is None:
        raise NotFound()
    rows = list(
        selectors.post_metrics(actor.workspace, post_id=post.pk)
        .select_related("channel")
        .order_by("channel__name", "pk")
    )
    history: dict[int, list[MetricSnapshot]] = {}
    for row in rows:
        newest = MetricSnapshot.objects.filter(delivery_id=row.pk).order_by("-taken_at", "-pk")
        history[row.pk] = list(reversed(newest[:SNAPSHOTS_MAX]))
    return {
        "post": post.pk,
        "totals": _totals_out(
            selectors.totals_of(selectors.post_metrics(actor.workspace, post_id=post.pk))
        ),
        "deliveries": [_delivery_out(row, history[row.pk]) for row in rows],
    }


def _delivery_out(row: PostMetrics, snapshots: list[MetricSnapshot]) -> dict[str, Any]:
    return {
        "delivery": row.pk,
        "channel": _channel_out(row.channel),
        "published_at": row.published_at,
        "metrics": row.values(),
        "engagements": row.engagements,
        "link_clicks": row.link_clicks,
        "collected_at": row.collected_at,
        "next_collect_at": row.next_collect_at,
        "snapshots": [{"taken_at": s.taken_at, "metrics": s.values()} for s in snapshots],
    }


def _kpi_out(kpi: kpis.Kpi, current: bool) -> dict[str, Any]:
    return {
        "key": kpi.key,
        "version": kpi.version,
        "ref": kpi.ref,
        "name": str(kpi.name),
        "formula": str(kpi.formula),
        "unit": kpi.unit,
        "higher_is_better": kpi.higher_is_better,
        "current": current,
    }


@router.get(
    "/{slug}/analytics/kpis",
    response=responses({200: list[KpiOut]}),
    auth=access(VIEW, READ),
    summary="The KPI registry: every KPI and version, with its formula and unit",
)
def kpi_registry(request: HttpRequest, slug: str) -> Any:
    newest = {k.ref for k in kpis.all_current()}
    return [_kpi_out(k, k.ref in newest) for k in kpis.all_versions()]


@router.get(
    "/{slug}/analytics/kpis/values",
    response=responses({200: KpiValuesOut}),
    auth=access(VIEW, READ),
    summary="Every current KPI's value for a period (and the period before)",
)
def kpi_values(request: HttpRequest, slug: str, query: Query[KpiQuery]) -> Any:
    actor = _actor(request)
    period = _period(actor, query)
    channel_ids = None
    if query.channel is not None:
        try:
            channel_ids = [access_channel(actor, query.channel, VIEW).pk]
        except NotFound:
            raise ValidationFailed({"channel": ["No such channel in this workspace."]}) from None
    now = selectors.totals(actor.workspace, period, channel_ids)
    before = selectors.totals(actor.workspace, period.previous(), channel_ids)
    return {
        "period": _period_out(period),
        "previous_period": _period_out(period.previous()),
        "channel": query.channel,
        "values": [
            {
                "key": k.key,
                "version": k.version,
                "ref": k.ref,
                "name": str(k.name),
                "unit": k.unit,
                "value": k.compute(now),
                "previous": k.compute(before),
            }
            for k in kpis.all_current()
        ],
    }


def _durations_out(d: Durations) -> dict[str, Any]:
    return {"count": d.count, "median_seconds": d.median, "p90_seconds": d.p90}


@router.get(
    "/{slug}/analytics/team",
    response=responses({200: TeamOut}),
    auth=access(VIEW, READ),
    summary="Inbox first response and time to complete per person and channel "
    "(business hours), and items handled per person per day",
)
def team(request: HttpRequest, slug: str, query: Query[PeriodQuery]) -> Any:
    actor = _actor(request)
    report = team_report(actor.workspace, _period(actor, query))
    emails = {p.user_id: p.email for p in report.people}
    return {
        "period": _period_out(report.period),
        "timezone": report.timezone,
        "business_hours": report.business_hours,
        "received": report.received,
        "first_response": _durations_out(report.first_response),
        "completion": _durations_out(report.completion),
        "people": [
            {
                "email": p.email,
                "name": p.name,
                "first_response": _durations_out(p.first_response),
                "completion": _durations_out(p.completion),
                "handled": p.handled,
                "handled_per_day": round(p.per_day(report.period.days), 3),
            }
            for p in report.people
        ],
        "channels": [
            {
                "channel": {"id": c.channel_id, "name": c.name, "network": c.network},
                "received": c.received,
                "first_response": _durations_out(c.first_response),
                "completion": _durations_out(c.completion),
            }
            for c in report.channels
        ],
        "days": [
            {"day": day, "email": emails.get(user_id, ""), "handled": n}
            for day, counts in report.days
            for user_id, n in sorted(counts.items(), key=lambda i: emails.get(i[0], ""))
        ],
    }
