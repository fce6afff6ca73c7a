"""Budget planning: the ratio estimate, its bootstrap interval (same answer every time),
and an honest "not enough data" that names what is missing."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from roost.conftest import World
from roost.core import clock
from roost.paid.planning import estimate
from roost.paid.testing import ad_account, ad_days, paid_campaign

TODAY = date(2026, 11, 11)


def history(world: World) -> Any:
    acc = ad_account(world.a)
    c = paid_campaign(acc, objective="traffic")
    # 10 days: spend 100 or 120, 10,000 impressions, 200 clicks, 2 conversions a day.
    ad_days(
        c, date(2026, 11, 1), ["100", "120"] * 5, impressions=10000, clicks=200, conversions="2"
    )
    return acc


def test_cpc_estimate_and_budget_with_an_interval(world: World) -> None:
    acc = history(world)

    e = estimate(acc, goal=5000, unit="clicks", today=TODAY)

    assert e.enough and e.missing == []
    assert (e.days_with_spend, e.spend, e.units) == (10, Decimal("1100.00"), Decimal(2000))
    assert e.cost == Decimal("0.55")  # 1,100 ÷ 2,000
    assert e.budget == Decimal("2750.00")  # 5,000 × 0.55
    assert e.cost_low is not None and e.cost_high is not None
    assert e.cost_low < e.cost < e.cost_high
    assert Decimal("0.50") <= e.cost_low and e.cost_high <= Decimal("0.60")
    assert e.budget_low is not None and e.budget_high is not None
    assert e.budget_low < e.budget < e.budget_high
    # The same history, the same interval (a fixed seed).
    again = estimate(acc, goal=5000, unit="clicks", today=TODAY)
    assert (again.cost_low, again.cost_high, again.budget_low, again.budget_high) == (
        e.cost_low,
        e.cost_high,
        e.budget_low,
        e.budget_high,
    )


def test_cpm_is_per_thousand_impressions(world: World) -> None:
    e = estimate(history(world), goal=1_000_000, unit="impressions", today=TODAY)
    assert (e.cost, e.budget, e.cost_name) == (Decimal("11.00"), Decimal("11000.00"), "CPM")


def test_not_enough_data_names_what_is_missing(world: World) -> None:
    acc = ad_account(world.a)
    ad_days(paid_campaign(acc), date(2026, 11, 5), ["100"] * 5, clicks=3, conversions="1")

    clicks = estimate(acc, goal=100, unit="clicks", today=TODAY)
    conversions = estimate(acc, goal=100, unit="conversions", today=TODAY)

    assert not clicks.enough and clicks.budget is None
    assert clicks.missing == [
        "Only 5 days with spend in the last 90 days; at least 7 are needed.",
        "Only 15 clicks in the last 90 days; at least 30 are needed.",
    ]
    assert (
        conversions.missing[1] == "Only 5 conversions in the last 90 days; at least 10 are needed."
    )


def test_an_objective_narrows_the_history(world: World) -> None:
    acc = history(world)
    e = estimate(acc, goal=100, unit="clicks", today=TODAY, objective="sales")
    assert e.days_with_spend == 0 and not e.enough


@pytest.fixture
def _now(monkeypatch: Any) -> None:
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 11, 11, 10, tzinfo=UTC))


def test_the_planning_page(world: World, _now: None) -> None:
    acc = history(world)
    client = world.client_for("analyst")
    url = f"/w/{world.a.slug}/paid/planning/"

    page = client.get(url, {"ad_account": acc.pk, "goal": "5000", "unit": "clicks"})
    bad = client.get(url, {"ad_account": acc.pk, "goal": "-3", "unit": "clicks"})
    thin = client.get(
        url, {"ad_account": acc.pk, "goal": "5", "unit": "conversions", "objective": "sales"}
    )

    assert page.status_code == 200
    assert 'data-testid="budget">2750.00 EUR' in page.content.decode()
    assert bad.status_code == 422 and "At least 1." in bad.content.decode()
    assert thin.status_code == 200
    assert "Not enough data" in thin.content.decode()
