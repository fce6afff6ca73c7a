"""Test data for paid media, stored directly: an ad account and a paid campaign with days
per workspace for the route-walking suites (samples) and the page and API tests."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from roost.paid.models import AdAccount, AdDay, PaidCampaign
from roost.workspaces.models import Workspace


def ad_account(
    workspace: Workspace, name: str = "Meta Ads", currency: str = "EUR", source: str = "meta"
) -> AdAccount:
    """The workspace's ad account `name` (made once)."""
    found, _made = AdAccount.objects.get_or_create(
        workspace=workspace, name=name, defaults={"currency": currency, "source": source}
    )
    return found


def paid_campaign(
    account: AdAccount,
    name: str = "Winter ads",
    *,
    total_budget: Decimal | None = Decimal("3000"),
    starts_on: date | None = date(2026, 11, 1),
    ends_on: date | None = date(2026, 11, 30),
    **fields: object,
) -> PaidCampaign:
    """A paid campaign of the account (made once by name)."""
    found, _made = PaidCampaign.objects.get_or_create(
        workspace=account.workspace,
        ad_account=account,
        name=name,
        defaults={
            "total_budget": total_budget,
            "starts_on": starts_on,
            "ends_on": ends_on,
            **fields,
        },
    )
    return found


def ad_days(
    campaign: PaidCampaign,
    first: date,
    spends: list[str],
    *,
    impressions: int = 0,
    clicks: int = 0,
    conversions: str = "0",
    value: str = "0",
) -> list[AdDay]:
    """One AdDay per spend, from `first` on, with the same counts each day."""
    return AdDay.objects.bulk_create(
        AdDay(
            workspace_id=campaign.workspace_id,
            campaign=campaign,
            day=first + timedelta(days=i),
            spend=Decimal(s),
            impressions=impressions,
            clicks=clicks,
            conversions=Decimal(conversions),
            conversion_value=Decimal(value),
            origin="api",
        )
        for i, s in enumerate(spends)
    )


def samples(workspace: Workspace, marker: str = "") -> dict[str, int]:
    """URL parameter samples for the route-walking suites (made once); `marker` goes into
    their names, so a leak is visible."""
    account = ad_account(workspace, f"Isolation ads {marker}".strip())
    found = paid_campaign(account, f"Isolation campaign {marker}".strip())
    return {"paid_campaign_id": found.pk}
