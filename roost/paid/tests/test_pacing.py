"""Pacing arithmetic on crafted campaigns: exact expected, actual, state and forecast."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from roost.conftest import World
from roost.paid.models import AdAccount, AdDay, PaidCampaign
from roost.paid.pacing import PacingState, compute, pacing_many, pacing_of

TODAY = date(2026, 11, 11)  # day 11 of a 30-day November flight: 10 days elapsed
D = Decimal


def account(world: World) -> AdAccount:
    return AdAccount.objects.create(workspace=world.a, name="Meta", source="meta", currency="EUR")


def campaign(acc: AdAccount, name: str = "C", **kw: Any) -> PaidCampaign:
    fields: dict[str, Any] = {
        "total_budget": D("3000"),
        "starts_on": date(2026, 11, 1),
        "ends_on": date(2026, 11, 30),
    }
    fields.update(kw)
    return PaidCampaign.objects.create(workspace=acc.workspace, ad_account=acc, name=name, **fields)


def spend(c: PaidCampaign, daily: dict[int, str]) -> None:
    """Spend on November days."""
    AdDay.objects.bulk_create(
        AdDay(workspace=c.workspace, campaign=c, day=date(2026, 11, d), spend=D(s), origin="api")
        for d, s in daily.items()
    )


def test_on_pace_exact_figures_and_a_zero_width_interval_for_steady_spend(world: World) -> None:
    c = campaign(account(world))
    spend(c, dict.fromkeys(range(1, 11), "100"))
    spend(c, {11: "999"})  # today's (incomplete) figures are not counted

    p = pacing_of(c, TODAY)

    assert (p.state, p.budget, p.flight_days, p.elapsed_days) == (PacingState.ON_PACE, 3000, 30, 10)
    assert (p.expected, p.actual, p.run_rate) == (D("1000.00"), D("1000.00"), D("100.00"))
    assert (p.forecast, p.forecast_low, p.forecast_high) == (D("3000.00"),) * 3
    assert p.projected == D("0.00")


def test_under_and_over_use_a_ten_percent_tolerance(world: World) -> None:
    acc = account(world)
    under, edge, over = campaign(acc, "under"), campaign(acc, "edge"), campaign(acc, "over")
    spend(under, dict.fromkeys(range(1, 11), "89.9"))  # 899 < 900
    spend(edge, dict.fromkeys(range(1, 11), "90"))  # 900: the edge is on pace
    spend(over, dict.fromkeys(range(1, 11), "111"))  # 1110 > 1100

    got = pacing_many([under, edge, over], TODAY)

    assert [got[c.pk].state for c in (under, edge, over)] == [
        PacingState.UNDER,
        PacingState.ON_PACE,
        PacingState.OVER,
    ]
    assert got[over.pk].forecast == D("3330.00")
    assert got[over.pk].projected == D("330.00")
    assert got[under.pk].projected == D("-303.00")


def test_forecast_uses_the_last_seven_days_and_their_variation(world: World) -> None:
    c = campaign(account(world))
    # Days 1–3 at 0, then 4–10 alternate 50/150: mean 600/7 over the last 7 days.
    spend(c, {d: ("50" if d % 2 else "150") for d in range(4, 11)})

    p = pacing_of(c, TODAY)

    # Days 4..10: 150,50,150,50,150,50,150 → sum 750, mean 107.142857…
    assert p.actual == D("750.00")
    assert p.run_rate == D("107.14")
    assert p.forecast == D("2892.86")  # 750 + 750/7 × 20
    # s² = (Σx² − (Σx)²/n)/(n−1) = (97500 − 80357.142857)/6 = 2857.142857
    # spread = 1.96 × sqrt(s² × (20 + 400/7)) = 1.96 × sqrt(220408.163) = 920.174 around 2892.857
    assert p.forecast_low == D("1972.68")
    assert p.forecast_high == D("3813.03")
    assert p.state == PacingState.UNDER


def test_states_before_after_and_without_a_plan(world: World) -> None:
    acc = account(world)
    before = campaign(acc, "before", starts_on=date(2026, 12, 1), ends_on=date(2026, 12, 31))
    after = campaign(acc, "after", starts_on=date(2026, 10, 1), ends_on=date(2026, 10, 31))
    no_budget = campaign(acc, "none", total_budget=None)
    spend(after, {})
    AdDay.objects.create(
        workspace=world.a, campaign=after, day=date(2026, 10, 5), spend=D("40"), origin="api"
    )

    got = pacing_many([before, after, no_budget], TODAY)

    assert got[before.pk].state == PacingState.NOT_STARTED
    assert got[before.pk].expected == D("0.00")
    assert got[after.pk].state == PacingState.ENDED
    assert (got[after.pk].forecast, got[after.pk].projected) == (D("40.00"), D("-2960.00"))
    assert got[no_budget.pk].state == PacingState.NO_BUDGET
    assert got[no_budget.pk].projected is None


def test_a_daily_budget_alone_makes_the_flight_budget(world: World) -> None:
    c = campaign(account(world), total_budget=None, daily_budget=D("50"))
    spend(c, dict.fromkeys(range(1, 11), "50"))

    p = pacing_of(c, TODAY)

    assert (p.budget, p.expected, p.state) == (D("1500"), D("500.00"), PacingState.ON_PACE)


def test_one_day_in_gives_no_interval_from_one_point(world: World) -> None:
    c = campaign(account(world))
    p = compute(c, date(2026, 11, 2), actual=D("80"), recent_sum=D("80"), recent_squares=D("6400"))
    assert (p.run_rate, p.forecast, p.forecast_low, p.forecast_high) == (
        D("80.00"),
        D("2400.00"),
        D("2400.00"),
        D("2400.00"),
    )
    assert p.state == PacingState.UNDER


@pytest.mark.parametrize("n", [10, 300])
def test_many_campaigns_take_one_query(world: World, n: int) -> None:
    acc = account(world)
    cs = PaidCampaign.objects.bulk_create(
        PaidCampaign(
            workspace=world.a,
            ad_account=acc,
            name=f"c{i}",
            total_budget=D("3000"),
            starts_on=date(2026, 11, 1),
            ends_on=date(2026, 11, 30),
        )
        for i in range(n)
    )
    AdDay.objects.bulk_create(
        AdDay(
            workspace=world.a,
            campaign=c,
            day=TODAY - timedelta(days=k),
            spend=D("100"),
            origin="api",
        )
        for c in cs
        for k in range(1, 11)
    )
    cs = list(PaidCampaign.objects.filter(ad_account=acc))

    with CaptureQueriesContext(connection) as ctx:
        got = pacing_many(cs, TODAY)

    assert len(ctx.captured_queries) == 1
    assert len(got) == n
    assert {p.state for p in got.values()} == {PacingState.ON_PACE}
    assert {p.actual for p in got.values()} == {D("1000.00")}
