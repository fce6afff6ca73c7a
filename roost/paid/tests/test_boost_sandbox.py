"""Boosts against a real Sandbox (with its Sandbox Ads): approved by the manager and made
once, even when the answer is lost or the worker dies between the call and the write; the
boost's figures land in its paid campaign."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from roost.approvals import services as approvals
from roost.approvals.models import ApprovalRequest
from roost.channels.models import Channel
from roost.channels.services import connect_with_form, connector_open
from roost.conftest import World
from roost.core import clock
from roost.networks.base import Part, PublishRequest
from roost.networks.sandbox.testing import SandboxHandle
from roost.paid.models import AdAccount, AdDay, Boost, BoostStatus, PaidCampaign
from roost.paid.services import boost_delivery
from roost.paid.services.boost_delivery import LEASE, boost_claim, boost_run
from roost.paid.services.boosts import boost_create
from roost.paid.services.sync import ad_accounts_connect, insights_sync
from roost.publishing.models import Delivery, DeliveryStatus, Post, PostStatus
from roost.publishing.services.compose import PostInput, post_compose


@pytest.fixture
def channel(world: World, sandbox: SandboxHandle) -> Channel:
    return connect_with_form(
        actor=world.members["social_media_manager"], network="sandbox", fields={"name": "Coffee"}
    )


@pytest.fixture
def account(world: World, channel: Channel) -> AdAccount:
    [found] = ad_accounts_connect(actor=world.members["paid_media"], channel=channel)
    return found


def _published(world: World, channel: Channel) -> Post:
    """A post really published on the Sandbox (the boost names its remote id)."""
    post = post_compose(
        actor=world.members["owner"],
        data=PostInput(text="Our winter blend is here", channel_ids=[channel.pk]),
    )
    opened = connector_open(channel)
    result = opened.connector.publish(
        PublishRequest(idempotency_key=f"post-{post.pk}", parts=(Part(post.text),))
    )
    assert result.published is not None
    Delivery.objects.filter(post=post).update(
        status=DeliveryStatus.PUBLISHED, remote_id=result.published.remote_id
    )
    Post.objects.filter(pk=post.pk).update(status=PostStatus.PUBLISHED)
    return post


def _ask(world: World, channel: Channel, account: AdAccount, budget: str) -> Boost:
    return boost_create(
        actor=world.members["paid_media"],
        post=_published(world, channel),
        channel=channel,
        ad_account=account,
        budget=budget,
        days=7,
        audience={"countries": ["PL"], "age_min": 18, "age_max": 45},
    )


def _made_once(sandbox: SandboxHandle, boost: Boost) -> None:
    stats = sandbox.ads_stats()
    key = str(boost.idempotency_key)
    assert (stats["boosts"], stats["duplicates"]) == (1, 0)
    assert stats["created_by_key"]["boost"] == {key: 1}


def test_approved_by_the_manager_made_once_and_its_figures_land(
    world: World,
    sandbox: SandboxHandle,
    channel: Channel,
    account: AdAccount,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    boost = _ask(world, channel, account, "250.00")
    assert boost.status == BoostStatus.IN_REVIEW
    assert sandbox.ads_stats()["boosts"] == 0
    req = ApprovalRequest.objects.get(kind="boost", object_id=boost.pk)
    with django_capture_on_commit_callbacks(execute=True):
        approvals.request_decide(
            req=req, decision="approve", user=world.members["social_media_manager"].user
        )
    boost.refresh_from_db()
    assert boost.status == BoostStatus.ACTIVE and boost.remote_id
    _made_once(sandbox, boost)
    campaign = PaidCampaign.objects.get(pk=boost.paid_campaign_id)
    start = campaign.starts_on
    assert start is not None
    sandbox.ads_simulate(2)
    insights_sync(account=account, since=start - timedelta(days=1), until=start + timedelta(days=9))
    assert PaidCampaign.objects.filter(ad_account=account).count() == 1  # the sync found it
    assert AdDay.objects.filter(campaign=campaign).count() == 2


def test_a_lost_answer_is_found_not_sent_again(
    world: World, sandbox: SandboxHandle, channel: Channel, account: AdAccount
) -> None:
    boost = _ask(world, channel, account, "60.00")
    assert boost.status == BoostStatus.QUEUED
    sandbox.control(fail_after_commit_rate=1.0)
    assert boost_run(boost.pk) == BoostStatus.QUEUED  # made, but the answer was lost
    sandbox.control(fail_after_commit_rate=0.0)
    assert sandbox.stats()["faults"]["lost_responses"] == 1
    Boost.objects.filter(pk=boost.pk).update(next_try_at=clock.now())  # its backoff is over
    assert boost_run(boost.pk) == BoostStatus.ACTIVE
    boost.refresh_from_db()
    _made_once(sandbox, boost)
    assert sandbox.ads_stats()["requests_by_key"]["boost"] == {str(boost.idempotency_key): 1}
    assert boost_run(boost.pk) == "not claimed"


def test_a_worker_dead_between_the_call_and_the_write(
    world: World, sandbox: SandboxHandle, channel: Channel, account: AdAccount
) -> None:
    boost = _ask(world, channel, account, "60.00")
    claimed = boost_claim(boost.pk)
    assert claimed is not None
    result, made = boost_delivery.call_network(claimed)  # landed; the worker dies here
    assert result.ok and made is not None
    assert boost_run(boost.pk) == "not claimed"  # its lease holds
    Boost.objects.filter(pk=boost.pk).update(claimed_at=clock.now() - LEASE - timedelta(seconds=1))
    assert boost_run(boost.pk) == BoostStatus.ACTIVE
    boost.refresh_from_db()
    assert boost.remote_id == made.remote_id
    _made_once(sandbox, boost)
    assert sandbox.ads_stats()["requests_by_key"]["boost"] == {str(boost.idempotency_key): 1}
    assert Boost.objects.filter(status=BoostStatus.ACTIVE).count() == 1
    assert PaidCampaign.objects.filter(ad_account=account).count() == 1
