"""Paid spend for analytics' ROI (registered in PaidConfig.ready()): the spend in a period,
for the workspace or one organic campaign, in the ROI currency through paid's explicit
rates. Spend in a currency without a rate is left out — and named (`roi_notes`)."""

from __future__ import annotations

from decimal import Decimal

from roost.analytics.roi import settings_for
from roost.analytics.selectors import Period
from roost.paid.money import rates
from roost.paid.reporting import Converted, spend_by_currency, total_in
from roost.publishing.models import Campaign
from roost.workspaces.models import Workspace


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


def roi_notes(workspace: Workspace, period: Period, campaign: Campaign | None) -> list[str]:
    """What the spend above leaves out for want of a rate."""
    return converted_spend(workspace, period, campaign).notes()
