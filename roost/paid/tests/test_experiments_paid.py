"""Paid A/B tests against a running Sandbox: the split is created exactly once, its per-ad
figures arrive through the sync into VariantDay, and the rule's decision is recorded."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from roost.channels.models import Channel
from roost.channels.services import connect_with_form
from roost.conftest import World
from roost.core.exceptions import PermissionDenied, ValidationFailed
from roost.networks.base import AdInsight
from roost.networks.sandbox.testing import SandboxHandle
from roost.paid.models import AdAccount, Experiment, ExperimentStatus, VariantDay
from roost.paid.services import experiment_data
from roost.paid.services.experiments import (
    ExperimentInput,
    StartInput,
    experiment_create,
    experiment_start,
    split_key,
)
from roost.paid.services.sync import ad_accounts_connect, insights_sync
from roost.paid.tasks import launch_split_test
from roost.workspaces.models import AuditEntry

PLAN = ExperimentInput(
    name="Ad headline",
    kind="paid",
    metric="ctr",
    variants=["Fresh beans every morning", "Your Sunday coffee, delivered"],
    baseline_rate=0.02,
    min_effect=0.5,
)


@pytest.fixture
def channel(world: World, sandbox: SandboxHandle) -> Channel:
    return connect_with_form(
        actor=world.members["social_media_manager"],
        network="sandbox",
        fields={"name": "Coffee Sandbox"},
    )


@pytest.fixture
def account(world: World, channel: Channel) -> AdAccount:
    [found] = ad_accounts_connect(actor=world.members["paid_media"], channel=channel)
    return found


def _planned(world: World, account: AdAccount) -> Experiment:
    return experiment_create(
        actor=world.members["paid_media"], data=replace(PLAN, ad_account_id=account.pk)
    )


def _start(world: World, experiment: Experiment, role: str = "paid_media") -> Experiment:
    return experiment_start(
        actor=world.members[role],
        experiment=experiment,
        data=StartInput(budget=Decimal("2000.00"), days=10, countries=["pl", "DE"]),
    )


def test_the_split_is_created_once_however_often_it_is_launched(
    world: World,
    sandbox: SandboxHandle,
    account: AdAccount,
    django_capture_on_commit_callbacks: Any,
) -> None:
    experiment = _planned(world, account)
    with django_capture_on_commit_callbacks() as callbacks:
        started = _start(world, experiment)
    assert started.status == ExperimentStatus.RUNNING
    assert [c.func for c in callbacks] == [launch_split_test.enqueue]  # type: ignore[attr-defined]
    campaign = started.paid_campaign
    assert campaign is not None
    assert (campaign.total_budget, campaign.ad_account_id) == (Decimal("2000.00"), account.pk)
    assert (campaign.ends_on - campaign.starts_on).days == 9  # type: ignore[operator]

    # The task, a retry after a crash, and the job's relaunch: one split on the network.
    assert experiment_data.launch_split_test(experiment.pk, ["PL", "DE"]) is True
    Experiment.objects.filter(pk=experiment.pk).update(remote_id="")  # as if the write was lost
    assert experiment_data.launch_split_test(experiment.pk, ["PL", "DE"]) is True
    assert experiment_data.launch_split_test(experiment.pk) is True

    stats = sandbox.ads_stats()
    assert stats["split_tests"] == 1
    assert stats["created_by_key"]["split_test"] == {split_key(experiment): 1}
    experiment.refresh_from_db()
    assert experiment.remote_id
    campaign.refresh_from_db()
    assert campaign.external_id.startswith("cmp_")
    ads = dict(experiment.variants.values_list("label", "remote_id"))
    assert set(ads) == {"A", "B"} and all(ads.values())


def test_per_ad_figures_become_variant_days_and_a_decision(
    world: World, sandbox: SandboxHandle, account: AdAccount
) -> None:
    experiment = _planned(world, account)
    _start(world, experiment)
    assert experiment_data.launch_split_test(experiment.pk) is True
    ads = dict(experiment.variants.values_list("label", "remote_id"))
    sandbox.ads_control(ads={ads["A"]: {"ctr": 0.02}, ads["B"]: {"ctr": 0.04}})
    start = date.fromisoformat(sandbox.ads_stats()["today"])
    sandbox.ads_simulate(3)

    # The sync hands the ad rows to the handler PaidConfig.ready registered.
    counts = insights_sync(account=account, since=start, until=start + timedelta(days=10))
    assert counts.ad_rows == 6

    days = VariantDay.objects.filter(variant__experiment=experiment)
    assert days.count() == 6
    arms = {a.label: a for a in experiment_data.experiment_arms(experiment)}
    assert arms["A"].trials > 50_000 and arms["B"].trials > 50_000
    assert arms["B"].successes > arms["A"].successes

    assert experiment_data.experiments_check() == 1
    experiment.refresh_from_db()
    assert experiment.status == ExperimentStatus.DECIDED
    assert experiment.decision["winner"] == "B"
    lo, hi = experiment.decision["interval"]
    assert 0 < lo < hi
    # A second sync rewrites the same days, adding none.
    insights_sync(account=account, since=start, until=start + timedelta(days=10))
    assert VariantDay.objects.filter(variant__experiment=experiment).count() == 6


def test_insights_of_other_ads_are_ignored(world: World, account: AdAccount) -> None:
    experiment = _planned(world, account)
    row = AdInsight(
        campaign_id="cmp_x",
        day=date(2031, 3, 1),
        spend="1",
        impressions=100,
        clicks=3,
        ad_id="ad_x",
    )
    assert experiment_data.record_ad_insights(account, [row]) == 0
    assert not VariantDay.objects.filter(variant__experiment=experiment).exists()


def test_starting_a_paid_test_needs_the_right_to_spend_and_a_sound_budget(
    world: World, account: AdAccount, django_capture_on_commit_callbacks: Any
) -> None:
    experiment = experiment_create(
        actor=world.members["owner"],
        data=replace(PLAN, ad_account_id=account.pk),
    )
    with pytest.raises(ValidationFailed) as caught:
        experiment_start(
            actor=world.members["owner"],
            experiment=experiment,
            data=StartInput(budget=Decimal("0.5"), days=0, countries=["Poland"]),
        )
    assert set(caught.value.errors) == {"budget", "days", "countries"}
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(PermissionDenied):
        _start(world, experiment, "analyst")
    assert callbacks == []
    experiment.refresh_from_db()
    assert experiment.status == ExperimentStatus.DRAFT
    assert experiment.paid_campaign is None
    assert not AuditEntry.objects.filter(action="experiment.started").exists()
