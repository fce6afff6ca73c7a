"""The demo's paid media: a Meta ad account (EUR) and three paid campaigns — traffic, sales
and leads for the story's organic campaign, Winter Blend 2026 — with 35 days of daily
figures written directly (the way an import would leave them), so the paid pages are alive
on first run: one campaign on pace, one under, one over. Deterministic: the same day gives
the same story. It waits for the story's campaign (and makes no organic campaign itself)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction

from roost.core import clock
from roost.paid.models import AdAccount, AdDay, AdSource, Objective, PaidCampaign
from roost.publishing.models import Campaign
from roost.workspaces.models import Workspace

ACCOUNT = "Demo Coffee Meta Ads"
DAYS_RUN = 35  # days of figures before today
DAYS_LEFT = 15  # days of the flight still to come
CENTS = Decimal("0.01")


@dataclass(frozen=True)
class Plan:
    name: str
    objective: str
    budget: Decimal  # the whole flight's
    speed: float  # actual daily spend ÷ planned daily spend
    cpm: float  # EUR per 1,000 impressions
    ctr: float  # clicks ÷ impressions
    conversion_rate: float  # conversions ÷ clicks
    order_value: float  # EUR per conversion


ORGANIC = "Winter Blend 2026"
PLANS = (
    Plan("Winter Blend — traffic", Objective.TRAFFIC, Decimal(5000), 1.0, 7.5, 0.014, 0.035, 28),
    Plan("Winter Blend — gift boxes", Objective.SALES, Decimal(7500), 0.7, 9.0, 0.011, 0.05, 42),
    Plan(
        "Winter Blend — barista workshops", Objective.LEADS, Decimal(2500), 1.3, 6, 0.009, 0.06, 35
    ),
)


def _days(campaign: PaidCampaign, plan: Plan, first: date, flight_days: int) -> list[AdDay]:
    rng = random.Random(f"demo-paid:{plan.name}:{first.isoformat()}")  # noqa: S311 - demo data
    daily = float(plan.budget) / flight_days * plan.speed
    rows = []
    for i in range(DAYS_RUN):
        spend = Decimal(str(daily * rng.uniform(0.85, 1.15))).quantize(CENTS)
        impressions = int(float(spend) / plan.cpm * 1000 * rng.uniform(0.9, 1.1))
        clicks = int(impressions * plan.ctr * rng.uniform(0.8, 1.2))
        conversions = int(clicks * plan.conversion_rate * rng.uniform(0.6, 1.4))
        value = Decimal(str(conversions * plan.order_value * rng.uniform(0.9, 1.1))).quantize(CENTS)
        rows.append(
            AdDay(
                workspace_id=campaign.workspace_id,
                campaign=campaign,
                day=first + timedelta(days=i),
                spend=spend,
                impressions=impressions,
                reach=int(impressions * 0.7),
                clicks=clicks,
                conversions=Decimal(conversions),
                conversion_value=value,
                origin="import",
            )
        )
    return rows


def seed_paid(workspace: Workspace, now: datetime | None = None) -> int:
    """Write the demo's ad account, paid campaigns and their days once; the days written
    (0 when the demo has them already, or before the story made its campaign)."""
    organic = Campaign.objects.filter(workspace=workspace, name=ORGANIC).first()
    if organic is None or AdAccount.objects.filter(workspace=workspace, name=ACCOUNT).exists():
        return 0
    today = (now or clock.now()).astimezone(workspace.tzinfo).date()
    first = today - timedelta(days=DAYS_RUN)
    last = today + timedelta(days=DAYS_LEFT - 1)
    flight_days = (last - first).days + 1
    written = 0
    with transaction.atomic():
        account = AdAccount.objects.create(
            workspace=workspace,
            name=ACCOUNT,
            source=AdSource.META,
            external_id="act_4815162342",
            currency="EUR",
        )
        for n, plan in enumerate(PLANS, start=1):
            campaign = PaidCampaign.objects.create(
                workspace=workspace,
                ad_account=account,
                name=plan.name,
                external_id=f"2384{n:03d}",
                objective=plan.objective,
                total_budget=plan.budget,
                starts_on=first,
                ends_on=last,
                campaign=organic,
            )
            written += len(AdDay.objects.bulk_create(_days(campaign, plan, first, flight_days)))
    return written
