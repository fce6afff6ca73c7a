"""Money across ad accounts: the reporting currency and explicit conversion rates.

Amounts are Decimal in the ad account's own currency. Converting needs a rate the
workspace set by hand (`CurrencyRate`); without one the answer is None, never a guess, and
figures in different currencies are never added up silently.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from roost.paid.models import CurrencyRate, PaidSettings
from roost.workspaces.models import Workspace

CENTS = Decimal("0.01")


def paid_settings(workspace: Workspace) -> PaidSettings:
    """The workspace's paid settings (created with the defaults on first use)."""
    found, _ = PaidSettings.objects.get_or_create(workspace=workspace)
    return found


def rates(workspace: Workspace) -> dict[str, Decimal]:
    """currency → units of the reporting currency per unit; the reporting currency is 1."""
    table = dict(CurrencyRate.objects.filter(workspace=workspace).values_list("currency", "rate"))
    table[paid_settings(workspace).currency] = Decimal(1)
    return table


def convert(amount: Decimal, currency: str, table: dict[str, Decimal]) -> Decimal | None:
    """`amount` in `currency`, in the reporting currency of `table` (from `rates`), rounded
    to cents; None when the workspace set no rate for that currency."""
    rate = table.get(currency)
    if rate is None:
        return None
    return (amount * rate).quantize(CENTS, rounding=ROUND_HALF_UP)
