"""Goals, read: how far a goal has come, its forecast and status, and the recommendations
that follow from the data, each with its evidence. Writes are in services/goals.py."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from roost.analytics import besttime, forecast, kpis, selectors
from roost.analytics.kpis import Kpi, Totals, Unit
from roost.analytics.models import METRICS, Goal
from roost.analytics.selectors import Period
from roost.channels.models import Channel
from roost.workspaces.models import Workspace

# Audience KPIs: their value is a level (or a difference of levels), not a sum of days.
LEVEL_KPIS = frozenset({"followers", "follower_growth", "net_follower_growth"})
OUTPERFORM = 1.10  # a format or channel "outperforms" at ≥ 10 % above the average…
MIN_GROUP_POSTS = 5  # … with at least this many posts
BEST_TIME_CHANNELS = 5  # best-time advice for at most this many channels


def goals_for(workspace: Workspace) -> QuerySet[Goal]:
    return Goal.objects.filter(workspace=workspace).select_related("channel", "campaign")


def access_goal(workspace: Workspace, goal_id: int) -> Goal:
    from roost.core.exceptions import NotFound

    goal = goals_for(workspace).filter(pk=goal_id).first()
    if goal is None:
        raise NotFound()
    return goal


def is_rate(kpi: Kpi) -> bool:
    return kpi.unit != Unit.COUNT and kpi.key not in LEVEL_KPIS


def goal_kpi(goal: Goal) -> Kpi:
    return kpis.get(goal.kpi_key, goal.kpi_version)


def newer_kpi(goal: Goal) -> Kpi | None:
    """The registry's newest version of the goal's KPI, when newer than the goal's."""
    latest = kpis.current(goal.kpi_key)
    return latest if latest.version > goal.kpi_version else None


def _add(a: int | None, b: int | None) -> int | None:
    if a is None:
        return b
    return a if b is None else a + b


def accumulate(days: Sequence[Totals]) -> list[Totals]:
    """Period-to-date Totals after each day (audience: first and latest reading so far)."""
    out: list[Totals] = []
    running = Totals()
    for t in days:
        running = Totals(
            posts=running.posts + t.posts,
            values={m: _add(running.values.get(m), t.values.get(m)) for m in METRICS},
            engagements=running.engagements + t.engagements,
            link_clicks=running.link_clicks + t.link_clicks,
            followers_start=(
                running.followers_start
                if running.followers_start is not None
                else t.followers_start
            ),
            followers_end=t.followers_end if t.followers_end is not None else running.followers_end,
        )
        out.append(running)
    return out


def _campaign_days(workspace: Workspace, period: Period, campaign_id: int) -> list[Totals]:
    """One Totals per day from the campaign's posts' latest counts (no audience)."""
    sums: dict[str, Any] = {f"s_{m}": Sum(m) for m in METRICS}
    sums.update({f"n_{m}": Count(m) for m in METRICS})
    rows: dict[date, dict[str, Any]] = {
        r["day"]: dict(r)
        for r in selectors.post_metrics(workspace, period, campaign_id=campaign_id)
        .values("day")
        .annotate(posts=Count("pk"), e=Sum("engagements"), lc=Sum("link_clicks"), **sums)
        .order_by("day")
    }
    out = []
    for day in period.dates():
        r = rows.get(day)
        if r is None:
            out.append(Totals(values={m: None for m in METRICS}))
            continue
        values = {m: (int(r[f"s_{m}"] or 0) if r[f"n_{m}"] else None) for m in METRICS}
        out.append(
            Totals(
                posts=r["posts"],
                values=values,
                engagements=int(r["e"] or 0),
                link_clicks=int(r["lc"] or 0),
            )
        )
    return out


def day_totals(goal: Goal, period: Period) -> list[Totals]:
    """The goal's scope, one Totals per day of `period`."""
    if goal.campaign_id is not None:
        return _campaign_days(goal.workspace, period, goal.campaign_id)
    channel_ids = [goal.channel_id] if goal.channel_id is not None else None
    return [t for _day, t in selectors.daily(goal.workspace, period, channel_ids)]


@dataclass(frozen=True)
class Progress:
    goal: Goal
    kpi: Kpi
    newer: Kpi | None
    today: date
    days_elapsed: int
    days_total: int
    so_far: Totals | None  # period to date (None: not started)
    value: float | None  # the KPI over the days elapsed
    forecast: forecast.Forecast | None
    status: str

    @property
    def days_left(self) -> int:
        return self.days_total - self.days_elapsed

    @property
    def interval_known(self) -> bool:
        f = self.forecast
        return f is not None and math.isfinite(f.low) and math.isfinite(f.high)


def progress(goal: Goal, *, today: date) -> Progress:
    """Where the goal stands on `today` (workspace zone): the value so far, the forecast
    for the last day and the status."""
    kpi = goal_kpi(goal)
    total = (goal.end - goal.start).days + 1
    base = Progress(goal, kpi, newer_kpi(goal), today, 0, total, None, None, None, "")
    if today < goal.start:
        return replace(base, status=forecast.NOT_STARTED)
    last = min(today, goal.end)
    days = day_totals(goal, Period(goal.start, last))
    running = accumulate(days)
    elapsed = len(days)
    so_far = running[-1]
    value = kpi.compute(so_far)
    if is_rate(kpi):
        result = forecast.forecast_rate([kpi.compute(t) for t in days], value, total)
    else:
        origin = None if goal.kpi_key == "followers" else 0.0
        result = forecast.forecast_cumulative(
            [kpi.compute(t) for t in running], total, origin=origin
        )
    if result is None:
        state = forecast.NO_DATA
    else:
        state = forecast.status(result, goal.target, higher_is_better=kpi.higher_is_better)
    return replace(
        base,
        days_elapsed=elapsed,
        so_far=so_far,
        value=value,
        forecast=result,
        status=state,
    )


# -- recommendations --------------------------------------------------------------------


@dataclass(frozen=True)
class Recommendation:
    kind: str  # "pace", "best_time", "format", "channel", "campaign"
    text: str
    evidence: list[str] = field(default_factory=list)


def _num(value: float, digits: int = 1) -> str:
    return str(number_format(round(value, digits), digits, force_grouping=True))


def _pace(p: Progress) -> list[Recommendation]:
    """What it would take to reach the target in the days left."""
    f, so_far, goal, kpi = p.forecast, p.so_far, p.goal, p.kpi
    if f is None or so_far is None or p.days_left <= 0 or p.value is None:
        return []
    if p.status not in {forecast.AT_RISK, forecast.OFF_TRACK}:
        return []
    left = p.days_left
    if is_rate(kpi):
        needed = (goal.target * p.days_total - p.value * p.days_elapsed) / left
        return [
            Recommendation(
                "pace",
                _("To reach %(target)s, the remaining %(days)s days need to average %(needed)s.")
                % {"target": _num(goal.target, 2), "days": left, "needed": _num(needed, 2)},
                [
                    _("So far: %(value)s over %(days)s days.")
                    % {"value": _num(p.value, 2), "days": p.days_elapsed},
                ],
            )
        ]
    missing = goal.target - p.value
    per_day = missing / left
    evidence = [
        _("So far: %(value)s in %(days)s days (%(rate)s a day); forecast %(forecast)s.")
        % {
            "value": _num(p.value, 0),
            "days": p.days_elapsed,
            "rate": _num(p.value / max(p.days_elapsed, 1)),
            "forecast": _num(f.value, 0),
        }
    ]
    if goal.kpi_key == "posts":
        return [
            Recommendation(
                "pace",
                _("Publish %(n)s posts a day for the remaining %(days)s days.")
                % {"n": _num(per_day), "days": left},
                evidence,
            )
        ]
    if goal.kpi_key not in LEVEL_KPIS and so_far.posts:
        per_post = p.value / so_far.posts
        if per_post > 0:
            posts_per_day = per_day / per_post
            current = so_far.posts / max(p.days_elapsed, 1)
            evidence.append(
                _("%(posts)s posts so far bring %(per_post)s each.")
                % {"posts": so_far.posts, "per_post": _num(per_post)}
            )
            return [
                Recommendation(
                    "pace",
                    _(
                        "At the current %(per_post)s per post, it takes %(needed)s posts a day "
                        "for the remaining %(days)s days (now %(current)s a day)."
                    )
                    % {
                        "per_post": _num(per_post),
                        "needed": _num(posts_per_day),
                        "days": left,
                        "current": _num(current),
                    },
                    evidence,
                )
            ]
    return [
        Recommendation(
            "pace",
            _("It takes %(n)s a day for the remaining %(days)s days.")
            % {"n": _num(per_day), "days": left},
            evidence,
        )
    ]


def _channels_in_scope(goal: Goal) -> list[Channel]:
    if goal.channel_id is not None:
        return [goal.channel] if goal.channel is not None else []
    ids = None
    if goal.campaign_id is not None:
        ids = set(
            selectors.post_metrics(goal.workspace, campaign_id=goal.campaign_id)
            .values_list("channel_id", flat=True)
            .distinct()
        )
    channels = Channel.objects.filter(workspace=goal.workspace).select_related("workspace")
    if ids is not None:
        channels = channels.filter(pk__in=ids)
    return list(channels.order_by("name", "pk")[:BEST_TIME_CHANNELS])


def weekday_name(weekday: int) -> str:
    from django.utils.dates import WEEKDAYS_ABBR

    return str(WEEKDAYS_ABBR[weekday])


def _best_times(goal: Goal, now: datetime) -> list[Recommendation]:
    out = []
    for channel in _channels_in_scope(goal):
        model = besttime.channel_best_times(channel, now=now)
        top = model.top(1)
        if not top:
            continue
        b = top[0]
        unit = _("engagement rate") if model.basis == besttime.BASIS_RATE else _("engagements")
        out.append(
            Recommendation(
                "best_time",
                _("Post on %(channel)s on %(day)s around %(hour)02d:00 (%(zone)s).")
                % {
                    "channel": channel.name,
                    "day": weekday_name(b.weekday),
                    "hour": b.hour,
                    "zone": channel.tz_name,
                },
                [
                    _(
                        "%(lift)s× this channel's average %(unit)s, from %(posts)s posts at that "
                        "hour (95 %% interval %(low)s–%(high)s; channel average %(mean)s over "
                        "%(all)s posts)."
                    )
                    % {
                        "lift": _num(b.lift or 0),
                        "unit": unit,
                        "posts": b.posts,
                        "low": _num(b.low, 2),
                        "high": _num(b.high, 2),
                        "mean": _num(model.mean, 2),
                        "all": model.posts,
                    }
                ],
            )
        )
    return out


@dataclass(frozen=True)
class Group:
    name: str
    posts: int
    engagements: int
    impressions: int | None

    @property
    def per_post(self) -> float:
        return self.engagements / self.posts if self.posts else 0.0

    @property
    def rate(self) -> float | None:
        return self.engagements * 100.0 / self.impressions if self.impressions else None


def _compare(kind: str, groups: list[Group], overall: Group, label: str) -> list[Recommendation]:
    out = []
    for g in groups:
        if g.posts < MIN_GROUP_POSTS or overall.per_post <= 0:
            continue
        if g.per_post < OUTPERFORM * overall.per_post:
            continue
        evidence = [
            _("%(name)s: %(posts)s posts, %(per_post)s engagements per post")
            % {"name": g.name, "posts": g.posts, "per_post": _num(g.per_post)}
            + (
                _(", engagement rate %(rate)s %%") % {"rate": _num(g.rate, 2)}
                if g.rate is not None
                else ""
            ),
            _("Average: %(posts)s posts, %(per_post)s engagements per post")
            % {"posts": overall.posts, "per_post": _num(overall.per_post)}
            + (
                _(", engagement rate %(rate)s %%") % {"rate": _num(overall.rate, 2)}
                if overall.rate is not None
                else ""
            ),
        ]
        out.append(
            Recommendation(
                kind,
                _("%(label)s %(name)s outperform: %(ratio)s× the average engagements per post.")
                % {"label": label, "name": g.name, "ratio": _num(g.per_post / overall.per_post)},
                evidence,
            )
        )
    return out


def _group(name: str, rows: list[dict[str, Any]]) -> Group:
    with_impressions = [r for r in rows if r["impressions"] is not None]
    impressions = sum(r["impressions"] for r in with_impressions) if with_impressions else None
    # A rate only where every post in the group has impressions (otherwise it would mix).
    if len(with_impressions) != len(rows):
        impressions = None
    return Group(name, len(rows), sum(r["engagements"] for r in rows), impressions)


def post_format(thread: Any, media: int) -> str:
    if thread:
        return "thread"
    return "image" if media else "text"


def _formats_and_channels(goal: Goal, period: Period) -> list[Recommendation]:
    channel_ids = [goal.channel_id] if goal.channel_id is not None else None
    rows: list[dict[str, Any]] = list(
        dict(r)
        for r in selectors.post_metrics(
            goal.workspace, period, channel_ids=channel_ids, campaign_id=goal.campaign_id
        )
        .annotate(media=Count("post__postmedia"))
        .values(
            "channel_id", "channel__name", "engagements", "impressions", "post__thread", "media"
        )
    )
    if not rows:
        return []
    overall = _group(_("All posts"), rows)
    names = {"text": _("Text posts"), "image": _("Posts with images"), "thread": _("Threads")}
    by_format: dict[str, list[dict[str, Any]]] = {}
    by_channel: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by_format.setdefault(post_format(r["post__thread"], r["media"]), []).append(r)
        by_channel.setdefault(r["channel__name"], []).append(r)
    out = _compare(
        "format",
        [_group(str(names[k]), v) for k, v in sorted(by_format.items())],
        overall,
        _("Format:"),
    )
    if goal.channel_id is None and len(by_channel) > 1:
        out += _compare(
            "channel",
            [_group(k, v) for k, v in sorted(by_channel.items())],
            overall,
            _("Channel:"),
        )
    return out


def _campaigns_behind(goal: Goal, today: date) -> list[Recommendation]:
    out = []
    others = goals_for(goal.workspace).filter(
        campaign__isnull=False, start__lte=today, end__gte=today
    )
    for other in others.exclude(pk=goal.pk)[:10]:
        p = progress(other, today=today)
        if p.status not in {forecast.AT_RISK, forecast.OFF_TRACK} or p.forecast is None:
            continue
        out.append(
            Recommendation(
                "campaign",
                _("Campaign %(name)s is behind its goal for %(kpi)s.")
                % {"name": other.campaign.name if other.campaign else "", "kpi": p.kpi.name},
                [
                    _("Forecast %(forecast)s against a target of %(target)s by %(end)s.")
                    % {
                        "forecast": _num(p.forecast.value, 2),
                        "target": _num(other.target, 2),
                        "end": other.end.isoformat(),
                    }
                ],
            )
        )
    return out


# How far back formats and channels are compared when the goal's period has few posts.
ADVICE_LOOKBACK_DAYS = 90


def recommendations(p: Progress, *, now: datetime) -> list[Recommendation]:
    """The advice for a goal: the pace it needs, best times, formats and channels that
    outperform, campaigns behind their goals — each with the numbers behind it."""
    goal = p.goal
    if p.status in {forecast.MET, forecast.MISSED}:
        return []
    out = _pace(p)
    out += _best_times(goal, now)
    period = Period(goal.start, min(p.today, goal.end))
    if p.status == forecast.NOT_STARTED or (p.so_far and p.so_far.posts < 2 * MIN_GROUP_POSTS):
        period = Period(p.today - timedelta(days=ADVICE_LOOKBACK_DAYS - 1), p.today)
    out += _formats_and_channels(goal, period)
    out += _campaigns_behind(goal, p.today)
    return out
