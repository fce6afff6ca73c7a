"""A paid campaign's figures and the ratios people read them by.

    CPM  = spend ÷ impressions × 1000        CPC  = spend ÷ clicks
    CTR  = clicks ÷ impressions (%)          CPA  = spend ÷ conversions
    ROAS = conversion value ÷ spend

A ratio whose denominator is 0 is None (shown as "—"), never 0 or infinity.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import DecimalField, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from roost.paid.models import AdDay

ZERO = Decimal("0")
CENTS = Decimal("0.01")

FORMULAS = {
    "cpm": _("spend ÷ impressions × 1,000"),
    "cpc": _("spend ÷ clicks"),
    "ctr": _("clicks ÷ impressions"),
    "cpa": _("spend ÷ conversions"),
    "roas": _("conversion value ÷ spend"),
}


def _q(value: Decimal, places: str = "0.01") -> Decimal:
    return value.quantize(Decimal(places), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Totals:
    """Sums of a campaign's days; money in the ad account's currency."""

    spend: Decimal = ZERO
    impressions: int = 0
    clicks: int = 0
    conversions: Decimal = ZERO
    conversion_value: Decimal = ZERO

    @property
    def cpm(self) -> Decimal | None:
        return _q(self.spend * 1000 / self.impressions) if self.impressions else None

    @property
    def cpc(self) -> Decimal | None:
        return _q(self.spend / self.clicks) if self.clicks else None

    @property
    def ctr(self) -> Decimal | None:
        """Per cent, two decimals."""
        return _q(Decimal(self.clicks) * 100 / self.impressions) if self.impressions else None

    @property
    def cpa(self) -> Decimal | None:
        return _q(self.spend / self.conversions) if self.conversions else None

    @property
    def roas(self) -> Decimal | None:
        return _q(self.conversion_value / self.spend) if self.spend else None


def totals_by_campaign(
    campaign_ids: Iterable[int], first: date | None = None, last: date | None = None
) -> dict[int, Totals]:
    """Each campaign's sums over [first, last] (all days when not given), one query."""
    money = DecimalField(max_digits=20, decimal_places=2)
    rows = AdDay.objects.filter(campaign_id__in=list(campaign_ids))
    if first is not None:
        rows = rows.filter(day__gte=first)
    if last is not None:
        rows = rows.filter(day__lte=last)
    found = (
        rows.values("campaign_id")
        .annotate(
            spend=Coalesce(Sum("spend"), ZERO, output_field=money),
            impressions=Coalesce(Sum("impressions"), 0),
            clicks=Coalesce(Sum("clicks"), 0),
            conversions=Coalesce(Sum("conversions"), ZERO, output_field=money),
            conversion_value=Coalesce(Sum("conversion_value"), ZERO, output_field=money),
        )
        .order_by()
    )
    return {
        r["campaign_id"]: Totals(
            spend=_q(Decimal(r["spend"])),
            impressions=int(r["impressions"]),
            clicks=int(r["clicks"]),
            conversions=_q(Decimal(r["conversions"])),
            conversion_value=_q(Decimal(r["conversion_value"])),
        )
        for r in found
    }


def totals_of(campaign_id: int) -> Totals:
    """One campaign's sums over all its days."""
    return totals_by_campaign([campaign_id]).get(campaign_id, Totals())
