"""The KPI registry: every figure Roost shows has a name, a documented formula and a
version. A formula is never edited in place: a change is a new version, and whatever was
measured with an older one (a goal, a sent report) keeps naming, and computing with, the
version it used. docs/kpis.md is generated from this module (`roost kpis_doc`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from roost.analytics.models import METRICS


@dataclass(frozen=True)
class Totals:
    """Sums over a scope (workspace, channel, campaign, tag, post) and a period.
    A metric None: no channel in the scope provides it ("not available")."""

    posts: int = 0
    values: Mapping[str, int | None] = field(default_factory=dict)
    engagements: int = 0
    link_clicks: int = 0
    followers_start: int | None = None  # audience on the period's first day with a reading
    followers_end: int | None = None  # … and on its last

    def get(self, name: str) -> int | None:
        if name == "posts":
            return self.posts
        if name == "engagements":
            return self.engagements
        if name == "link_clicks":
            return self.link_clicks
        if name == "followers":
            return self.followers_end
        return self.values.get(name)


class Unit:
    COUNT = "count"
    PERCENT = "percent"
    RATIO = "ratio"


@dataclass(frozen=True)
class Kpi:
    key: str
    version: int
    name: Any  # a lazy translation
    formula: Any  # for people, a lazy translation: what is divided by what
    unit: str
    compute: Callable[[Totals], float | None]  # None: not available (a part is missing or 0)
    higher_is_better: bool = True

    @property
    def ref(self) -> str:
        """`key@version`, how a stored figure names the formula it used."""
        return f"{self.key}@v{self.version}"


def _ratio(numerator: int | None, denominator: int | None, scale: float = 100.0) -> float | None:
    if numerator is None or not denominator:
        return None
    return numerator * scale / denominator


def _clicks(t: Totals) -> int | None:
    """Clicks the network reports plus Roost short-link clicks."""
    network = t.values.get("clicks")
    if network is None and not t.link_clicks:
        return None
    return (network or 0) + t.link_clicks


def _growth(t: Totals) -> float | None:
    if t.followers_start is None or t.followers_end is None or not t.followers_start:
        return None
    return (t.followers_end - t.followers_start) * 100.0 / t.followers_start


def _net_growth(t: Totals) -> float | None:
    if t.followers_start is None or t.followers_end is None:
        return None
    return float(t.followers_end - t.followers_start)


def _count(name: str) -> Callable[[Totals], float | None]:
    def compute(t: Totals) -> float | None:
        value = t.get(name)
        return None if value is None else float(value)

    return compute


_KPIS: list[Kpi] = [
    Kpi(
        "posts",
        1,
        _("Posts published"),
        _("posts published by Roost in the period (a post on three channels counts three)"),
        Unit.COUNT,
        _count("posts"),
    ),
    Kpi(
        "engagements",
        1,
        _("Engagements"),
        _("likes + reposts + replies + quotes + bookmarks (those the network provides)"),
        Unit.COUNT,
        _count("engagements"),
    ),
    *[
        Kpi(
            name,
            1,
            label,
            _("as the network reports it (latest reading)"),
            Unit.COUNT,
            _count(name),
        )
        for name, label in (
            ("impressions", _("Impressions")),
            ("reach", _("Reach")),
            ("likes", _("Likes")),
            ("reposts", _("Reposts")),
            ("replies", _("Replies")),
            ("quotes", _("Quotes")),
            ("bookmarks", _("Bookmarks")),
            ("video_views", _("Video views")),
        )
    ],
    Kpi(
        "clicks",
        1,
        _("Link clicks"),
        _("clicks the network reports + clicks on Roost short links"),
        Unit.COUNT,
        _clicks,
    ),
    Kpi(
        "engagement_rate_impressions",
        1,
        _("Engagement rate (by impressions)"),
        _("engagements ÷ impressions × 100"),
        Unit.PERCENT,
        lambda t: _ratio(t.engagements, t.values.get("impressions")),
    ),
    Kpi(
        "engagement_rate_reach",
        1,
        _("Engagement rate (by reach)"),
        _("engagements ÷ reach × 100"),
        Unit.PERCENT,
        lambda t: _ratio(t.engagements, t.values.get("reach")),
    ),
    Kpi(
        "engagement_rate_followers",
        1,
        _("Engagement rate (by followers)"),
        _("engagements per post ÷ followers at the end of the period × 100"),
        Unit.PERCENT,
        lambda t: _ratio(t.engagements, (t.posts * t.followers_end) if t.followers_end else None),
    ),
    Kpi(
        "click_through_rate",
        1,
        _("Click-through rate"),
        _("link clicks ÷ impressions × 100"),
        Unit.PERCENT,
        lambda t: _ratio(_clicks(t), t.values.get("impressions")),
    ),
    Kpi(
        "reply_rate",
        1,
        _("Replies per post"),
        _("replies ÷ posts published"),
        Unit.RATIO,
        lambda t: _ratio(t.values.get("replies"), t.posts, 1.0),
    ),
    Kpi(
        "engagements_per_post",
        1,
        _("Engagements per post"),
        _("engagements ÷ posts published"),
        Unit.RATIO,
        lambda t: _ratio(t.engagements, t.posts, 1.0),
    ),
    Kpi(
        "followers",
        1,
        _("Followers"),
        _("followers at the end of the period (sum over channels)"),
        Unit.COUNT,
        _count("followers"),
    ),
    Kpi(
        "follower_growth",
        1,
        _("Follower growth"),
        _("(followers at the end − followers at the start) ÷ followers at the start × 100"),
        Unit.PERCENT,
        _growth,
    ),
    Kpi(
        "net_follower_growth",
        1,
        _("New followers (net)"),
        _("followers at the end − followers at the start"),
        Unit.COUNT,
        _net_growth,
    ),
]

_BY_REF: dict[tuple[str, int], Kpi] = {(k.key, k.version): k for k in _KPIS}
if len(_BY_REF) != len(_KPIS):  # pragma: no cover - a programming error, caught at import
    raise RuntimeError("two KPIs share a key and version")
assert not set(METRICS) - {k.key for k in _KPIS}, "every metric is a KPI"


def current(key: str) -> Kpi:
    """The newest version of KPI `key` (LookupError if unknown)."""
    versions = [k for k in _KPIS if k.key == key]
    if not versions:
        raise LookupError(f"Unknown KPI: {key}")
    return max(versions, key=lambda k: k.version)


def get(key: str, version: int) -> Kpi:
    """A KPI as it was at `version` (what a stored figure was measured with)."""
    try:
        return _BY_REF[(key, version)]
    except KeyError:
        raise LookupError(f"Unknown KPI: {key} v{version}") from None


def all_current() -> list[Kpi]:
    """The newest version of every KPI, in the registry's order."""
    seen: dict[str, Kpi] = {}
    for kpi in _KPIS:
        if kpi.key not in seen or kpi.version > seen[kpi.key].version:
            seen[kpi.key] = kpi
    return list(seen.values())


def all_versions() -> list[Kpi]:
    return list(_KPIS)


def kpis_doc() -> str:
    """The registry as Markdown (docs/kpis.md)."""
    lines = [
        "# KPIs",
        "",
        "Generated from `roost/analytics/kpis.py` by `roost kpis_doc`; a test fails when the",
        "two disagree. A formula is never changed in place: a new version is added, and goals",
        "and reports keep the version they were measured with. A figure whose parts a network",
        "does not provide is shown as “not available”, never as 0.",
        "",
        "| KPI | key | version | formula | unit |",
        "|---|---|---|---|---|",
    ]
    for kpi in _KPIS:
        lines.append(f"| {kpi.name} | `{kpi.key}` | {kpi.version} | {kpi.formula} | {kpi.unit} |")
    return "\n".join(lines) + "\n"
