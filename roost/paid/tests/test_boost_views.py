"""The boost pages: the form from a published post (and its "Boost" action on the post page
and the calendar), the list, a boost with its approval, cancelling; the review shows the
spend; bad input and denied roles change nothing."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from roost.approvals import services as approvals
from roost.approvals.models import ApprovalRequest
from roost.conftest import World
from roost.paid.models import Boost, BoostStatus
from roost.paid.services.boosts import boost_create
from roost.paid.tests.boosting import ad_account, published_post
from roost.publishing import hooks
from roost.publishing.calendar_views import _cards
from roost.publishing.services.compose import PostInput, post_compose

W = "/w/alpha"


def _form(**overrides: str) -> dict[str, str]:
    return {
        "budget": "60.00",
        "days": "7",
        "countries": "PL, de",
        "age_min": "18",
        "age_max": "45",
        "interests": "coffee, tea",
        **overrides,
    }


def test_a_published_post_offers_boost_to_who_may_spend(world: World) -> None:
    post = published_post(world.members["owner"], world.a_channel)
    url = f"/w/alpha/paid/boosts/new/{post.pk}/"
    page = world.client_for("paid_media").get(f"{W}/posts/{post.pk}/").content.decode()
    assert f'href="{url}"' in page
    for role in ("social_media_manager", "content_creator"):
        page = world.client_for(role).get(f"{W}/posts/{post.pk}/").content.decode()
        assert url not in page, role
    draft = world.client_for("paid_media").get(f"{W}/posts/{world.a_post.pk}/").content.decode()
    assert "/paid/boosts/new/" not in draft


def test_the_calendar_cards_of_published_posts_offer_boost(world: World) -> None:
    member = world.members["paid_media"]
    rows = [
        {"id": 7, "status": "published", "scheduled_at": None, "excerpt": "Out"},
        {"id": 8, "status": "draft", "scheduled_at": None, "excerpt": "Not yet"},
    ]
    cards = {c.id: c.actions for c in _cards(member, rows, drag=False)}
    assert cards == {7: [("Boost", "/w/alpha/paid/boosts/new/7/")], 8: []}
    assert hooks.post_actions(world.members["analyst"], [(7, "published")]) == {}


def test_the_form_boosts_below_the_threshold_at_once(world: World) -> None:
    post = published_post(world.members["owner"], world.a_channel)
    account = ad_account(world.a, world.a_channel)
    client = world.client_for("paid_media")
    page = client.get(f"{W}/paid/boosts/new/{post.pk}/").content.decode()
    assert 'data-testid="boost-form"' in page and "Ads (EUR)" in page
    response = client.post(
        f"{W}/paid/boosts/new/{post.pk}/",
        _form(channel=str(world.a_channel.pk), ad_account=str(account.pk)),
    )
    boost = Boost.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{W}/paid/boosts/{boost.pk}/"
    assert (boost.status, boost.budget, boost.days) == (BoostStatus.QUEUED, 60, 7)
    assert boost.audience == {
        "countries": ["DE", "PL"],
        "age_min": 18,
        "age_max": 45,
        "interests": ["coffee", "tea"],
    }
    page = client.get(response["Location"]).content.decode()
    assert "Within the workspace's threshold: no approval needed." in page
    assert "60.00 EUR" in page and "DE, PL · ages 18–45 · interests: coffee, tea" in page


def test_bad_input_is_shown_on_its_field_and_saves_nothing(world: World) -> None:
    post = published_post(world.members["owner"], world.a_channel)
    account = ad_account(world.a, world.a_channel)
    client = world.client_for("paid_media")
    fields = {"channel": str(world.a_channel.pk), "ad_account": str(account.pk)}
    response = client.post(f"{W}/paid/boosts/new/{post.pk}/", _form(countries="XX", **fields))
    assert response.status_code == 422
    assert "Not ISO 3166 two-letter country codes: XX (e.g. PL, DE)." in response.content.decode()
    response = client.post(f"{W}/paid/boosts/new/{post.pk}/", _form(days="91", **fields))
    assert response.status_code == 422
    assert 'id="id_days-error"' in response.content.decode()
    assert not Boost.objects.exists()


def test_a_post_not_published_cannot_be_boosted_from_the_form(world: World) -> None:
    ad_account(world.a, world.a_channel)
    client = world.client_for("paid_media")
    page = client.get(f"{W}/paid/boosts/new/{world.a_post.pk}/").content.decode()
    assert "only a published post can be boosted" in page
    response = client.post(
        f"{W}/paid/boosts/new/{world.a_post.pk}/", _form(channel=str(world.a_channel.pk))
    )
    assert response.status_code == 422
    assert not Boost.objects.exists()


def _in_review(world: World) -> Boost:
    return boost_create(
        actor=world.members["paid_media"],
        post=published_post(world.members["owner"], world.a_channel),
        channel=world.a_channel,
        ad_account=ad_account(world.a, world.a_channel),
        budget="150.00",
        days=7,
        audience={"countries": ["PL"]},
    )


def test_the_review_shows_the_spend_and_the_boost_who_approved(world: World) -> None:
    boost = _in_review(world)
    req = ApprovalRequest.objects.get(kind="boost", object_id=boost.pk)
    smm = world.members["social_media_manager"]
    review = world.client_for("social_media_manager").get(f"{W}/approvals/{req.pk}/")
    text = review.content.decode()
    assert "Boost of 150.00 EUR for 7 days: Winter latte" in text
    assert "<dt>Amount</dt><dd>150.00 EUR</dd>" in text
    assert "<dt>Duration</dt><dd>7 days</dd>" in text
    assert "<dt>Audience</dt><dd>PL · ages 13–65</dd>" in text
    page = world.client_for("paid_media").get(f"{W}/paid/boosts/{boost.pk}/").content.decode()
    assert "Waiting for someone who may approve spend." in page
    approvals.request_decide(req=req, decision="approve", user=smm.user)
    page = world.client_for("paid_media").get(f"{W}/paid/boosts/{boost.pk}/").content.decode()
    day = ApprovalRequest.objects.get(pk=req.pk).decided_at
    assert day is not None
    when = day.astimezone(world.a.tzinfo).strftime("%-d %b %Y")
    assert f"Approved by {smm.user.display_name} on {when}" in page


def test_cancel_in_review_and_who_may_not(world: World) -> None:
    boost = _in_review(world)
    url = f"{W}/paid/boosts/{boost.pk}/cancel/"
    assert world.client_for("analyst").post(url).status_code == 403
    assert world.client_for("social_media_manager").post(url).status_code == 403
    boost.refresh_from_db()
    assert boost.status == BoostStatus.IN_REVIEW
    response = world.client_for("paid_media").post(url)
    assert response.status_code == 302
    boost.refresh_from_db()
    assert boost.status == BoostStatus.CANCELLED
    again = world.client_for("paid_media").post(url, follow=True).content.decode()
    assert "Only a boost waiting for approval can be cancelled" in again


def test_the_list_takes_a_fixed_number_of_queries(world: World) -> None:
    client = world.client_for("analyst")
    _in_review(world)
    client.get(f"{W}/paid/boosts/")  # warm up (sessions, caches)
    with CaptureQueriesContext(connection) as one:
        assert client.get(f"{W}/paid/boosts/").status_code == 200
    for n in range(4):
        post = post_compose(
            actor=world.members["owner"],
            data=PostInput(text=f"More {n}", channel_ids=[world.a_channel.pk]),
        )
        Boost.objects.create(
            workspace=world.a,
            post=post,
            channel=world.a_channel,
            ad_account=ad_account(world.a, world.a_channel),
            budget=10,
            days=1,
            status=BoostStatus.QUEUED,
        )
    with CaptureQueriesContext(connection) as five:
        page = client.get(f"{W}/paid/boosts/").content.decode()
    assert page.count("data-boost=") == 5
    assert len(five) == len(one)


def test_the_approvals_queue_shows_the_spend_only_to_who_may_see_paid_media(
    world: World,
) -> None:
    boost = _in_review(world)
    req = ApprovalRequest.objects.get(kind="boost", object_id=boost.pk)
    title = "Boost of 150.00 EUR for 7 days: Winter latte"
    queue = world.client_for("social_media_manager").get(f"{W}/approvals/").content.decode()
    assert title in queue and f"{W}/approvals/{req.pk}/" in queue
    creator = world.client_for("content_creator")
    assert title not in creator.get(f"{W}/approvals/").content.decode()
    assert creator.get(f"{W}/approvals/{req.pk}/").status_code == 404


def test_a_failing_post_actions_provider_is_skipped(world: World, monkeypatch: Any) -> None:
    def broken(member: Any, posts: Any) -> dict[int, list[tuple[str, str]]]:
        raise RuntimeError("boom")

    monkeypatch.setattr(hooks, "_POST_ACTIONS", [broken, *hooks._POST_ACTIONS])
    found = hooks.post_actions(world.members["paid_media"], [(7, "published")])
    assert found == {7: [("Boost", "/w/alpha/paid/boosts/new/7/")]}
