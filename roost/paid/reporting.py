"""Spend across ad accounts, in one currency, through the workspace's explicit rates.

Nothing is added up across currencies without a rate: `Converted.missing` names each
currency that had none, and its spend is left out of `amount` (and shown as such).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import DecimalField, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from roost.paid.models import AdDay
from roost.workspaces.models import Workspace

ZERO = Decimal("0")
CENTS = Decimal("0.01")


@dataclass
class Converted:
    """An amount in `currency`, and the spend (by currency) that had no rate."""

    currency: str
    amount: Decimal = ZERO
    missing: dict[str, Decimal] = field(default_factory=dict)
    included: list[str] = field(default_factory=list)  # the currencies added up
    any_spend: bool = False

    def notes(self) -> list[str]:
        """One sentence per currency left out."""
        return [
            _("%(code)s spend (%(amount)s %(code)s) not included: no rate set.")
            % {"code": code, "amount": amount}
            for code, amount in sorted(self.missing.items())
        ]


def convert_between(
    amount: Decimal, source: str, target: str, table: dict[str, Decimal]
) -> Decimal | None:
    """`amount` of `source` in `target`, both through the reporting currency's rates
    (`money.rates`); None when either has no rate."""
    if source == target:
        return amount
    a, b = table.get(source), table.get(target)
    if a is None or b is None or b == 0:
        return None
    return (amount * a / b).quantize(CENTS, rounding=ROUND_HALF_UP)


def spend_by_currency(
    workspace: Workspace,
    first: date | None,
    last: date | None,
    *,
    organic_campaign_id: int | None = None,
) -> dict[str, Decimal]:
    """Spend per account currency over [first, last] (one query)."""
    rows = AdDay.objects.filter(workspace=workspace)
    if first is not None:
        rows = rows.filter(day__gte=first)
    if last is not None:
        rows = rows.filter(day__lte=last)
    if organic_campaign_id is not None:
        rows = rows.filter(campaign__campaign_id=organic_campaign_id)
    money = DecimalField(max_digits=20, decimal_places=2)
    found = (
        rows.values("campaign__ad_account__currency")
        .annotate(total=Coalesce(Sum("spend"), ZERO, output_field=money))
        .order_by()
    )
    return {r["campaign__ad_account__currency"]: Decimal(r["total"]).quantize(CENTS) for r in found}


def total_in(by_currency: dict[str, Decimal], target: str, table: dict[str, Decimal]) -> Converted:
    """Add up spend per currency in `target`, leaving out (and naming) what had no rate."""
    out = Converted(currency=target, any_spend=bool(by_currency))
    for code, amount in sorted(by_currency.items()):
        value = convert_between(amount, code, target, table)
        if value is None:
            out.missing[code] = amount
        else:
            out.amount += value
            out.included.append(code)
    return out
