"""Reports: a registry of sections, each turning (workspace, period) into a table.

A section is a key, a title and a function returning a `Block` (columns and rows of plain
values). The builder page, the share page, the CSV and PDF exports, the scheduled e-mails
and the API all render the same blocks, so a section is written once. Other parts of
analytics add sections with `register(key, title, build)` from their AppConfig.ready().
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from roost.analytics import goals as goal_reads
from roost.analytics import kpis, selectors
from roost.analytics.forecast import (
    AT_RISK,
    MET,
    MISSED,
    NO_DATA,
    NOT_STARTED,
    OFF_TRACK,
    ON_TRACK,
)
from roost.analytics.models import ChannelDay, Goal
from roost.analytics.selectors import Period
from roost.analytics.templatetags.analytics import kpi_change, kpi_value
from roost.channels.models import Channel
from roost.workspaces.models import Workspace

Cell = str | int | float | None
TOP_POSTS = 10
TEXT_CHARS = 80


@dataclass(frozen=True)
class Block:
    """One section of a report, as a table."""

    key: str
    title: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    empty: str = ""  # what to say when there are no rows

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "title": self.title, "columns": self.columns, "rows": self.rows}


@dataclass(frozen=True)
class Context:
    """What a section is built from: the workspace, the period and "today" (its zone)."""

    workspace: Workspace
    period: Period
    today: date


Build = Callable[[Context], Block]


@dataclass(frozen=True)
class Section:
    key: str
    title: Any  # a lazy translation
    build: Build


SECTIONS: dict[str, Section] = {}


def register(key: str, title: Any, build: Build) -> None:
    """Add (or replace) a section; the order of registration is the order in reports."""
    SECTIONS[key] = Section(key, title, build)


def choices() -> list[tuple[str, str]]:
    return [(s.key, str(s.title)) for s in SECTIONS.values()]


def unknown(keys: Iterable[str]) -> list[str]:
    """The keys that name no section."""
    return [k for k in keys if k not in SECTIONS]


def build(
    *, workspace: Workspace, period: Period, sections: Sequence[str], today: date
) -> list[Block]:
    """The blocks of the chosen sections, in the registry's order (unknown keys skipped:
    callers validate with `unknown` first)."""
    ctx = Context(workspace, period, today)
    wanted = set(sections)
    return [s.build(ctx) for s in SECTIONS.values() if s.key in wanted]


def display(cell: Cell) -> str:
    """A cell as text for pages and PDFs."""
    if cell is None:
        return "—"
    if isinstance(cell, float):
        return f"{cell:,.2f}"
    if isinstance(cell, int):
        return f"{cell:,}"
    return cell


# -- the sections Roost ships -----------------------------------------------------------


def _summary(ctx: Context) -> Block:
    now = selectors.totals(ctx.workspace, ctx.period)
    before = selectors.totals(ctx.workspace, ctx.period.previous())
    rows: list[list[Cell]] = []
    for kpi in kpis.all_current():
        value, previous = kpi.compute(now), kpi.compute(before)
        rows.append(
            [
                str(kpi.name),
                kpi_value(value, kpi.unit),
                kpi_value(previous, kpi.unit),
                kpi_change(value, previous),
                kpi.ref,
            ]
        )
    return Block(
        "summary",
        _("Key figures"),
        [_("KPI"), _("This period"), _("Previous period"), _("Change"), _("Formula")],
        rows,
    )


def _daily(ctx: Context) -> Block:
    rows: list[list[Cell]] = [
        [
            day.isoformat(),
            t.posts,
            t.engagements,
            t.values.get("impressions"),
            t.get("clicks"),
            t.followers_end,
        ]
        for day, t in selectors.daily(ctx.workspace, ctx.period)
    ]
    return Block(
        "daily",
        _("Day by day"),
        [_("Day"), _("Posts"), _("Engagements"), _("Impressions"), _("Clicks"), _("Followers")],
        rows,
    )


def _channels(ctx: Context) -> Block:
    sums = {
        r["channel_id"]: r
        for r in ChannelDay.objects.filter(
            workspace=ctx.workspace, day__gte=ctx.period.start, day__lte=ctx.period.end
        )
        .values("channel_id")
        .annotate(s_posts=Sum("posts"), s_eng=Sum("engagements"), s_imp=Sum("impressions"))
        .order_by()
    }
    rate = kpis.current("engagement_rate_impressions")
    rows: list[list[Cell]] = []
    for channel in Channel.objects.filter(workspace=ctx.workspace).order_by("name", "pk"):
        row: Mapping[str, Any] = sums.get(channel.pk) or {}
        impressions = row.get("s_imp")
        t = kpis.Totals(
            posts=int(row.get("s_posts") or 0),
            values={"impressions": impressions},
            engagements=int(row.get("s_eng") or 0),
        )
        rows.append(
            [
                channel.name,
                channel.network,
                t.posts,
                t.engagements,
                impressions,
                kpi_value(rate.compute(t), rate.unit),
            ]
        )
    return Block(
        "channels",
        _("Channels"),
        [
            _("Channel"),
            _("Network"),
            _("Posts"),
            _("Engagements"),
            _("Impressions"),
            _("Engagement rate (by impressions)"),
        ],
        rows,
        _("No channels yet."),
    )


def _top_posts(ctx: Context) -> Block:
    rows: list[list[Cell]] = []
    found = (
        selectors.post_metrics(ctx.workspace, ctx.period)
        .select_related("post", "channel")
        .order_by("-engagements", "-published_at", "pk")[:TOP_POSTS]
    )
    for pm in found:
        text = " ".join(pm.post.text.split())
        if len(text) > TEXT_CHARS:
            text = text[: TEXT_CHARS - 1] + "…"
        rows.append(
            [
                text,
                pm.channel.name,
                pm.day.isoformat(),
                pm.engagements,
                pm.impressions,
                pm.clicks,
            ]
        )
    return Block(
        "top_posts",
        _("Top posts"),
        [_("Post"), _("Channel"), _("Published"), _("Engagements"), _("Impressions"), _("Clicks")],
        rows,
        _("No posts were published in this period."),
    )


STATUS_LABELS = {
    ON_TRACK: gettext_lazy("On track"),
    AT_RISK: gettext_lazy("At risk"),
    OFF_TRACK: gettext_lazy("Off track"),
    MET: gettext_lazy("Met"),
    MISSED: gettext_lazy("Missed"),
    NO_DATA: gettext_lazy("No data yet"),
    NOT_STARTED: gettext_lazy("Not started"),
}


def _goals(ctx: Context) -> Block:
    rows: list[list[Cell]] = []
    found = Goal.objects.filter(
        workspace=ctx.workspace, start__lte=ctx.period.end, end__gte=ctx.period.start
    ).order_by("end", "pk")
    for goal in found:
        p = goal_reads.progress(goal, today=ctx.today)
        unit = p.kpi.unit
        rows.append(
            [
                f"{p.kpi.name} ({goal.kpi_ref})",
                kpi_value(goal.target, unit),
                f"{goal.start.isoformat()} – {goal.end.isoformat()}",
                kpi_value(p.value, unit),
                kpi_value(p.forecast.value if p.forecast else None, unit),
                str(STATUS_LABELS.get(p.status, p.status)),
            ]
        )
    return Block(
        "goals",
        _("Goals"),
        [_("Goal"), _("Target"), _("Period"), _("So far"), _("Forecast"), _("Status")],
        rows,
        _("No goals cover this period."),
    )


register("summary", gettext_lazy("Key figures against the previous period"), _summary)
register("daily", gettext_lazy("Day by day"), _daily)
register("channels", gettext_lazy("Channels"), _channels)
register("top_posts", gettext_lazy("Top posts"), _top_posts)
register("goals", gettext_lazy("Goals and whether they are on track"), _goals)
