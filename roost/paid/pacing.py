"""Pacing: is a paid campaign spending its budget at the planned speed?

Pure arithmetic over a campaign's plan plus ONE aggregate query for many campaigns
(`pacing_many`). The rules (docs/paid.md, "Pacing"):

- "To date" is through yesterday: today's figures are never complete.
- The budget is the total budget, or the daily budget × the days of the flight.
- Expected spend to date: linear over the flight (budget × elapsed days ÷ flight days).
- State: NOT_STARTED before the first day, ENDED after the last, NO_BUDGET without a budget
  or flight dates; in flight, ON_PACE within ±10 % of the expected spend (`TOLERANCE`),
  UNDER below, OVER above.
- Forecast at the end of the flight: spend to date + the recent run-rate (the mean daily
  spend over the last 7 days of the flight so far, days without figures count as 0) × the
  days left, with a 95 % interval from the day-to-day variation of those days (the
  remaining days' sum varies as R·s² and the run-rate's error adds R²·s²/n).
- Projected over/under: forecast − budget (positive: over budget).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from django.db.models import DecimalField, F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from roost.paid.models import AdDay, PaidCampaign

ZERO = Decimal("0")
CENTS = Decimal("0.01")
TOLERANCE = Decimal("0.10")  # ±10 % of the expected spend is on pace
RECENT_DAYS = 7
Z95 = Decimal("1.96")


class PacingState(StrEnum):
    ON_PACE = "on_pace"
    UNDER = "under"
    OVER = "over"
    NOT_STARTED = "not_started"
    ENDED = "ended"
    NO_BUDGET = "no_budget"

    @property
    def label(self) -> str:
        return str(STATE_LABELS[self])


STATE_LABELS = {
    PacingState.ON_PACE: _("On pace"),
    PacingState.UNDER: _("Under pace"),
    PacingState.OVER: _("Over pace"),
    PacingState.NOT_STARTED: _("Not started"),
    PacingState.ENDED: _("Ended"),
    PacingState.NO_BUDGET: _("No budget"),
}

# The states worth an alert.
OFF_PACE = frozenset({PacingState.UNDER, PacingState.OVER})


@dataclass(frozen=True)
class Pacing:
    """One campaign's pacing on a day; amounts in the ad account's currency."""

    state: PacingState
    budget: Decimal | None  # the whole flight's budget
    flight_days: int
    elapsed_days: int  # days of the flight before today
    expected: Decimal  # expected spend to date
    actual: Decimal  # actual spend to date (through yesterday)
    run_rate: Decimal  # mean daily spend over the recent days
    forecast: Decimal  # spend at the end of the flight at the run-rate
    forecast_low: Decimal
    forecast_high: Decimal
    projected: Decimal | None  # forecast − budget: > 0 over, < 0 under

    @property
    def remaining_days(self) -> int:
        return self.flight_days - self.elapsed_days

    @property
    def ratio(self) -> Decimal | None:
        """Actual ÷ expected spend to date (None before anything was expected)."""
        return (self.actual / self.expected) if self.expected else None


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENTS, rounding=ROUND_HALF_UP)


def flight_budget(campaign: PaidCampaign) -> Decimal | None:
    """The whole flight's budget: the total, or the daily budget × the flight's days."""
    if campaign.total_budget is not None:
        return Decimal(campaign.total_budget)
    if campaign.daily_budget is not None and campaign.starts_on and campaign.ends_on:
        days = (campaign.ends_on - campaign.starts_on).days + 1
        return Decimal(campaign.daily_budget) * days
    return None


def state_for(expected: Decimal, actual: Decimal) -> PacingState:
    """On pace within ±TOLERANCE of the expected spend, else under or over."""
    if actual < expected * (1 - TOLERANCE):
        return PacingState.UNDER
    if actual > expected * (1 + TOLERANCE):
        return PacingState.OVER
    return PacingState.ON_PACE


def compute(
    campaign: PaidCampaign,
    today: date,
    *,
    actual: Decimal,
    recent_sum: Decimal,
    recent_squares: Decimal,
) -> Pacing:
    """Pacing from the plan and the aggregates: spend to date, and the sum and sum of
    squares of daily spend over the recent window (see `recent_window`)."""
    actual = _cents(actual)
    budget = flight_budget(campaign)
    start, end = campaign.starts_on, campaign.ends_on
    if budget is None or start is None or end is None or end < start:
        return Pacing(
            PacingState.NO_BUDGET, budget, 0, 0, ZERO, actual, ZERO, actual, actual, actual, None
        )
    flight_days = (end - start).days + 1
    elapsed = min(max((today - start).days, 0), flight_days)
    expected = _cents(budget * elapsed / flight_days)
    remaining = flight_days - elapsed
    if elapsed == 0:
        state = PacingState.NOT_STARTED
    elif remaining == 0:
        state = PacingState.ENDED
    else:
        state = state_for(expected, actual)
    n = min(elapsed, RECENT_DAYS)
    if n == 0 or remaining == 0:
        rate = ZERO
        low = high = forecast = actual
    else:
        rate = recent_sum / n
        forecast = actual + rate * remaining
        if n > 1:
            variance = max((recent_squares - recent_sum * recent_sum / n) / (n - 1), ZERO)
        else:
            variance = ZERO
        spread = Z95 * (variance * (remaining + Decimal(remaining * remaining) / n)).sqrt()
        low = max(forecast - spread, actual)
        high = forecast + spread
    return Pacing(
        state=state,
        budget=budget,
        flight_days=flight_days,
        elapsed_days=elapsed,
        expected=expected,
        actual=actual,
        run_rate=_cents(rate),
        forecast=_cents(forecast),
        forecast_low=_cents(low),
        forecast_high=_cents(high),
        projected=_cents(forecast - budget),
    )


def recent_window(today: date) -> tuple[date, date]:
    """The recent run-rate's days: the 7 days before today (clipped to the flight)."""
    return today - timedelta(days=RECENT_DAYS), today - timedelta(days=1)


def pacing_many(campaigns: Sequence[PaidCampaign], today: date) -> dict[int, Pacing]:
    """Pacing of each campaign (by id) on `today`, in one aggregate query."""
    if not campaigns:
        return {}
    first, last = recent_window(today)
    money = DecimalField(max_digits=30, decimal_places=4)
    # Days before the flight's first day are spend to date but not part of its run-rate.
    in_window = Q(day__gte=first, day__lte=last) & Q(day__gte=F("campaign__starts_on"))
    rows = (
        AdDay.objects.filter(campaign_id__in=[c.pk for c in campaigns], day__lt=today)
        .values("campaign_id")
        .annotate(
            actual=Coalesce(Sum("spend", output_field=money), ZERO, output_field=money),
            recent_sum=Coalesce(
                Sum("spend", filter=in_window, output_field=money), ZERO, output_field=money
            ),
            recent_squares=Coalesce(
                Sum(F("spend") * F("spend"), filter=in_window, output_field=money),
                ZERO,
                output_field=money,
            ),
        )
        .order_by()
    )
    found = {r["campaign_id"]: r for r in rows}
    out: dict[int, Pacing] = {}
    for c in campaigns:
        r = found.get(c.pk)
        out[c.pk] = compute(
            c,
            today,
            actual=Decimal(r["actual"]) if r else ZERO,
            recent_sum=Decimal(r["recent_sum"]) if r else ZERO,
            recent_squares=Decimal(r["recent_squares"]) if r else ZERO,
        )
    return out


def pacing_of(campaign: PaidCampaign, today: date) -> Pacing:
    """One campaign's pacing."""
    return pacing_many([campaign], today)[campaign.pk]
