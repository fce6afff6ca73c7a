"""The paid campaigns API: create (once per Idempotency-Key), read with pacing and metrics,
change, bad input as 422 naming the field, who may write; planning, settings and rates."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.test import Client

from roost.conftest import World, token_for
from roost.core import clock
from roost.paid.models import CurrencyRate, PaidCampaign
from roost.paid.testing import ad_account, ad_days, paid_campaign
from roost.workspaces.models import AuditEntry

NOW = datetime(2026, 11, 11, 10, 0, tzinfo=UTC)
BASE = "/api/v1/workspaces/alpha/paid"


@pytest.fixture(autouse=True)
def _now(monkeypatch: Any) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOW)


def call(method: str, url: str, token: str, body: Any = None, key: str | None = None) -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return Client().generic(
        method, url, data=json.dumps(body or {}), content_type="application/json", **headers
    )


def body(account_id: int, **extra: Any) -> dict[str, Any]:
    return {
        "ad_account": account_id,
        "name": "Winter ads",
        "objective": "traffic",
        "total_budget": "3000.00",
        "starts_on": "2026-11-01",
        "ends_on": "2026-11-30",
        **extra,
    }


def test_create_once_per_key_then_read_with_pacing(world: World) -> None:
    acc = ad_account(world.a)
    token = token_for(world.members["paid_media"])

    first = call("POST", f"{BASE}/campaigns", token, body(acc.pk), key="k-1")
    again = call("POST", f"{BASE}/campaigns", token, body(acc.pk), key="k-1")

    assert first.status_code == 201, first.content
    assert again.json() == first.json()
    assert PaidCampaign.objects.count() == 1
    created = first.json()
    assert (created["currency"], created["total_budget"], created["pacing"]["state"]) == (
        "EUR",
        "3000.00",
        "under",
    )
    c = PaidCampaign.objects.get()
    ad_days(c, date(2026, 11, 1), ["100"] * 10, impressions=1000, clicks=20)
    got = call("GET", f"{BASE}/campaigns/{c.pk}", token).json()
    assert (got["pacing"]["state"], got["pacing"]["actual"], got["pacing"]["forecast"]) == (
        "on_pace",
        "1000.00",
        "3000.00",
    )
    assert (got["metrics"]["cpm"], got["metrics"]["cpc"], got["metrics"]["cpa"]) == (
        "100.00",
        "5.00",
        None,
    )
    listed = call("GET", f"{BASE}/campaigns", token).json()
    assert [x["id"] for x in listed] == [c.pk]


def test_change_and_bad_input(world: World) -> None:
    acc = ad_account(world.a)
    c = paid_campaign(acc)
    token = token_for(world.members["owner"])

    ok = call("PUT", f"{BASE}/campaigns/{c.pk}", token, body(acc.pk, total_budget="4000"))
    daily = call("PUT", f"{BASE}/campaigns/{c.pk}", token, body(acc.pk, daily_budget="5000"))
    negative = call("POST", f"{BASE}/campaigns", token, body(acc.pk, total_budget="-1"))
    backwards = call("POST", f"{BASE}/campaigns", token, body(acc.pk, ends_on="2026-10-01"))

    assert ok.status_code == 200 and ok.json()["total_budget"] == "4000.00"
    assert daily.status_code == 422 and "daily_budget" in daily.content.decode()
    assert negative.status_code == 422
    assert backwards.status_code == 422 and "ends_on" in backwards.content.decode()
    assert PaidCampaign.objects.count() == 1
    assert AuditEntry.objects.filter(action="paid.campaign_updated").count() == 1


def test_readers_cannot_write(world: World) -> None:
    acc = ad_account(world.a)
    reader = token_for(world.members["analyst"])
    no_scope = token_for(world.members["paid_media"], ["read"])

    assert call("POST", f"{BASE}/campaigns", reader, body(acc.pk)).status_code == 403
    assert call("POST", f"{BASE}/campaigns", no_scope, body(acc.pk)).status_code == 403
    assert call("GET", f"{BASE}/campaigns", reader).status_code == 200
    assert not PaidCampaign.objects.exists()


def test_planning_settings_and_rates(world: World) -> None:
    acc = ad_account(world.a)
    ad_days(paid_campaign(acc), date(2026, 11, 1), ["110"] * 10, clicks=200)
    token = token_for(world.members["owner"])

    e = call("GET", f"{BASE}/planning?ad_account={acc.pk}&goal=1000&unit=clicks", token).json()
    put = call("PUT", f"{BASE}/settings", token, {"currency": "EUR", "approval_threshold": "50"})
    rate = call("PUT", f"{BASE}/rates", token, {"currency": "USD", "rate": "0.9"})
    bad = call("PUT", f"{BASE}/rates", token, {"currency": "QQQ", "rate": "1"})
    gone = call("DELETE", f"{BASE}/rates?currency=USD", token)

    assert (e["enough"], e["cost"], e["budget"], e["cost_name"]) == (True, "0.55", "550.00", "CPC")
    assert put.json()["approval_threshold"] == "50.00"
    assert rate.json()["rates"] == [{"currency": "USD", "rate": "0.9"}]
    assert bad.status_code == 422 and "currency" in bad.content.decode()
    assert gone.status_code == 200 and gone.json()["rates"] == []
    assert not CurrencyRate.objects.exists()
