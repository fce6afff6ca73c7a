"""The Sandbox Ads against a real Sandbox server: accounts, boosts, split tests, insights,
idempotency under injected faults, bad input, and the connector's outcomes."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from roost.networks.base import (
    AdAccountInfo,
    AdsConnector,
    BoostRequest,
    Outcome,
    SplitTestRequest,
)
from roost.networks.sandbox.connector import SandboxConnector
from roost.networks.sandbox.testing import SandboxAccount, SandboxHandle

from .conftest import request


def _post(connector: SandboxConnector, key: str = "p") -> str:
    result = connector.publish(request(key, "Our autumn blend is here"))
    assert result.published is not None
    return result.published.remote_id


def _boost(post_id: str, key: str = "b-1", budget: str = "70.00", days: int = 7) -> BoostRequest:
    return BoostRequest(
        idempotency_key=key, account_id="act_1", post_remote_id=post_id, budget=budget, days=days
    )


def _split(key: str = "s-1", budget: str = "100.00", days: int = 10) -> SplitTestRequest:
    return SplitTestRequest(
        idempotency_key=key,
        account_id="act_1",
        name="Headline test",
        variants={"A": "Fresh beans, roasted today", "B": "Coffee that tastes like Sunday"},
        budget=budget,
        days=days,
    )


def _today(sandbox: SandboxHandle) -> date:
    return date.fromisoformat(sandbox.ads_stats()["today"])


def test_the_connector_is_an_ads_connector(connector: SandboxConnector) -> None:
    assert isinstance(connector, AdsConnector)


def test_one_ad_account_per_sandbox_account_in_euros_unless_set(
    sandbox: SandboxHandle, account: SandboxAccount, connector: SandboxConnector
) -> None:
    result, accounts = connector.ad_accounts()
    assert result.ok
    assert accounts == [AdAccountInfo("act_1", "demo-coffee.sandbox Sandbox Ads", "EUR")]

    sandbox.ads_control(currency={account.handle: "usd"})

    assert connector.ad_accounts()[1][0].currency == "USD"


def test_a_boost_is_made_once_per_key(sandbox: SandboxHandle, connector: SandboxConnector) -> None:
    post_id = _post(connector)

    first = connector.create_boost(_boost(post_id))
    again = connector.create_boost(_boost(post_id, budget="999.00"))

    assert first[0].ok and again[0].ok
    assert first[1] is not None and first[1] == again[1]
    assert connector.find_boost("b-1") == first
    assert connector.find_boost("nope") == (first[0], None)
    stats = sandbox.ads_stats()
    assert stats["boosts"] == 1
    assert stats["created_by_key"]["boost"] == {"b-1": 1}
    assert stats["requests_by_key"]["boost"] == {"b-1": 2}
    # The repeat answered the first boost's budget, not the second request's.
    items = httpx.get(
        f"{sandbox.url}/api/ads/boosts",
        headers={"Authorization": f"Bearer {connector.credentials()['token']}"},
    ).json()["items"]
    assert [(i["budget"], i["ads"][0]["post_id"]) for i in items] == [("70.00", post_id)]


def test_exactly_once_when_the_answer_is_lost(
    sandbox: SandboxHandle, connector: SandboxConnector
) -> None:
    post_id = _post(connector)
    sandbox.control(fail_after_commit_rate=1.0)

    lost, made = connector.create_boost(_boost(post_id))

    assert (lost.outcome, made) == (Outcome.RETRYABLE, None)
    sandbox.control(fail_after_commit_rate=0.0)
    found_result, found = connector.find_boost("b-1")
    assert found_result.ok and found is not None
    retried = connector.create_boost(_boost(post_id))
    assert retried[1] == found
    stats = sandbox.ads_stats()
    assert (stats["boosts"], stats["duplicates"]) == (1, 0)
    assert sandbox.stats()["faults"]["lost_responses"] == 1


def test_faults_strike_before_anything_is_made(
    sandbox: SandboxHandle, account: SandboxAccount, connector: SandboxConnector
) -> None:
    post_id = _post(connector)
    sandbox.control(fail_5xx_rate=1.0)
    assert connector.create_boost(_boost(post_id))[0].outcome is Outcome.RETRYABLE
    sandbox.control(fail_5xx_rate=0.0, rate_limit_rate=1.0, retry_after=12)
    limited = connector.create_split_test(_split())[0]
    assert (limited.outcome, limited.retry_after) == (Outcome.RATE_LIMITED, 12)
    sandbox.control(rate_limit_rate=0.0, revoke=account.token)
    assert connector.create_boost(_boost(post_id))[0].outcome is Outcome.UNAUTHORIZED
    assert connector.ad_accounts()[0].outcome is Outcome.UNAUTHORIZED
    assert connector.fetch_insights("act_1", date(2026, 1, 1), date(2026, 1, 2))[0].outcome is (
        Outcome.UNAUTHORIZED
    )
    stats = sandbox.ads_stats()
    assert (stats["boosts"], stats["split_tests"], stats["campaigns"]) == (0, 0, 0)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"post_id": "999"}, "post_id: post '999' does not exist"),
        ({"budget": "-5"}, "budget must be an amount"),
        ({"budget": "1.005"}, "budget must be an amount"),
        ({"budget": "NaN"}, "budget must be an amount"),
        ({"days": 0}, "days must be a whole number from 1 to 90"),
        ({"account_id": "act_2"}, "ad account 'act_2' not found"),
        ({"audience": {"age_min": 70}}, "audience: age_min must be a whole number from 13 to 65"),
        ({"audience": {"colour": "red"}}, "audience: unknown fields: colour"),
    ],
)
def test_bad_boosts_are_400_with_a_message_and_make_nothing(
    sandbox: SandboxHandle,
    account: SandboxAccount,
    connector: SandboxConnector,
    change: dict[str, Any],
    message: str,
) -> None:
    post_id = _post(connector)
    body = {"account_id": "act_1", "post_id": post_id, "budget": "10.00", "days": 3, **change}

    response = httpx.post(
        f"{sandbox.url}/api/ads/boosts",
        json=body,
        headers={"Authorization": f"Bearer {account.token}", "Idempotency-Key": "k"},
    )

    assert response.status_code == 400
    assert message in response.json()["error"]
    assert sandbox.ads_stats()["boosts"] == 0


def test_a_boost_of_someone_elses_post_is_rejected(
    sandbox: SandboxHandle, connector: SandboxConnector
) -> None:
    other = sandbox.create_account("Other Shop")
    theirs = SandboxConnector({"base_url": sandbox.url}, {"token": other.token})
    post_id = _post(theirs)

    result, made = connector.create_boost(_boost(post_id))

    assert (result.outcome, made) == (Outcome.REJECTED, None)
    assert "belongs to another account" in result.reason


def test_without_a_key_or_token(sandbox: SandboxHandle, account: SandboxAccount) -> None:
    url = f"{sandbox.url}/api/ads/split-tests"
    no_key = httpx.post(url, json={}, headers={"Authorization": f"Bearer {account.token}"})
    no_token = httpx.post(url, json={}, headers={"Idempotency-Key": "k"})
    assert (no_key.status_code, no_key.json()["error"]) == (
        400,
        "the Idempotency-Key header is required",
    )
    assert no_token.status_code == 401


def test_a_split_test_has_one_ad_per_variant_and_the_budget_split_evenly(
    sandbox: SandboxHandle, connector: SandboxConnector
) -> None:
    result, made = connector.create_split_test(_split(budget="100.01"))

    assert result.ok and made is not None
    assert made.ad_ids == {"A": "ad_4", "B": "ad_5"}
    assert connector.create_split_test(_split())[1] == made
    token = connector.credentials()["token"]
    items = httpx.get(
        f"{sandbox.url}/api/ads/split-tests",
        params={"idempotency_key": "s-1"},
        headers={"Authorization": f"Bearer {token}"},
    ).json()["items"]
    assert [ad["budget"] for ad in items[0]["ads"]] == ["50.00", "50.00"]
    assert items[0]["budget"] == "100.00"


def test_insights_appear_as_days_pass_and_are_deterministic(
    sandbox: SandboxHandle, connector: SandboxConnector
) -> None:
    post_id = _post(connector)
    connector.create_boost(_boost(post_id, budget="70.00", days=7))
    start = _today(sandbox)
    window = (start - timedelta(days=5), start + timedelta(days=30))

    assert connector.fetch_insights("act_1", *window) == (connector.ad_accounts()[0], [])
    sandbox.ads_simulate(3)
    result, rows = connector.fetch_insights("act_1", *window)

    assert result.ok
    campaign_rows = [r for r in rows if not r.ad_id]
    ad_rows = [r for r in rows if r.ad_id]
    assert [r.day for r in campaign_rows] == [start + timedelta(days=n) for n in range(3)]
    assert [r.day for r in ad_rows] == [r.day for r in campaign_rows]
    for campaign_row, ad_row in zip(campaign_rows, ad_rows, strict=True):
        assert (campaign_row.spend, campaign_row.clicks) == (ad_row.spend, ad_row.clicks)
        assert Decimal("9.20") <= Decimal(campaign_row.spend) <= Decimal("10.00")
        assert campaign_row.campaign_name == f"Boost of post {post_id}"
        assert 0 < campaign_row.clicks < campaign_row.impressions
    # The same question, the same answer; and the days run out at the flight's end.
    sandbox.ads_simulate(30)
    _, later = connector.fetch_insights("act_1", *window)
    assert later[: len(rows)] == rows
    totals = [Decimal(r.spend) for r in later if not r.ad_id]
    assert len(totals) == 7
    assert Decimal("64.40") <= sum(totals) <= Decimal("70.00")


def test_more_budget_buys_more_and_a_narrow_audience_costs_more(
    sandbox: SandboxHandle, account: SandboxAccount
) -> None:
    def campaign(key: str, budget: str, audience: dict[str, Any]) -> None:
        response = httpx.post(
            f"{sandbox.url}/api/ads/campaigns",
            json={
                "account_id": "act_1",
                "name": key,
                "text": "The same ad",
                "budget": budget,
                "days": 10,
                "audience": audience,
            },
            headers={"Authorization": f"Bearer {account.token}", "Idempotency-Key": key},
        )
        assert response.status_code == 201, response.text

    campaign("small", "100.00", {})
    campaign("big", "1000.00", {})
    campaign("narrow", "1000.00", {"age_min": 25, "age_max": 34, "interests": ["espresso"]})
    sandbox.ads_simulate(10)
    start = date.fromisoformat(sandbox.ads_stats()["today"]) - timedelta(days=10)
    rows = httpx.get(
        f"{sandbox.url}/api/ads/insights",
        params={"account_id": "act_1", "since": str(start), "until": str(start)},
        headers={"Authorization": f"Bearer {account.token}"},
    ).json()["rows"]
    by_name = {r["campaign_name"]: r for r in rows if not r["ad_id"]}

    assert by_name["big"]["impressions"] > 8 * by_name["small"]["impressions"]
    assert by_name["narrow"]["impressions"] < by_name["big"]["impressions"] / 1.5


def test_a_planted_ctr_makes_a_winner(sandbox: SandboxHandle, connector: SandboxConnector) -> None:
    _, made = connector.create_split_test(_split(budget="2000.00", days=10))
    assert made is not None
    sandbox.ads_control(ads={made.ad_ids["A"]: {"ctr": 0.01}, made.ad_ids["B"]: {"ctr": 0.03}})
    sandbox.ads_simulate(10)
    start = _today(sandbox) - timedelta(days=10)

    _, rows = connector.fetch_insights("act_1", start, start + timedelta(days=9))

    clicks = {ad: 0 for ad in made.ad_ids.values()}
    impressions = dict(clicks)
    for row in rows:
        if row.ad_id:
            clicks[row.ad_id] += row.clicks
            impressions[row.ad_id] += row.impressions
    ctr = {ad: clicks[ad] / impressions[ad] for ad in clicks}
    assert 0.009 < ctr[made.ad_ids["A"]] < 0.011
    assert 0.028 < ctr[made.ad_ids["B"]] < 0.032


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ({"account_id": "act_1", "since": "x", "until": "2026-01-01"}, 400, "since must be a date"),
        ({"account_id": "act_1", "since": "2026-02-01", "until": "2026-01-01"}, 400, "since"),
        ({"account_id": "act_1", "since": "2020-01-01", "until": "2026-01-01"}, 400, "400 days"),
        ({"account_id": "act_9", "since": "2026-01-01", "until": "2026-01-01"}, 404, "act_9"),
    ],
)
def test_bad_insight_questions(
    sandbox: SandboxHandle,
    account: SandboxAccount,
    params: dict[str, str],
    status: int,
    message: str,
) -> None:
    response = httpx.get(
        f"{sandbox.url}/api/ads/insights",
        params=params,
        headers={"Authorization": f"Bearer {account.token}"},
    )
    assert response.status_code == status
    assert message in response.json()["error"]


def test_bad_controls_change_nothing(sandbox: SandboxHandle, account: SandboxAccount) -> None:
    for body in ({"days": 0}, {"days": "3"}, []):
        assert httpx.post(f"{sandbox.url}/api/ads/simulate", json=body).status_code == 400
    bad = httpx.post(
        f"{sandbox.url}/api/ads/control",
        json={"currency": {account.handle: "USD"}, "ads": {"ad_77": {"ctr": 0.1}}},
    )
    assert bad.status_code == 400
    assert "ad_77" in bad.json()["error"]
    assert sandbox.ads_stats()["today"] == _today(sandbox).isoformat()
    connector = SandboxConnector({"base_url": sandbox.url}, {"token": account.token})
    assert connector.ad_accounts()[1][0].currency == "EUR"


def test_reset_forgets_the_ads_and_the_page_shows_them(
    sandbox: SandboxHandle, connector: SandboxConnector
) -> None:
    connector.create_split_test(_split())
    assert '<a href="/ads">Sandbox Ads</a>' in httpx.get(f"{sandbox.url}/").text
    page = httpx.get(f"{sandbox.url}/ads").text
    assert "Sandbox Ads" in page and "Headline test" in page and "ad_4 (A)" in page

    sandbox.control(reset=True)

    assert (sandbox.ads_stats()["split_tests"], sandbox.ads_stats()["campaigns"]) == (0, 0)
