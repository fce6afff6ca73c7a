"""Reads for the paid pages: campaigns with pacing, a campaign's days, the organic side."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from roost.analytics import roi
from roost.analytics.selectors import Period, post_metrics, totals_of
from roost.paid.metrics import Totals, totals_by_campaign
from roost.paid.models import AdAccount, PaidCampaign
from roost.paid.pacing import Pacing, pacing_many
from roost.workspaces.models import Workspace


@dataclass(frozen=True)
class Row:
    """One line of a campaign table."""

    campaign: PaidCampaign
    pacing: Pacing
    totals: Totals


def accounts(workspace: Workspace) -> list[AdAccount]:
    return list(AdAccount.objects.filter(workspace=workspace).order_by("name", "pk"))


def campaign_rows(workspace: Workspace, today: date, *, in_flight: bool = False) -> list[Row]:
    """Every campaign of the workspace (or those in flight) with pacing and totals; three
    queries whatever their number."""
    found = PaidCampaign.objects.filter(workspace=workspace).select_related("ad_account")
    if in_flight:
        found = found.filter(starts_on__lte=today, ends_on__gte=today)
    campaigns = list(found.order_by("name", "pk"))
    paces = pacing_many(campaigns, today)
    sums = totals_by_campaign([c.pk for c in campaigns])
    return [Row(c, paces[c.pk], sums.get(c.pk, Totals())) for c in campaigns]


def daily_spend(campaign: PaidCampaign, first: date, last: date) -> list[tuple[date, Decimal]]:
    """Spend per day over [first, last]; a day without figures is 0."""
    found = dict(campaign.days.filter(day__gte=first, day__lte=last).values_list("day", "spend"))
    days = (last - first).days + 1
    return [
        (first + timedelta(days=i), Decimal(found.get(first + timedelta(days=i), 0)))
        for i in range(max(days, 0))
    ]


@dataclass(frozen=True)
class Organic:
    """The organic half of the same campaign over the flight so far."""

    period: Period
    posts: int
    impressions: int | None
    engagements: int
    clicks: int | None
    roi: Any  # roost.analytics.roi.Roi | None


def organic(campaign: PaidCampaign, today: date) -> Organic | None:
    """Posts, impressions, engagements and clicks of the linked organic campaign in the
    flight (up to today), and its ROI line; None without a link or a flight."""
    if campaign.campaign_id is None or campaign.starts_on is None or campaign.ends_on is None:
        return None
    last = min(campaign.ends_on, today)
    if last < campaign.starts_on:
        last = campaign.starts_on
    period = Period(campaign.starts_on, last)
    workspace = campaign.workspace
    t = totals_of(post_metrics(workspace, period, campaign_id=campaign.campaign_id))
    _overall, lines = roi.roi_report(workspace, period)
    line = next((r for r in lines if r.campaign and r.campaign.pk == campaign.campaign_id), None)
    clicks = t.values.get("clicks")
    return Organic(
        period=period,
        posts=t.posts,
        impressions=t.values.get("impressions"),
        engagements=t.engagements,
        clicks=(clicks or 0) + t.link_clicks if clicks is not None or t.link_clicks else None,
        roi=line,
    )
