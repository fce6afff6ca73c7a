"""Paid spend for analytics' ROI (registered in PaidConfig.ready()): the spend in a period,
for the workspace or one organic campaign, in the ROI currency through paid's explicit
rates. Spend in a currency without a rate is left out — and named (`roi_notes`)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import DecimalField, Sum
from django.db.models.functions import Coalesce

from roost.analytics.roi import settings_for
from roost.analytics.selectors import Period
from roost.paid.models import AdDay
from roost.paid.money import rates
from roost.paid.reporting import Converted, spend_by_currency, total_in
from roost.publishing.models import Campaign
from roost.workspaces.models import Workspace

ZERO = Decimal(0)
MONEY = DecimalField(max_digits=20, decimal_places=2)


def converted_spend(workspace: Workspace, period: Period, campaign: Campaign | None) -> Converted:
    """The paid spend in the period (all of it, or the organic campaign's) in ROI's currency."""
    found = spend_by_currency(
        workspace,
        period.start,
        period.end,
        organic_campaign_id=campaign.pk if campaign is not None else None,
    )
    return total_in(found, settings_for(workspace).currency, rates(workspace) if found else {})


def roi_spend(workspace: Workspace, period: Period, campaign: Campaign | None) -> Decimal | None:
    """ROI's spend source: None when there is no paid spend at all, or none with a rate."""
    found = converted_spend(workspace, period, campaign)
    return found.amount if found.included else None


def roi_spend_table(workspace: Workspace, period: Period) -> dict[int | None, Decimal]:
    """The same spend for the workspace (key None) and every linked organic campaign, in
    three queries: ROI's table costs the same for one campaign or many."""
    rows = (
        AdDay.objects.filter(workspace=workspace, day__gte=period.start, day__lte=period.end)
        .values("campaign__campaign_id", "campaign__ad_account__currency")
        .annotate(total=Coalesce(Sum("spend"), ZERO, output_field=MONEY))
        .order_by()
    )
    by_campaign: dict[int | None, dict[str, Decimal]] = {}
    for r in rows:
        code, amount = r["campaign__ad_account__currency"], Decimal(r["total"])
        for key in {None, r["campaign__campaign_id"]}:
            bucket = by_campaign.setdefault(key, {})
            bucket[code] = bucket.get(code, ZERO) + amount
    if not by_campaign:
        return {}
    target, table = settings_for(workspace).currency, rates(workspace)
    out = {}
    for key, found in by_campaign.items():
        converted = total_in(found, target, table)
        if converted.included:
            out[key] = converted.amount
    return out


def roi_notes(workspace: Workspace, period: Period, campaign: Campaign | None) -> list[str]:
    """What the spend above leaves out for want of a rate."""
    return converted_spend(workspace, period, campaign).notes()
