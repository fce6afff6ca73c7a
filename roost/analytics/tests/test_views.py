"""The overview: figures for the period, who may see it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from roost.analytics.testing import published, read
from roost.core import clock


def test_overview_shows_the_periods_figures(world: Any) -> None:
    now = clock.now()
    d = published(world.a_channel, now - timedelta(days=2))
    read(d, now - timedelta(days=1), likes=7, reposts=3, impressions=500)
    html = world.client_for("analyst").get("/w/alpha/analytics/").content.decode()
    assert 'data-testid="kpi-engagements">10<' in html
    assert 'data-testid="kpi-engagement_rate_impressions">2.00 %<' in html
    assert 'data-testid="kpi-reach">not available<' in html
    assert "engagements ÷ impressions × 100 · engagement_rate_impressions@v1" in html


def test_overview_refuses_roles_without_analytics(world: Any) -> None:
    assert world.client_for("content_creator").get("/w/alpha/analytics/").status_code == 403
    assert world.client_for("paid_media").get("/w/alpha/analytics/").status_code == 200


def test_a_bad_period_is_explained(world: Any) -> None:
    r = world.client_for("analyst").get(
        "/w/alpha/analytics/?range=custom&start=2026-05-01&end=2026-04-01"
    )
    assert r.status_code == 400
    assert "The period ends before it starts." in r.content.decode()
