"""The boosts API: ask (SPEND + paid:spend, once per Idempotency-Key), list, read with its
approval, cancel while in review; refusals change nothing."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from roost.approvals import services as approvals
from roost.approvals.models import ApprovalRequest
from roost.conftest import World, token_for
from roost.paid.models import AdAccount, Boost, BoostStatus
from roost.paid.tests.boosting import ad_account, published_post
from roost.publishing.models import Post

BASE = "/api/v1/workspaces/alpha/paid/boosts"


def call(method: str, url: str, token: str, body: Any = None, key: str = "") -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if key:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return Client().generic(
        method,
        url,
        data=json.dumps(body) if body is not None else "",
        content_type="application/json",
        **headers,
    )


def _body(world: World, post: Post, account: AdAccount, budget: str = "150.00") -> dict[str, Any]:
    return {
        "post": post.pk,
        "channel": world.a_channel.pk,
        "ad_account": account.pk,
        "budget": budget,
        "days": 7,
        "audience": {"countries": ["PL"], "age_min": 18, "age_max": 45, "interests": ["coffee"]},
    }


def test_ask_once_per_key_then_approved_then_read(world: World) -> None:
    post = published_post(world.members["owner"], world.a_channel)
    account = ad_account(world.a, world.a_channel)
    token = token_for(world.members["paid_media"], ["read", "paid:spend"])
    first = call("POST", BASE, token, _body(world, post, account), key="boost-1")
    again = call("POST", BASE, token, _body(world, post, account), key="boost-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json() == again.json()
    boost = Boost.objects.get()
    out = first.json()
    assert (out["id"], out["status"], out["budget"], out["currency"]) == (
        boost.pk,
        "in_review",
        "150.00",
        "EUR",
    )
    assert out["approval"] is None
    req = ApprovalRequest.objects.get(kind="boost", object_id=boost.pk)
    smm = world.members["social_media_manager"]
    approvals.request_decide(req=req, decision="approve", user=smm.user)
    got = call("GET", f"{BASE}/{boost.pk}", token).json()
    assert got["status"] == "queued"
    assert (got["approval"]["decision"], got["approval"]["by"]) == (
        "approved",
        smm.user.display_name,
    )
    listed = call("GET", f"{BASE}?status=queued", token).json()
    assert [b["id"] for b in listed] == [boost.pk]


def test_refusals_change_nothing(world: World) -> None:
    post = published_post(world.members["owner"], world.a_channel)
    account = ad_account(world.a, world.a_channel)
    body = _body(world, post, account)
    creator = token_for(world.members["content_creator"])
    assert call("POST", BASE, creator, body).status_code == 403
    no_scope = token_for(world.members["paid_media"], ["read", "paid:write"])
    response = call("POST", BASE, no_scope, body)
    assert response.status_code == 403 and "paid:spend" in response.json()["detail"]
    token = token_for(world.members["paid_media"], ["read", "paid:spend"])
    response = call("POST", BASE, token, {**body, "budget": "12,5"})
    assert response.status_code == 422
    response = call("POST", BASE, token, {**body, "days": 0})
    assert response.status_code == 422
    response = call("POST", BASE, token, {**body, "post": world.a_post.pk})
    assert response.status_code == 422
    assert [(i["loc"][-1], i["msg"]) for i in response.json()["detail"]] == [
        (
            "channel",
            "This post is not published on Alpha Sandbox: only a published post can be boosted.",
        )
    ]
    response = call("POST", BASE, token, {**body, "ad_account": 999_999})
    assert response.status_code == 422
    assert [(i["loc"][-1], i["msg"]) for i in response.json()["detail"]] == [
        ("ad_account", "Not found in this workspace.")
    ]
    assert not Boost.objects.exists()


def test_cancel_in_review_once(world: World) -> None:
    post = published_post(world.members["owner"], world.a_channel)
    account = ad_account(world.a, world.a_channel)
    token = token_for(world.members["paid_media"], ["read", "paid:spend"])
    boost_id = call("POST", BASE, token, _body(world, post, account)).json()["id"]
    analyst = token_for(world.members["analyst"])
    assert call("POST", f"{BASE}/{boost_id}/cancel", analyst).status_code == 403
    assert Boost.objects.get(pk=boost_id).status == BoostStatus.IN_REVIEW
    response = call("POST", f"{BASE}/{boost_id}/cancel", token)
    assert (response.status_code, response.json()["status"]) == (200, "cancelled")
    response = call("POST", f"{BASE}/{boost_id}/cancel", token)
    assert response.status_code == 409
    assert response.json() == {
        "detail": "Only a boost waiting for approval can be cancelled; this one is: Cancelled."
    }
