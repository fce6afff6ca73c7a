"""Budget planning: what budget reaches a goal of N impressions, clicks or conversions?

From the ad account's own days (AdDay, the 90 days before today, summed over its campaigns
— or those of one objective): the cost per unit is a ratio estimator, Σ spend ÷ Σ units
(× 1,000 for impressions: the CPM), and its 95 % interval comes from a bootstrap over the
days (2,000 resamples of the days with spend, a fixed seed, so the same history gives the
same answer). The budget is goal × cost per unit, with the same interval. With fewer than
7 days with spend, or fewer units than the minimum (1,000 impressions, 30 clicks, 10
conversions), the answer is "not enough data", naming what is missing. docs/paid.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
from django.db.models import DecimalField, Sum
from django.db.models.functions import Coalesce
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from roost.paid.models import AdAccount, AdDay

HISTORY_DAYS = 90
MIN_DAYS = 7
RESAMPLES = 2000
SEED = 14
CENTS = Decimal("0.01")


@dataclass(frozen=True)
class Unit:
    field: str  # AdDay's column
    label: Promise
    per: int  # cost per `per` units (1,000 for impressions)
    minimum: int  # fewer in the history: not enough data
    cost_name: str  # CPM, CPC, CPA


UNITS = {
    "impressions": Unit("impressions", _lazy("impressions"), 1000, 1000, "CPM"),
    "clicks": Unit("clicks", _lazy("clicks"), 1, 30, "CPC"),
    "conversions": Unit("conversions", _lazy("conversions"), 1, 10, "CPA"),
}


@dataclass
class Estimate:
    """The cost per unit and the budget for the goal, each with a 95 % interval, in the
    account's currency; `missing` lists why there is not enough data (then no figures)."""

    unit: str
    goal: int
    currency: str
    first: date
    last: date
    days_with_spend: int = 0
    spend: Decimal = Decimal(0)
    units: Decimal = Decimal(0)
    cost: Decimal | None = None  # per `Unit.per` units
    cost_low: Decimal | None = None
    cost_high: Decimal | None = None
    budget: Decimal | None = None
    budget_low: Decimal | None = None
    budget_high: Decimal | None = None
    missing: list[str] = field(default_factory=list)

    @property
    def enough(self) -> bool:
        return not self.missing

    @property
    def cost_name(self) -> str:
        return UNITS[self.unit].cost_name


def _money(value: float) -> Decimal:
    return Decimal(repr(value)).quantize(CENTS, rounding=ROUND_HALF_UP)


def history(
    account: AdAccount, unit: str, today: date, objective: str = ""
) -> list[tuple[date, Decimal, Decimal]]:
    """(day, spend, units) per day of the account's last 90 days with spend (one query)."""
    rows = AdDay.objects.filter(
        campaign__ad_account=account,
        day__gte=today - timedelta(days=HISTORY_DAYS),
        day__lt=today,
    )
    if objective:
        rows = rows.filter(campaign__objective=objective)
    money = DecimalField(max_digits=20, decimal_places=2)
    found = (
        rows.values("day")
        .annotate(
            s=Coalesce(Sum("spend"), Decimal(0), output_field=money),
            u=Coalesce(Sum(UNITS[unit].field), 0, output_field=money),
        )
        .order_by("day")
    )
    return [(r["day"], Decimal(r["s"]), Decimal(r["u"])) for r in found if r["s"] > 0]


def estimate(
    account: AdAccount, *, goal: int, unit: str, today: date, objective: str = ""
) -> Estimate:
    """What budget reaches `goal` units on this account, from its own history."""
    u = UNITS[unit]
    days = history(account, unit, today, objective)
    out = Estimate(
        unit=unit,
        goal=goal,
        currency=account.currency,
        first=today - timedelta(days=HISTORY_DAYS),
        last=today - timedelta(days=1),
        days_with_spend=len(days),
        spend=sum((s for _d, s, _u in days), Decimal(0)).quantize(CENTS),
        units=sum((n for _d, _s, n in days), Decimal(0)),
    )
    if len(days) < MIN_DAYS:
        out.missing.append(
            _("Only %(n)d days with spend in the last %(h)d days; at least %(m)d are needed.")
            % {"n": len(days), "h": HISTORY_DAYS, "m": MIN_DAYS}
        )
    if out.units < u.minimum:
        out.missing.append(
            _("Only %(n)s %(unit)s in the last %(h)d days; at least %(m)d are needed.")
            % {"n": out.units.normalize(), "unit": u.label, "h": HISTORY_DAYS, "m": u.minimum}
        )
    if out.missing:
        return out
    spend = np.array([float(s) for _d, s, _u in days])
    units = np.array([float(n) for _d, _s, n in days])
    rng = np.random.default_rng(SEED)
    picks = rng.integers(0, len(days), size=(RESAMPLES, len(days)))
    sampled_units = units[picks].sum(axis=1)
    ok = sampled_units > 0
    ratios = spend[picks].sum(axis=1)[ok] / sampled_units[ok] * u.per
    low, high = np.percentile(ratios, [2.5, 97.5])
    cost = out.spend / out.units * u.per
    out.cost = cost.quantize(CENTS, rounding=ROUND_HALF_UP)
    out.cost_low, out.cost_high = _money(float(low)), _money(float(high))
    scale = Decimal(goal) / u.per
    out.budget = (cost * scale).quantize(CENTS, rounding=ROUND_HALF_UP)
    out.budget_low = (Decimal(repr(float(low))) * scale).quantize(CENTS, rounding=ROUND_HALF_UP)
    out.budget_high = (Decimal(repr(float(high))) * scale).quantize(CENTS, rounding=ROUND_HALF_UP)
    return out
