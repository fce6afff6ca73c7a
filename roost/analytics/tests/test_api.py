"""The analytics API: metrics for the workspace, its channels and a post, the KPI registry
and KPI values — shapes, figures and who may read them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.test import Client

from roost.analytics import kpis
from roost.analytics.services.recording import channel_day_record
from roost.analytics.testing import published, read
from roost.conftest import token_for
from roost.core import clock


def _get(world: Any, path: str, role: str = "analyst", scopes: list[str] | None = None) -> Any:
    secret = token_for(world.members[role], scopes or ["read"])
    return Client().get(f"/api/v1/workspaces/alpha/{path}", HTTP_AUTHORIZATION=f"Bearer {secret}")


def _figures(world: Any) -> Any:
    now = clock.now()
    d = published(world.a_channel, now - timedelta(days=2))
    read(d, now - timedelta(days=2) + timedelta(hours=1), likes=3, impressions=100)
    read(d, now - timedelta(days=1), likes=7, reposts=3, impressions=500)
    today = now.astimezone(world.a.tzinfo).date()
    for days_ago, followers in ((5, 1000), (1, 1100)):
        channel_day_record(
            channel_id=world.a_channel.pk,
            workspace_id=world.a.pk,
            day=today - timedelta(days=days_ago),
            followers=followers,
        )
    return d


def test_workspace_metrics(world: Any) -> None:
    _figures(world)
    r = _get(world, "analytics/metrics?days=7")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["period"]["days"] == 7 and body["previous_period"]["days"] == 7
    totals = body["totals"]
    assert (totals["posts"], totals["engagements"]) == (1, 10)
    assert totals["metrics"]["likes"] == 7 and totals["metrics"]["impressions"] == 500
    assert totals["metrics"]["reach"] is None  # not available, never 0
    assert (totals["followers_start"], totals["followers_end"]) == (1000, 1100)
    assert len(body["daily"]) == 7
    assert sum(d["totals"]["engagements"] for d in body["daily"]) == 10
    assert body["previous"]["posts"] == 0


def test_channel_metrics(world: Any) -> None:
    _figures(world)
    listed = _get(world, "analytics/channels?days=7").json()
    [row] = listed["channels"]
    assert row["channel"]["id"] == world.a_channel.pk
    assert row["totals"]["engagements"] == 10
    assert row["totals"]["followers_end"] == 1100
    one = _get(world, f"analytics/channels/{world.a_channel.pk}?days=7")
    assert one.status_code == 200
    assert one.json()["channel"]["name"] == "Alpha Sandbox"
    assert one.json()["totals"]["engagements"] == 10
    assert _get(world, f"analytics/channels/{world.b_channel.pk}").status_code == 404


def test_post_metrics_with_history(world: Any) -> None:
    d = _figures(world)
    r = _get(world, f"analytics/posts/{d.post_id}")
    assert r.status_code == 200, r.content
    body = r.json()
    [delivery] = body["deliveries"]
    assert delivery["delivery"] == d.pk
    assert delivery["metrics"]["likes"] == 7 and delivery["engagements"] == 10
    assert [s["metrics"]["likes"] for s in delivery["snapshots"]] == [3, 7]
    assert body["totals"]["engagements"] == 10
    assert _get(world, f"analytics/posts/{world.b_post.pk}").status_code == 404


def test_kpi_registry_and_values(world: Any) -> None:
    _figures(world)
    registry = _get(world, "analytics/kpis").json()
    assert len(registry) == len(kpis.all_versions())
    rate = next(k for k in registry if k["key"] == "engagement_rate_impressions")
    assert rate["ref"] == "engagement_rate_impressions@v1"
    assert rate["unit"] == "percent" and "impressions" in rate["formula"] and rate["current"]
    values = _get(world, f"analytics/kpis/values?days=7&channel={world.a_channel.pk}").json()
    found = {v["key"]: v for v in values["values"]}
    assert found["engagement_rate_impressions"]["value"] == 2.0
    assert found["reach"]["value"] is None
    assert values["channel"] == world.a_channel.pk
    refused = _get(world, f"analytics/kpis/values?channel={world.b_channel.pk}")
    assert refused.status_code == 422


def test_roles_and_scopes(world: Any) -> None:
    assert _get(world, "analytics/metrics", role="content_creator").status_code == 403
    assert _get(world, "analytics/kpis", role="paid_media").status_code == 200
    no_read = _get(world, "analytics/metrics", role="owner", scopes=["inbox:write"])
    assert no_read.status_code == 403
