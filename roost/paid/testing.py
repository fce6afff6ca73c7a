"""Test data for paid media, stored directly: sample objects per workspace for the
route-walking suites (roost/web/tests/test_isolation.py, the API isolation and fuzz
suites: `samples(workspace, marker)` gives a value for each paid URL parameter, `marker`
in their names so a leak is visible) and small builders for page and API tests."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from roost.channels.models import Channel
from roost.paid.models import (
    AdAccount,
    AdDay,
    AdSource,
    Boost,
    BoostStatus,
    Experiment,
    ExperimentStatus,
    ImportRun,
    ImportStatus,
    PaidCampaign,
    Variant,
    VariantDay,
)
from roost.publishing.models import Post
from roost.workspaces.models import Workspace


def sandbox_ad_account(workspace: Workspace, marker: str = "") -> AdAccount:
    """A Sandbox Ads account of the workspace, on its first Sandbox channel (the same one
    when asked for twice)."""
    channel = Channel.objects.filter(workspace=workspace, network="sandbox").order_by("pk").first()
    found, _made = AdAccount.objects.get_or_create(
        workspace=workspace,
        source=AdSource.SANDBOX,
        external_id=f"act_sample_{workspace.pk}",
        defaults={"name": f"Sandbox Ads {marker}".strip(), "currency": "EUR", "channel": channel},
    )
    return found


def ad_account(
    workspace: Workspace, name: str = "Meta Ads", currency: str = "EUR", source: str = "meta"
) -> AdAccount:
    """The workspace's ad account `name` (made once)."""
    found, _made = AdAccount.objects.get_or_create(
        workspace=workspace, name=name, defaults={"currency": currency, "source": source}
    )
    return found


def import_run(account: AdAccount, marker: str = "") -> ImportRun:
    """A failed import into `account` (made once): nothing left to import, so a POST to
    import it again answers without touching any file."""
    found, _made = ImportRun.objects.get_or_create(
        workspace_id=account.workspace_id,
        ad_account=account,
        filename=f"isolation {marker}.csv".strip(),
        defaults={
            "source": AdSource.META,
            "status": ImportStatus.FAILED,
            "error": f"Row 2, column Day: “x {marker}” is not a date.".strip(),
        },
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


def sample_boost(workspace: Workspace, marker: str = "") -> Boost:
    """A boost waiting for approval, of the workspace's first post on its first channel
    (made once), through the workspace's sample Sandbox Ads account."""
    found = Boost.objects.filter(workspace=workspace).order_by("pk").first()
    if found is not None:
        return found
    channel = Channel.objects.filter(workspace=workspace).order_by("pk").first()
    post = Post.objects.filter(workspace=workspace).order_by("pk").first()
    assert channel is not None and post is not None, "the workspace needs a channel and a post"
    account = sandbox_ad_account(workspace, marker)
    if account.channel_id is None:
        account.channel = channel
        account.save(update_fields=["channel"])
    return Boost.objects.create(
        workspace=workspace,
        post=post,
        channel=channel,
        ad_account=account,
        budget=Decimal("150.00"),
        days=7,
        audience={"countries": ["PL"], "age_min": 18, "age_max": 65, "interests": []},
        status=BoostStatus.IN_REVIEW,
    )


def sample_experiment(workspace: Workspace, marker: str = "") -> Experiment:
    """A running organic A/B test with two versions and a day of counts (made once)."""
    found, made = Experiment.objects.get_or_create(
        workspace=workspace,
        name=f"Isolation test {marker}".strip(),
        defaults={
            "kind": "organic",
            "metric": "ctr",
            "baseline_rate": 0.02,
            "min_effect": 0.2,
            "planned_per_variant": 21000,
            "status": ExperimentStatus.RUNNING,
        },
    )
    if made:
        for label, successes in (("A", 20), ("B", 26)):
            variant = Variant.objects.create(
                experiment=found, label=label, text=f"Version {label} {marker}".strip()
            )
            VariantDay.objects.create(
                variant=variant, day=date(2031, 3, 20), trials=1000, successes=successes
            )
    return found


def samples(workspace: Workspace, marker: str = "") -> dict[str, int]:
    """URL kwarg → the id of a sample object of the workspace (made once per workspace)."""
    manual = ad_account(workspace, f"Isolation ads {marker}".strip())
    return {
        "ad_account_id": sandbox_ad_account(workspace, marker).pk,
        "import_id": import_run(manual, marker).pk,
        "paid_campaign_id": paid_campaign(manual, f"Isolation campaign {marker}".strip()).pk,
        "boost_id": sample_boost(workspace, marker).pk,
        "experiment_id": sample_experiment(workspace, marker).pk,
    }
