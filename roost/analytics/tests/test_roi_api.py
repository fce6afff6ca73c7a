"""The ROI, conversions and short-link API: the same services as the page, scoped to the
token's workspace and its scopes."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.test import Client

from roost.analytics.models import Conversion, ShortLink
from roost.conftest import B_MARKER, token_for
from roost.core import clock
from roost.publishing.models import Campaign


def _call(method: str, url: str, token: str, body: Any = None) -> Any:
    return Client().generic(
        method,
        url,
        data=json.dumps(body) if body is not None else "",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def test_conversions_are_recorded_idempotently_and_roi_reads_them(world: Any) -> None:
    winter = Campaign.objects.create(workspace=world.a, name="Winter")
    token = token_for(world.members["analyst"], ["read", "analytics:write"])
    today = clock.now().astimezone(world.a.tzinfo).date()
    body = {
        "items": [
            {"day": str(today), "value": 120.5, "external_id": "o-1", "campaign_id": winter.pk},
            {"day": str(today), "value": 10, "count": 2, "external_id": "o-2"},
        ]
    }
    r = _call("POST", "/api/v1/workspaces/alpha/analytics/conversions", token, body)
    assert r.status_code == 200, r.content
    assert r.json() == {"rows": 2, "added": 2, "updated": 0}
    r = _call("POST", "/api/v1/workspaces/alpha/analytics/conversions", token, body)
    assert r.json() == {"rows": 2, "added": 0, "updated": 2}
    assert Conversion.objects.count() == 2

    start = today - timedelta(days=6)
    r = _call("GET", f"/api/v1/workspaces/alpha/analytics/roi?start={start}&end={today}", token)
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["overall"]["conversions"] == 3
    assert data["overall"]["conversion_value"] == "130.50"
    assert data["overall"]["paid_spend"] is None
    assert data["overall"]["roi_percent"] is None
    line = next(c for c in data["campaigns"] if c["campaign_id"] == winter.pk)
    assert (line["label"], line["value"]) == ("Winter", "120.50")


def test_a_bad_item_stores_nothing(world: Any) -> None:
    theirs = Campaign.objects.create(workspace=world.b, name=f"B {B_MARKER}")
    token = token_for(world.members["owner"])
    body = {
        "items": [
            {"day": "2026-11-01", "value": 5, "external_id": "fine"},
            {"day": "2026-11-01", "value": 5, "external_id": "x", "campaign_id": theirs.pk},
        ]
    }
    r = _call("POST", "/api/v1/workspaces/alpha/analytics/conversions", token, body)
    assert r.status_code == 422
    assert "campaign_id" in r.content.decode()
    assert B_MARKER not in r.content.decode()
    assert Conversion.objects.count() == 0


def test_a_bad_period_is_refused(world: Any) -> None:
    token = token_for(world.members["owner"])
    base = "/api/v1/workspaces/alpha/analytics/roi"
    assert _call("GET", f"{base}?start=2026-05-02&end=2026-05-01", token).status_code == 422
    assert _call("GET", f"{base}?start=2020-01-01&end=2026-05-01", token).status_code == 422
    assert _call("GET", f"{base}?start=2026-05-01", token).status_code == 422
    assert _call("GET", f"{base}?start=0001-01-01&end=0001-01-02", token).status_code == 422


def test_short_links_are_made_and_listed(world: Any) -> None:
    token = token_for(world.members["analyst"], ["read", "analytics:write"])
    url = "/api/v1/workspaces/alpha/short-links"
    r = _call("POST", url, token, {"target": "https://shop.example/a", "post_id": world.a_post.pk})
    assert r.status_code == 201, r.content
    made = r.json()
    assert made["url"].endswith(f"/l/{made['code']}")
    assert made["post_id"] == world.a_post.pk
    r = _call("POST", url, token, {"target": "javascript:alert(1)"})
    assert r.status_code == 422
    r = _call("POST", url, token, {"target": "https://shop.example/b", "post_id": world.b_post.pk})
    assert r.status_code == 422
    assert ShortLink.objects.count() == 1
    listed = _call("GET", url, token).json()
    assert [link["code"] for link in listed] == [made["code"]]
    # B's token sees none of A's links.
    theirs = token_for(world.b_owner)
    assert _call("GET", f"/api/v1/workspaces/{world.b.slug}/short-links", theirs).json() == []


def test_writes_need_the_analytics_scope(world: Any) -> None:
    token = token_for(world.members["owner"], ["read"])
    r = _call(
        "POST", "/api/v1/workspaces/alpha/short-links", token, {"target": "https://a.example"}
    )
    assert r.status_code == 403
    assert "analytics:write" in r.content.decode()
