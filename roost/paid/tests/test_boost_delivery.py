"""Creating a boost on the ad network exactly once: claims, leases, find before re-sending,
retries and terminal failures — against a fake ad network at the connector edge."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from roost.approvals import services as approvals
from roost.approvals.models import ApprovalRequest
from roost.conftest import World
from roost.core import clock
from roost.networks.base import Outcome, Result
from roost.notifications.models import Notification
from roost.paid import tasks
from roost.paid.models import Boost, BoostStatus, PaidCampaign
from roost.paid.services import boost_delivery
from roost.paid.services.boost_delivery import LEASE, MAX_ATTEMPTS, boost_claim, boost_run
from roost.paid.services.boosts import boost_create
from roost.paid.tests import boosting
from roost.paid.tests.boosting import (
    FakeAdsNetwork,
    ad_account,
    fake_channel,
    published_post,
)

fake_ads = boosting.fake_ads  # the fixture, for this module's tests


@pytest.fixture
def at(monkeypatch: pytest.MonkeyPatch) -> Callable[[timedelta], datetime]:
    """clock.now() stands still until the test moves it; returns the new time."""
    state = {"now": clock.now().replace(microsecond=0)}
    monkeypatch.setattr(clock, "now", lambda: state["now"])

    def move(by: timedelta) -> datetime:
        state["now"] += by
        return state["now"]

    return move


def _boost(world: World, budget: str = "70.00", days: int = 7) -> Boost:
    """A queued boost on the fake network (below the threshold), not yet tried."""
    channel = fake_channel(world.a)
    post = published_post(world.members["owner"], channel)
    return boost_create(
        actor=world.members["paid_media"],
        post=post,
        channel=channel,
        ad_account=ad_account(world.a, channel),
        budget=budget,
        days=days,
        audience={"countries": ["PL"]},
    )


def test_a_queued_boost_is_created_once_with_its_campaign(
    world: World, fake_ads: FakeAdsNetwork, at: Callable[[timedelta], datetime]
) -> None:
    boost = _boost(world)
    now = at(timedelta(0))
    assert boost_run(boost.pk) == BoostStatus.ACTIVE
    boost.refresh_from_db()
    assert (boost.status, boost.remote_id, boost.attempts) == (BoostStatus.ACTIVE, "boost-1", 1)
    assert boost.started_at == now and boost.claimed_at is None
    assert fake_ads.calls == ["create"]
    [request] = fake_ads.requests
    assert request.idempotency_key == str(boost.idempotency_key)
    assert request.post_remote_id == f"remote-{boost.post_id}"
    assert (request.budget, request.days, request.account_id) == (
        "70.00",
        7,
        boost.ad_account.external_id,
    )
    assert request.audience == {"locations": ["PL"], "age_min": 13, "age_max": 65}
    campaign = PaidCampaign.objects.get(pk=boost.paid_campaign_id)
    assert campaign.external_id == "camp-1"
    assert campaign.ad_account_id == boost.ad_account_id
    assert (campaign.total_budget, campaign.daily_budget) == (Decimal("70.00"), Decimal("10.00"))
    assert (campaign.starts_on, campaign.ends_on) == (now.date(), now.date() + timedelta(days=6))
    assert boost_run(boost.pk) == "not claimed"  # run twice: nothing more
    assert fake_ads.calls == ["create"]


def test_two_workers_one_claim_one_network_call(
    world: World, fake_ads: FakeAdsNetwork, at: Callable[[timedelta], datetime]
) -> None:
    boost = _boost(world)
    seen: list[str] = []
    fake_ads.during_call = lambda: seen.append(boost_run(boost.pk))  # a second worker, mid-call
    assert boost_run(boost.pk) == BoostStatus.ACTIVE
    assert seen == ["not claimed"]
    assert fake_ads.calls == ["create"]
    assert boost_claim(boost.pk) is None


def test_the_answer_lost_then_the_retry_finds_it_and_sends_nothing(
    world: World, fake_ads: FakeAdsNetwork, at: Callable[[timedelta], datetime]
) -> None:
    boost = _boost(world)
    fake_ads.script = ["lost"]
    assert boost_run(boost.pk) == BoostStatus.QUEUED
    boost.refresh_from_db()
    assert boost.error == "The answer was lost."
    assert boost_run(boost.pk) == "not claimed"  # its backoff has not run out
    at(timedelta(minutes=1))
    assert boost_run(boost.pk) == BoostStatus.ACTIVE
    assert fake_ads.calls == ["create", "find"]
    assert len(fake_ads.boosts) == 1
    boost.refresh_from_db()
    assert (boost.status, boost.remote_id, boost.attempts) == (BoostStatus.ACTIVE, "boost-1", 2)


def test_a_worker_dead_after_the_call_leaves_it_for_find_after_the_lease(
    world: World, fake_ads: FakeAdsNetwork, at: Callable[[timedelta], datetime]
) -> None:
    boost = _boost(world)
    claimed = boost_claim(boost.pk)
    assert claimed is not None
    boost_delivery.call_network(claimed)  # the boost landed; the worker died before writing
    assert boost_delivery.due_ids() == []  # its lease still holds
    at(LEASE - timedelta(seconds=1))
    assert boost_run(boost.pk) == "not claimed"
    at(timedelta(seconds=2))
    assert boost_delivery.due_ids() == [boost.pk]
    assert boost_run(boost.pk) == BoostStatus.ACTIVE
    assert fake_ads.calls == ["create", "find"]  # found: not sent again
    assert len(fake_ads.boosts) == 1


def test_a_worker_dead_before_the_call_is_sent_once_after_the_lease(
    world: World, fake_ads: FakeAdsNetwork, at: Callable[[timedelta], datetime]
) -> None:
    boost = _boost(world)
    assert boost_claim(boost.pk) is not None  # and died before calling
    at(LEASE + timedelta(seconds=1))
    assert boost_run(boost.pk) == BoostStatus.ACTIVE
    assert fake_ads.calls == ["find", "create"]
    assert len(fake_ads.boosts) == 1


def test_a_stale_holder_cannot_write_over_the_new_claim(
    world: World, fake_ads: FakeAdsNetwork, at: Callable[[timedelta], datetime]
) -> None:
    boost = _boost(world)
    first = boost_claim(boost.pk)
    assert first is not None
    at(LEASE + timedelta(seconds=1))
    second = boost_claim(boost.pk)
    assert second is not None
    result = Result(Outcome.REJECTED, reason="late")
    assert boost_delivery.record(first, result, None) == "claim lost"
    boost.refresh_from_db()
    assert (boost.status, boost.error) == (BoostStatus.CREATING, "")


def test_retryable_backs_off_and_gives_up_after_the_cap(
    world: World, fake_ads: FakeAdsNetwork, at: Callable[[timedelta], datetime]
) -> None:
    boost = _boost(world)
    down = Result(Outcome.RETRYABLE, reason="Fake Ads is down (503).")
    fake_ads.script = [down] * MAX_ATTEMPTS
    fake_ads.find_script = []
    now = at(timedelta(0))
    assert boost_run(boost.pk) == BoostStatus.QUEUED
    boost.refresh_from_db()
    assert boost.next_try_at is not None
    assert now + timedelta(seconds=15) <= boost.next_try_at <= now + timedelta(seconds=30)
    for attempt in range(2, MAX_ATTEMPTS + 1):
        at(timedelta(hours=1))
        outcome = boost_run(boost.pk)
        assert outcome == (BoostStatus.FAILED if attempt == MAX_ATTEMPTS else BoostStatus.QUEUED)
    boost.refresh_from_db()
    assert boost.status == BoostStatus.FAILED
    assert boost.error == f"Gave up after {MAX_ATTEMPTS} tries: Fake Ads is down (503)."
    assert fake_ads.calls.count("create") == MAX_ATTEMPTS
    assert fake_ads.boosts == {}


def test_rate_limited_waits_as_told_without_counting_a_try(
    world: World, fake_ads: FakeAdsNetwork, at: Callable[[timedelta], datetime]
) -> None:
    boost = _boost(world)
    fake_ads.script = [Result(Outcome.RATE_LIMITED, retry_after=120, reason="Slow down.")]
    now = at(timedelta(0))
    assert boost_run(boost.pk) == BoostStatus.QUEUED
    boost.refresh_from_db()
    assert (boost.attempts, boost.next_try_at) == (0, now + timedelta(seconds=120))


@pytest.mark.parametrize("outcome", [Outcome.REJECTED, Outcome.UNAUTHORIZED])
def test_terminal_answers_fail_the_boost_and_tell_who_asked(
    world: World,
    fake_ads: FakeAdsNetwork,
    at: Callable[[timedelta], datetime],
    outcome: Outcome,
) -> None:
    boost = _boost(world)
    fake_ads.script = [Result(outcome, reason="Fake Ads refused: no budget left.")]
    assert boost_run(boost.pk) == BoostStatus.FAILED
    boost.refresh_from_db()
    assert (boost.status, boost.error) == (BoostStatus.FAILED, "Fake Ads refused: no budget left.")
    assert boost.paid_campaign_id is None
    channel = boost.ad_account.channel
    assert channel is not None
    channel.refresh_from_db()
    expected = "needs_reconnect" if outcome is Outcome.UNAUTHORIZED else "active"
    assert channel.status == expected
    told = Notification.objects.get(kind="boost.failed")
    assert told.recipient_id == world.members["paid_media"].user_id
    at(timedelta(days=1))
    assert boost_run(boost.pk) == "not claimed"
    assert fake_ads.calls == ["create"]


def test_approved_spend_is_created_after_commit(
    world: World,
    fake_ads: FakeAdsNetwork,
    django_capture_on_commit_callbacks: Callable[..., object],
) -> None:
    channel = fake_channel(world.a)
    post = published_post(world.members["owner"], channel)
    boost = boost_create(
        actor=world.members["paid_media"],
        post=post,
        channel=channel,
        ad_account=ad_account(world.a, channel),
        budget="250.00",
        days=5,
        audience={},
    )
    assert fake_ads.calls == []
    req = ApprovalRequest.objects.get(kind="boost", object_id=boost.pk)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        approvals.request_decide(
            req=req, decision="approve", user=world.members["social_media_manager"].user
        )
    boost.refresh_from_db()
    assert boost.status == BoostStatus.ACTIVE
    assert fake_ads.calls == ["create"]


def test_the_sweeper_picks_up_due_and_stranded_boosts(
    world: World, fake_ads: FakeAdsNetwork, at: Callable[[timedelta], datetime]
) -> None:
    due = _boost(world)
    stranded = Boost.objects.create(
        workspace=world.a,
        post=due.post,
        channel=due.channel,
        ad_account=due.ad_account,
        budget=Decimal("5.00"),
        days=1,
        status=BoostStatus.CREATING,
        attempts=1,
        claimed_at=clock.now() - LEASE - timedelta(seconds=1),
    )
    later = Boost.objects.create(
        workspace=world.a,
        post=due.post,
        channel=due.channel,
        ad_account=due.ad_account,
        budget=Decimal("5.00"),
        days=1,
        status=BoostStatus.QUEUED,
        next_try_at=clock.now() + timedelta(minutes=5),
    )
    assert tasks.sweep_boosts.call() == 2
    statuses = dict(Boost.objects.values_list("pk", "status"))
    assert statuses == {
        due.pk: BoostStatus.ACTIVE,
        stranded.pk: BoostStatus.ACTIVE,
        later.pk: BoostStatus.QUEUED,
    }
    assert sorted(fake_ads.calls) == ["create", "create", "find"]
