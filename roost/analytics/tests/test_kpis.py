"""KPI formulas against hand-computed figures; the registry's rules."""

from __future__ import annotations

from typing import Any

import pytest

from roost.analytics import kpis
from roost.analytics.kpis import Totals

T = Totals(
    posts=4,
    values={
        "likes": 30,
        "reposts": 6,
        "replies": 8,
        "quotes": 2,
        "bookmarks": None,
        "impressions": 2000,
        "reach": 1150,
        "clicks": 14,
        "video_views": None,
    },
    engagements=46,
    link_clicks=6,
    followers_start=800,
    followers_end=840,
)


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("engagement_rate_impressions", 2.3),  # 46 / 2000
        ("engagement_rate_reach", 4.0),  # 46 / 1150
        ("engagement_rate_followers", 46 * 100 / (4 * 840)),
        ("click_through_rate", 1.0),  # (14 + 6) / 2000
        ("reply_rate", 2.0),  # 8 / 4
        ("engagements_per_post", 11.5),
        ("follower_growth", 5.0),  # 40 / 800
        ("net_follower_growth", 40.0),
        ("clicks", 20.0),
        ("bookmarks", None),  # not provided: not available, never 0
        ("video_views", None),
    ],
)
def test_formulas(key: str, expected: float | None) -> None:
    value = kpis.current(key).compute(T)
    if expected is None:
        assert value is None
    else:
        assert value == pytest.approx(expected)


def test_rates_without_a_denominator_are_not_available() -> None:
    empty = Totals(values={"impressions": 0, "reach": None})
    assert kpis.current("engagement_rate_impressions").compute(empty) is None
    assert kpis.current("engagement_rate_reach").compute(empty) is None
    assert kpis.current("follower_growth").compute(empty) is None


def test_every_kpi_names_its_formula_and_version() -> None:
    for kpi in kpis.all_versions():
        assert kpi.formula and kpi.version >= 1
        assert kpis.get(kpi.key, kpi.version) is kpi
    with pytest.raises(LookupError):
        kpis.current("nope")


def test_docs_kpis_md_matches_the_code(settings: Any) -> None:
    doc = (settings.BASE_DIR / "docs" / "kpis.md").read_text(encoding="utf-8")
    assert doc == kpis.kpis_doc(), "run `roost kpis_doc --write`"
