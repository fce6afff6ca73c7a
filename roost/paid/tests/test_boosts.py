"""Asking for a boost: who may spend, the threshold, the approval for spend, cancelling."""

from __future__ import annotations

from decimal import Decimal

import pytest

from roost.approvals import services as approvals
from roost.approvals.models import ApprovalRequest, RequestStatus
from roost.conftest import World
from roost.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from roost.paid.models import Boost, BoostStatus
from roost.paid.services import boosts
from roost.paid.services.boosts import boost_cancel, boost_create
from roost.paid.tests.boosting import ad_account, published_post, rate
from roost.publishing.services.compose import PostInput, post_compose
from roost.workspaces.models import AuditEntry

AUDIENCE = {"countries": ["pl", "DE"], "age_min": 18, "age_max": 45, "interests": ["coffee"]}


def _ask(world: World, budget: str = "50.00", role: str = "paid_media", **kw: object) -> Boost:
    post = kw.pop("post", None) or published_post(world.members["owner"], world.a_channel)
    account = kw.pop("account", None) or ad_account(world.a, world.a_channel)
    return boost_create(
        actor=world.members[role],
        post=post,  # type: ignore[arg-type]
        channel=world.a_channel,
        ad_account=account,  # type: ignore[arg-type]
        budget=budget,
        days=kw.pop("days", 7),
        audience=kw.pop("audience", AUDIENCE),  # type: ignore[arg-type]
    )


def _request(boost: Boost) -> ApprovalRequest:
    return ApprovalRequest.objects.get(kind="boost", object_id=boost.pk)


def test_at_or_below_the_threshold_a_boost_is_queued_at_once(world: World) -> None:
    boost = _ask(world, "100.00")  # the default threshold is 100 EUR: not above it
    assert boost.status == BoostStatus.QUEUED
    assert boost.next_try_at is not None
    assert boost.budget == Decimal("100.00")
    assert boost.audience == {
        "countries": ["DE", "PL"],
        "age_min": 18,
        "age_max": 45,
        "interests": ["coffee"],
    }
    assert not ApprovalRequest.objects.filter(kind="boost").exists()
    entry = AuditEntry.objects.get(action="paid.boost_requested")
    assert entry.data == {
        "amount": "100.00",
        "currency": "EUR",
        "days": 7,
        "post": boost.post_id,
        "approval": False,
    }


def test_above_the_threshold_it_waits_for_someone_who_may_approve_spend(world: World) -> None:
    boost = _ask(world, "150.00")
    assert boost.status == BoostStatus.IN_REVIEW
    req = _request(boost)
    assert req.status == RequestStatus.PENDING
    assert req.snapshot["amount"] == "150.00"
    assert boosts.title_of(boost) == "Boost of 150.00 EUR for 7 days: Winter latte"
    approvers = approvals.approvers_of(approvals.current_state(req))
    assert {u.email for u in approvers} == {
        "owner@alpha.test",
        "admin@alpha.test",
        "social_media_manager@alpha.test",
    }


def test_a_currency_without_a_rate_always_needs_approval(world: World) -> None:
    account = ad_account(world.a, world.a_channel, currency="USD")
    assert _ask(world, "1.00", account=account).status == BoostStatus.IN_REVIEW


def test_an_explicit_rate_converts_the_budget_before_the_threshold(world: World) -> None:
    rate(world.a, "USD", "0.9")
    account = ad_account(world.a, world.a_channel, currency="USD")
    assert _ask(world, "111.00", account=account).status == BoostStatus.QUEUED  # 99.90 EUR
    account2 = ad_account(world.a, world.a_channel, currency="USD", name="Ads 2")
    assert _ask(world, "112.00", account=account2).status == BoostStatus.IN_REVIEW  # 100.80


def test_the_social_media_manager_approves_and_the_boost_is_queued(world: World) -> None:
    boost = _ask(world, "150.00")
    smm = world.members["social_media_manager"]
    approvals.request_decide(req=_request(boost), decision="approve", user=smm.user)
    boost.refresh_from_db()
    assert boost.status == BoostStatus.QUEUED
    assert boost.approved_at is not None
    note = boosts.approval_note(boost)
    assert note is not None
    assert (note.event, note.who) == ("approved", smm.user.display_name)


def test_paid_media_cannot_approve_its_own_spend(world: World) -> None:
    boost = _ask(world, "150.00")
    with pytest.raises(PermissionDenied):
        approvals.request_decide(
            req=_request(boost), decision="approve", user=world.members["paid_media"].user
        )
    boost.refresh_from_db()
    assert boost.status == BoostStatus.IN_REVIEW
    assert _request(boost).status == RequestStatus.PENDING


def test_a_rejected_boost_is_returned_and_never_queued(world: World) -> None:
    boost = _ask(world, "150.00")
    approvals.request_decide(
        req=_request(boost),
        decision="reject",
        user=world.members["admin"].user,
        comment="Not this month",
    )
    boost.refresh_from_db()
    assert boost.status == BoostStatus.RETURNED
    assert boost.next_try_at is None
    note = boosts.approval_note(boost)
    assert note is not None and note.event == "rejected" and note.comment == "Not this month"


def test_cancelling_in_review_withdraws_the_request(world: World) -> None:
    boost = _ask(world, "150.00")
    boost_cancel(actor=world.members["paid_media"], boost=boost)
    boost.refresh_from_db()
    assert boost.status == BoostStatus.CANCELLED
    assert _request(boost).status == RequestStatus.CANCELLED
    assert AuditEntry.objects.filter(action="paid.boost_cancelled").count() == 1
    with pytest.raises(Conflict):
        boost_cancel(actor=world.members["paid_media"], boost=boost)


def test_a_queued_boost_cannot_be_cancelled(world: World) -> None:
    boost = _ask(world, "10.00")
    with pytest.raises(Conflict):
        boost_cancel(actor=world.members["paid_media"], boost=boost)
    boost.refresh_from_db()
    assert boost.status == BoostStatus.QUEUED


@pytest.mark.parametrize("role", ["content_creator", "analyst", "social_media_manager"])
def test_who_may_not_spend_changes_nothing(world: World, role: str) -> None:
    with pytest.raises(PermissionDenied):
        _ask(world, "10.00", role=role)
    assert not Boost.objects.exists()
    assert not AuditEntry.objects.filter(action="paid.boost_requested").exists()


def test_cancel_needs_spend(world: World) -> None:
    boost = _ask(world, "150.00")
    with pytest.raises(PermissionDenied):
        boost_cancel(actor=world.members["analyst"], boost=boost)
    boost.refresh_from_db()
    assert boost.status == BoostStatus.IN_REVIEW


def test_a_post_not_published_on_the_channel_cannot_be_boosted(world: World) -> None:
    draft = post_compose(
        actor=world.members["owner"], data=PostInput(text="Draft", channel_ids=[world.a_channel.pk])
    )
    with pytest.raises(ValidationFailed) as caught:
        _ask(world, post=draft)
    assert caught.value.errors == {
        "channel": [
            "This post is not published on Alpha Sandbox: only a published post can be boosted."
        ]
    }
    assert not Boost.objects.exists()


def test_bad_input_names_each_field_and_saves_nothing(world: World) -> None:
    audience = {"countries": ["XX", "PL"], "age_min": 10, "age_max": 70, "interests": ["a"] * 3}
    with pytest.raises(ValidationFailed) as caught:
        _ask(world, "0", days=91, audience=audience)
    assert set(caught.value.errors) == {"budget", "days", "countries", "age_min", "age_max"}
    assert "XX" in caught.value.errors["countries"][0]
    with pytest.raises(ValidationFailed) as caught:
        _ask(
            world,
            "10.001",
            audience={"age_min": 40, "age_max": 20, "interests": [f"i{n}" for n in range(11)]},
        )
    assert set(caught.value.errors) == {"budget", "age_max", "interests"}
    assert not Boost.objects.exists()


def test_the_ad_account_must_reach_the_channels_network(world: World) -> None:
    from roost.paid.tests.boosting import fake_channel

    other = ad_account(world.a, fake_channel(world.a))
    with pytest.raises(ValidationFailed) as caught:
        _ask(world, account=other)
    assert list(caught.value.errors) == ["ad_account"]


def test_another_workspaces_account_is_not_found(world: World) -> None:
    from roost.core.exceptions import NotFound

    theirs = ad_account(world.b, world.b_channel)
    with pytest.raises(NotFound):
        _ask(world, account=theirs)
    assert not Boost.objects.exists()


def test_country_codes_are_iso_3166() -> None:
    from roost.paid import countries

    assert len(countries.CODES) == 249
    assert countries.is_country("pl") and not countries.is_country("UK")
