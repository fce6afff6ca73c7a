"""The paid campaign pages: create and edit through the form (exact errors, nothing saved
on bad input), the list and the detail with exact figures, and who may do what."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from roost.conftest import World
from roost.core import clock
from roost.paid.models import PaidCampaign
from roost.paid.testing import ad_account, ad_days, paid_campaign
from roost.publishing.models import Campaign
from roost.workspaces.models import AuditEntry

NOW = datetime(2026, 11, 11, 10, 0, tzinfo=UTC)  # 11 Nov in Warsaw: 10 days of November done


@pytest.fixture(autouse=True)
def _now(monkeypatch: Any) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOW)


def _url(world: World, tail: str = "") -> str:
    return f"/w/{world.a.slug}/paid/{tail}"


def _form(account_id: int, **extra: str) -> dict[str, str]:
    data = {
        "ad_account": str(account_id),
        "name": "Winter ads",
        "objective": "traffic",
        "total_budget": "3000.00",
        "daily_budget": "",
        "starts_on": "2026-11-01",
        "ends_on": "2026-11-30",
        "campaign": "",
        "external_id": "",
    }
    data.update(extra)
    return data


def test_paid_media_creates_and_edits_a_campaign(world: World) -> None:
    acc = ad_account(world.a)
    organic = Campaign.objects.create(
        workspace=world.a, name="Winter", utm_source="roost", utm_campaign="winter"
    )
    client = world.client_for("paid_media")

    response = client.post(_url(world, "campaigns/new/"), _form(acc.pk, campaign=str(organic.pk)))

    c = PaidCampaign.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _url(world, f"campaigns/{c.pk}/")
    assert (c.total_budget, c.starts_on, c.ends_on, c.campaign_id) == (
        Decimal("3000.00"),
        date(2026, 11, 1),
        date(2026, 11, 30),
        organic.pk,
    )
    assert c.created_by == world.members["paid_media"].user
    response = client.post(
        _url(world, f"campaigns/{c.pk}/edit/"),
        _form(acc.pk, total_budget="3500", daily_budget="200"),
    )
    assert response.status_code == 302
    c.refresh_from_db()
    assert (c.total_budget, c.daily_budget, c.campaign_id) == (
        Decimal("3500.00"),
        Decimal("200.00"),
        None,
    )
    assert list(
        AuditEntry.objects.filter(action__startswith="paid.")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["paid.campaign_created", "paid.campaign_updated"]
    page = client.get(_url(world, f"campaigns/{c.pk}/")).content.decode()
    assert "3500.00 EUR" in page


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"total_budget": "0"}, "total_budget", "The budget must be more than 0."),
        ({"total_budget": "-5"}, "total_budget", "The budget must be more than 0."),
        ({"total_budget": "1000000000000"}, "total_budget", "At most 999999999999.99."),
        ({"daily_budget": "4000"}, "daily_budget", "cannot be more than the total budget"),
        ({"ends_on": "2026-10-01"}, "ends_on", "The last day cannot be before the first day."),
        ({"ends_on": "2029-12-01"}, "ends_on", "A flight lasts at most three years."),
        ({"total_budget": "", "daily_budget": ""}, "total_budget", "Give a total budget"),
        ({"starts_on": "soon"}, "starts_on", "Enter a date, like 2026-03-01."),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(
    world: World, extra: dict[str, str], field: str, message: str
) -> None:
    acc = ad_account(world.a)
    response = world.client_for("owner").post(_url(world, "campaigns/new/"), _form(acc.pk, **extra))

    assert response.status_code == 422
    assert message in response.context["form"].errors[field][0]
    assert not PaidCampaign.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="paid.").exists()


def test_another_workspaces_account_or_organic_campaign_is_refused(world: World) -> None:
    acc = ad_account(world.a)
    theirs = ad_account(world.b, "Theirs")
    their_campaign = Campaign.objects.create(workspace=world.b, name="Theirs")
    client = world.client_for("owner")

    r1 = client.post(_url(world, "campaigns/new/"), _form(theirs.pk))
    r2 = client.post(_url(world, "campaigns/new/"), _form(acc.pk, campaign=str(their_campaign.pk)))

    assert r1.status_code == r2.status_code == 422
    assert "ad_account" in r1.context["form"].errors
    assert "campaign" in r2.context["form"].errors
    assert not PaidCampaign.objects.exists()


def test_only_budget_managers_plan_campaigns(world: World) -> None:
    acc = ad_account(world.a)
    for role in ("analyst", "social_media_manager"):
        response = world.client_for(role).post(_url(world, "campaigns/new/"), _form(acc.pk))
        assert response.status_code == 403
    assert not PaidCampaign.objects.exists()
    assert world.client_for("analyst").get(_url(world, "campaigns/")).status_code == 200


def test_the_detail_shows_pacing_metrics_and_the_organic_half(world: World) -> None:
    organic = Campaign.objects.create(
        workspace=world.a, name="Winter", utm_source="roost", utm_campaign="winter"
    )
    c = paid_campaign(ad_account(world.a), campaign=organic)
    ad_days(
        c,
        date(2026, 11, 1),
        ["111"] * 10,
        impressions=10000,
        clicks=150,
        conversions="3",
        value="600",
    )

    response = world.client_for("analyst").get(_url(world, f"campaigns/{c.pk}/"))

    html = response.content.decode()
    assert response.status_code == 200
    pace = response.context["pace"]
    assert (pace.state, pace.expected, pace.actual, pace.forecast) == (
        "over",
        Decimal("1000.00"),
        Decimal("1110.00"),
        Decimal("3330.00"),
    )
    t = response.context["t"]
    # 1110 spend, 100,000 impressions, 1,500 clicks, 30 conversions worth 6,000.
    assert (t.cpm, t.cpc, t.ctr, t.cpa, t.roas) == (
        Decimal("11.10"),
        Decimal("0.74"),
        Decimal("1.50"),
        Decimal("37.00"),
        Decimal("5.41"),
    )
    assert 'data-testid="cpm">11.10 EUR' in html
    assert "utm_source=roost" in html and "utm_campaign=winter" in html
    assert "Over pace" in html
    assert response.context["organic"].posts == 0
    assert response.context["chart"].rows[0][1] == ["111.00", "100.00"]


def test_ratios_without_a_denominator_are_a_dash(world: World) -> None:
    c = paid_campaign(ad_account(world.a))
    html = world.client_for("owner").get(_url(world, f"campaigns/{c.pk}/")).content.decode()
    for key in ("cpm", "cpc", "ctr", "cpa", "roas"):
        assert f'data-testid="{key}">—</td>' in html


def test_the_list_takes_a_fixed_number_of_queries(world: World) -> None:
    acc = ad_account(world.a)
    client = world.client_for("owner")
    paid_campaign(acc, "one")
    client.get(_url(world, "campaigns/"))
    with CaptureQueriesContext(connection) as few:
        client.get(_url(world, "campaigns/"))
    for i in range(5):
        ad_days(paid_campaign(acc, f"more {i}"), date(2026, 11, 1), ["100"] * 10)
    with CaptureQueriesContext(connection) as many:
        response = client.get(_url(world, "campaigns/"))
    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(response.context["rows"]) == 6
