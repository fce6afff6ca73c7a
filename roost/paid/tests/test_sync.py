"""Sandbox Ads sync against a real Sandbox: connecting ad accounts, upserting daily figures,
handing ad rows on, and one failing account never stopping the others."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from roost.channels.models import Channel, ChannelStatus
from roost.channels.services import connect_with_form, connector_open
from roost.conftest import World
from roost.core.exceptions import NotFound, PermissionDenied
from roost.networks.base import AdInsight, BoostRequest, Part, PublishRequest, SplitTestRequest
from roost.networks.sandbox.connector import SandboxConnector
from roost.networks.sandbox.testing import SandboxHandle
from roost.paid.models import AdAccount, AdDay, ImportRun, ImportStatus, PaidCampaign
from roost.paid.services import sync
from roost.paid.services.sync import (
    SyncFailed,
    ad_accounts_connect,
    ad_accounts_sync_all,
    insights_sync,
)
from roost.workspaces.models import AuditEntry


@pytest.fixture
def channels(world: World, sandbox: SandboxHandle) -> list[Channel]:
    manager = world.members["social_media_manager"]
    return [
        connect_with_form(actor=manager, network="sandbox", fields={"name": name})
        for name in ("Coffee Sandbox", "Tea Sandbox")
    ]


@pytest.fixture
def handled(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, list[AdInsight]]]:
    """The ad rows handed to a handler registered for the test."""
    calls: list[tuple[int, list[AdInsight]]] = []
    monkeypatch.setattr(sync, "_handlers", [])
    sync.on_ad_insights(lambda account, rows: calls.append((account.pk, rows)))
    return calls


def connector(channel: Channel) -> SandboxConnector:
    made = connector_open(channel).connector
    assert isinstance(made, SandboxConnector)
    return made


def split_test(channel: Channel, account: AdAccount, key: str = "s") -> dict[str, str]:
    result, made = connector(channel).create_split_test(
        SplitTestRequest(
            idempotency_key=key,
            account_id=account.external_id,
            name="Headline test",
            variants={"A": "Fresh beans", "B": "Sunday coffee"},
            budget="100.00",
            days=10,
        )
    )
    assert result.ok and made is not None
    return dict(made.ad_ids)


def today(sandbox: SandboxHandle) -> date:
    return date.fromisoformat(sandbox.ads_stats()["today"])


def test_connect_makes_one_account_per_channel_and_refreshes_it(
    world: World, sandbox: SandboxHandle, channels: list[Channel]
) -> None:
    actor = world.members["paid_media"]

    [account] = ad_accounts_connect(actor=actor, channel=channels[0])

    assert (account.source, account.external_id, account.currency, account.channel) == (
        "sandbox",
        "act_1",
        "EUR",
        channels[0],
    )
    assert account.name == "coffee-sandbox.sandbox Sandbox Ads"
    entry = AuditEntry.objects.get(action="paid.ad_accounts_connected")
    assert entry.data["accounts"] == [account.name]
    sandbox.ads_control(currency={"coffee-sandbox.sandbox": "PLN"})
    [again] = ad_accounts_connect(actor=actor, channel=channels[0])
    assert (again.pk, again.currency) == (account.pk, "PLN")
    assert AdAccount.objects.count() == 1


def test_connect_is_refused_to_those_who_may_not_manage_budgets(
    world: World, channels: list[Channel]
) -> None:
    with pytest.raises(PermissionDenied):
        ad_accounts_connect(actor=world.members["analyst"], channel=channels[0])
    with pytest.raises(NotFound):
        ad_accounts_connect(actor=world.b_owner, channel=channels[0])
    assert AdAccount.objects.count() == 0
    assert not AuditEntry.objects.filter(action="paid.ad_accounts_connected").exists()


def test_sync_upserts_days_creates_campaigns_and_hands_on_ad_rows(
    world: World,
    sandbox: SandboxHandle,
    channels: list[Channel],
    handled: list[tuple[int, list[AdInsight]]],
) -> None:
    [account] = ad_accounts_connect(actor=world.members["paid_media"], channel=channels[0])
    ad_ids = split_test(channels[0], account)
    start = today(sandbox)
    sandbox.ads_simulate(3)
    window = (start - timedelta(days=1), start + timedelta(days=20))

    counts = insights_sync(account=account, since=window[0], until=window[1])

    assert (counts.created, counts.updated, counts.unchanged) == (3, 0, 0)
    assert (counts.campaigns_created, counts.ad_rows) == (1, 6)
    campaign = PaidCampaign.objects.get(ad_account=account)
    assert (campaign.name, campaign.external_id, campaign.workspace) == (
        "Headline test",
        "cmp_1",
        world.a,
    )
    _, rows = connector(channels[0]).fetch_insights(account.external_id, *window)
    expected = [
        (r.day, Decimal(r.spend), r.impressions, r.clicks, Decimal(r.conversion_value))
        for r in rows
        if not r.ad_id
    ]
    stored = [
        (d.day, d.spend, d.impressions, d.clicks, d.conversion_value)
        for d in AdDay.objects.filter(campaign=campaign)
    ]
    assert stored == expected
    assert {d.origin for d in AdDay.objects.all()} == {"sandbox"}
    [(account_pk, ad_rows)] = handled
    assert account_pk == account.pk
    assert sorted({r.ad_id for r in ad_rows}) == sorted(ad_ids.values())

    # Again, and after one more day: the three are left alone, one is new.
    again = insights_sync(account=account, since=window[0], until=window[1])
    assert (again.created, again.updated, again.unchanged, again.campaigns_created) == (0, 0, 3, 0)
    sandbox.ads_simulate(1)
    later = insights_sync(account=account, since=window[0], until=window[1])
    assert (later.created, later.updated, later.unchanged) == (1, 0, 3)
    assert AdDay.objects.count() == 4
    assert PaidCampaign.objects.count() == 1


def test_a_changed_day_is_updated(
    world: World, sandbox: SandboxHandle, channels: list[Channel]
) -> None:
    [account] = ad_accounts_connect(actor=world.members["paid_media"], channel=channels[0])
    ad_ids = split_test(channels[0], account)
    start = today(sandbox)
    sandbox.ads_simulate(2)
    insights_sync(account=account, since=start, until=start + timedelta(days=5))
    clicks_before = list(AdDay.objects.values_list("clicks", flat=True))
    sandbox.ads_control(ads={ad_ids["A"]: {"ctr": 0.2}})

    counts = insights_sync(account=account, since=start, until=start + timedelta(days=5))

    assert (counts.created, counts.updated, counts.unchanged) == (0, 2, 0)
    clicks_after = list(AdDay.objects.values_list("clicks", flat=True))
    assert all(a > b for a, b in zip(clicks_after, clicks_before, strict=True))


def test_one_failing_account_does_not_stop_the_others(
    world: World,
    sandbox: SandboxHandle,
    channels: list[Channel],
    handled: list[tuple[int, list[AdInsight]]],
    settings: Any,
) -> None:
    settings.ROOST_PAID_SYNC_DAYS = 3
    actor = world.members["paid_media"]
    [coffee] = ad_accounts_connect(actor=actor, channel=channels[0])
    [tea] = ad_accounts_connect(actor=actor, channel=channels[1])
    post = connector(channels[1]).publish(PublishRequest("p", (Part("Tea time"),)))
    assert post.published is not None
    made = connector(channels[1]).create_boost(
        BoostRequest("b", tea.external_id, post.published.remote_id, "30.00", 3)
    )
    assert made[0].ok
    sandbox.ads_simulate(2)
    sandbox.control(revoke=connector(channels[0]).credentials()["token"])

    report = ad_accounts_sync_all()

    by_account = {done.account_id: done for done in report}
    assert by_account[coffee.pk].counts is None
    assert "token" in by_account[coffee.pk].error
    tea_counts = by_account[tea.pk].counts
    assert tea_counts is not None and (tea_counts.created, tea_counts.ad_rows) == (2, 2)
    assert AdDay.objects.filter(campaign__ad_account=tea).count() == 2
    channels[0].refresh_from_db()
    assert channels[0].status == ChannelStatus.NEEDS_RECONNECT
    failed = ImportRun.objects.get(ad_account=coffee)
    assert failed.status == ImportStatus.FAILED and "token" in failed.error
    assert [pk for pk, _rows in handled] == [tea.pk]

    # The channel waits for reconnecting: the next round leaves it out.
    assert [done.account_id for done in ad_accounts_sync_all()] == [tea.pk]


def test_a_failed_sync_raises_and_stores_nothing(
    world: World, sandbox: SandboxHandle, channels: list[Channel]
) -> None:
    [account] = ad_accounts_connect(actor=world.members["paid_media"], channel=channels[0])
    split_test(channels[0], account)
    sandbox.ads_simulate(2)
    sandbox.control(fail_5xx_rate=1.0, all_endpoints=True)

    with pytest.raises(SyncFailed) as failed:
        insights_sync(account=account, since=date(2020, 1, 1), until=date(2020, 1, 2))

    assert failed.value.result.outcome == "retryable"
    assert AdDay.objects.count() == 0 and PaidCampaign.objects.count() == 0
    channels[0].refresh_from_db()
    assert channels[0].status == ChannelStatus.ACTIVE


def test_a_connector_that_breaks_is_one_accounts_failure(
    world: World, sandbox: SandboxHandle, channels: list[Channel], monkeypatch: pytest.MonkeyPatch
) -> None:
    actor = world.members["paid_media"]
    [coffee] = ad_accounts_connect(actor=actor, channel=channels[0])
    [tea] = ad_accounts_connect(actor=actor, channel=channels[1])
    real_open = sync.connector_open

    def breaking_open(channel: Channel) -> Any:
        if channel.pk == channels[0].pk:
            raise RuntimeError("the stored credentials cannot be read")
        return real_open(channel)

    monkeypatch.setattr(sync, "connector_open", breaking_open)

    report = {done.account_id: done for done in ad_accounts_sync_all()}

    assert report[coffee.pk].error == "the stored credentials cannot be read"
    assert report[tea.pk].counts is not None and report[tea.pk].error == ""
    channels[0].refresh_from_db()
    assert channels[0].status == ChannelStatus.ACTIVE  # not a revoked token: retried next time


def test_the_job_counts_the_accounts_that_failed(
    world: World, sandbox: SandboxHandle, channels: list[Channel]
) -> None:
    from roost.paid.tasks import sync_ad_accounts

    actor = world.members["paid_media"]
    for channel in channels:
        ad_accounts_connect(actor=actor, channel=channel)
    sandbox.control(revoke=connector(channels[1]).credentials()["token"])

    assert sync_ad_accounts.call() == 1
    assert sync_ad_accounts.call() == 0  # the revoked channel waits for reconnecting
    assert ImportRun.objects.filter(status=ImportStatus.IMPORTED).count() == 2
