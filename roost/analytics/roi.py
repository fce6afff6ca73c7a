"""Return on investment, per campaign and overall, with the assumptions shown.

    value = leads × value per lead + conversion value + clicks × value per click
    cost  = paid spend (when recorded) + production cost
    ROI   = (value − cost) ÷ cost × 100 %   (none when there is no cost)

Leads are the inbox's Lead tasks created in the period, attributed to a campaign when the
message answers a post of that campaign. Clicks are the networks' clicks plus Roost short
link clicks on posts published in the period. Conversions are imported (CSV or API).
Production cost is one figure per campaign (not spread over days); the overall cost adds
up every campaign's. Paid spend comes from the paid-media app (docs/paid.md), in the ROI
currency through its explicit rates; what it leaves out for want of a rate is named.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from roost.analytics.models import CampaignCost, ChannelDay, Conversion, PostMetrics, RoiSettings
from roost.analytics.selectors import Period
from roost.inbox.selectors import lead_counts
from roost.publishing.models import Campaign
from roost.workspaces.models import Workspace

ZERO = Decimal("0")
CENTS = Decimal("0.01")

# Paid spend: a source (the paid-media app, issue 14) registers a function returning the
# spend in the period for the workspace or one campaign, or None when it has none.
SpendSource = Callable[[Workspace, Period, Campaign | None], Decimal | None]
_SPEND_SOURCES: list[SpendSource] = []


def register_spend_source(fn: SpendSource) -> None:
    if fn not in _SPEND_SOURCES:
        _SPEND_SOURCES.append(fn)


# What a source left out of its spend (e.g. a currency with no rate), in sentences.
SpendNotes = Callable[[Workspace, Period, Campaign | None], list[str]]
_SPEND_NOTES: list[SpendNotes] = []


def register_spend_notes(fn: SpendNotes) -> None:
    if fn not in _SPEND_NOTES:
        _SPEND_NOTES.append(fn)


def paid_spend_notes(workspace: Workspace, period: Period, campaign: Campaign | None) -> list[str]:
    """What the paid spend leaves out and why (shown beside it)."""
    return [note for fn in _SPEND_NOTES for note in fn(workspace, period, campaign)]


def paid_spend(workspace: Workspace, period: Period, campaign: Campaign | None) -> Decimal | None:
    """Paid spend in the period, or None: no paid spend recorded (no source yet)."""
    found = [s for s in (fn(workspace, period, campaign) for fn in _SPEND_SOURCES) if s is not None]
    return sum(found, ZERO) if found else None


def plain(amount: Decimal) -> str:
    """An amount as people write it: at least two decimals, no trailing zeros beyond
    (0.1 → "0.10", 0.0125 → "0.0125", 25 → "25.00")."""
    q = amount.normalize()
    exponent = q.as_tuple().exponent
    if isinstance(exponent, int) and exponent > -2:
        q = amount.quantize(CENTS)
    return format(q, "f")


def settings_for(workspace: Workspace) -> RoiSettings:
    """The workspace's ROI assumptions (defaults, unsaved, when never set)."""
    found = RoiSettings.objects.filter(workspace=workspace).first()
    return found if found is not None else RoiSettings(workspace=workspace)


@dataclass
class Roi:
    """One line of the ROI table: the inputs, the assumptions used and the result."""

    label: str
    campaign: Campaign | None
    leads: int = 0
    clicks: int = 0  # network clicks + short-link clicks
    network_clicks: int = 0
    link_clicks: int = 0
    conversions: int = 0
    conversion_value: Decimal = ZERO
    value_per_lead: Decimal = ZERO
    value_per_click: Decimal = ZERO
    paid_spend: Decimal | None = None
    production_cost: Decimal = ZERO
    parts: dict[str, Decimal] = field(default_factory=dict)

    @property
    def value_per_click_shown(self) -> str:
        return plain(self.value_per_click)

    @property
    def lead_value(self) -> Decimal:
        return (self.value_per_lead * self.leads).quantize(CENTS)

    @property
    def click_value(self) -> Decimal:
        return (self.value_per_click * self.clicks).quantize(CENTS)

    @property
    def value(self) -> Decimal:
        return self.lead_value + self.conversion_value + self.click_value

    @property
    def cost(self) -> Decimal:
        return (self.paid_spend or ZERO) + self.production_cost

    @property
    def roi_percent(self) -> Decimal | None:
        """(value − cost) ÷ cost × 100, to one decimal; None when there is no cost."""
        if self.cost <= 0:
            return None
        return ((self.value - self.cost) / self.cost * 100).quantize(Decimal("0.1"))


def _bounds(workspace: Workspace, period: Period) -> tuple[datetime, datetime]:
    zone = workspace.tzinfo
    start = datetime.combine(period.start, time.min, tzinfo=zone)
    end = datetime.combine(period.end + timedelta(days=1), time.min, tzinfo=zone)
    return start, end


def roi_report(workspace: Workspace, period: Period) -> tuple[Roi, list[Roi]]:
    """Overall, then one line per campaign of the workspace (by name). A fixed number of
    queries, whatever the number of campaigns."""
    s = settings_for(workspace)
    start, end = _bounds(workspace, period)
    leads = lead_counts(workspace.pk, start, end)
    in_period = Q(day__gte=period.start, day__lte=period.end)

    conversions = {
        row["campaign_id"]: row
        for row in Conversion.objects.filter(in_period, workspace=workspace)
        .values("campaign_id")
        .annotate(n=Coalesce(Sum("count"), 0), v=Coalesce(Sum("value"), ZERO))
    }
    clicks = {
        row["post__campaign_id"]: row
        for row in PostMetrics.objects.filter(in_period, workspace=workspace)
        .values("post__campaign_id")
        .annotate(c=Coalesce(Sum("clicks"), 0), lc=Coalesce(Sum("link_clicks"), 0), n=Count("pk"))
    }
    overall_clicks = ChannelDay.objects.filter(in_period, workspace=workspace).aggregate(
        c=Coalesce(Sum("clicks"), 0), lc=Coalesce(Sum("link_clicks"), 0)
    )
    costs = {
        c.campaign_id: c.production_cost for c in CampaignCost.objects.filter(workspace=workspace)
    }

    def line(label: str, campaign: Campaign | None) -> Roi:
        return Roi(
            label=label,
            campaign=campaign,
            value_per_lead=s.value_per_lead,
            value_per_click=s.value_per_click,
            paid_spend=paid_spend(workspace, period, campaign),
        )

    overall = line(_("All posts"), None)
    overall.leads = sum(leads.values())
    overall.network_clicks = int(overall_clicks["c"])
    overall.link_clicks = int(overall_clicks["lc"])
    overall.conversions = sum(int(r["n"]) for r in conversions.values())
    overall.conversion_value = sum((Decimal(r["v"]) for r in conversions.values()), ZERO)
    overall.production_cost = sum(costs.values(), ZERO)

    lines = []
    for campaign in Campaign.objects.filter(workspace=workspace).order_by("name", "pk"):
        r = line(campaign.name, campaign)
        r.leads = leads.get(campaign.pk, 0)
        c = clicks.get(campaign.pk)
        if c is not None:
            r.network_clicks, r.link_clicks = int(c["c"]), int(c["lc"])
        conv = conversions.get(campaign.pk)
        if conv is not None:
            r.conversions, r.conversion_value = int(conv["n"]), Decimal(conv["v"])
        r.production_cost = costs.get(campaign.pk, ZERO)
        lines.append(r)
    for r in (overall, *lines):
        r.clicks = r.network_clicks + r.link_clicks
        r.conversion_value = Decimal(r.conversion_value).quantize(CENTS)
    return overall, lines
