"""Settings and rates, spend across currencies (never added up without a rate, and the
missing rate named), the overview's figures, and the ROI spend source."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from roost.analytics.models import RoiSettings
from roost.analytics.roi import paid_spend
from roost.analytics.selectors import Period
from roost.conftest import World
from roost.core import clock
from roost.core.exceptions import PermissionDenied, ValidationFailed
from roost.paid.models import CurrencyRate, PaidSettings
from roost.paid.roi_source import roi_notes
from roost.paid.services.settings import currency_rate_set, paid_settings_save
from roost.paid.testing import ad_account, ad_days, paid_campaign
from roost.publishing.models import Campaign
from roost.workspaces.models import AuditEntry

NOW = datetime(2026, 11, 11, 10, 0, tzinfo=UTC)
NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30))


@pytest.fixture(autouse=True)
def _now(monkeypatch: Any) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOW)


def two_currencies(world: World) -> tuple[Any, Any]:
    eur = paid_campaign(ad_account(world.a, "Meta EUR"), "EUR ads")
    usd = paid_campaign(ad_account(world.a, "Google USD", "USD", "google"), "USD ads")
    ad_days(eur, date(2026, 11, 1), ["100"] * 10)  # 1,000 EUR
    ad_days(usd, date(2026, 11, 1), ["50"] * 10)  # 500 USD
    return eur, usd


def test_settings_and_a_rate_are_saved_and_audited(world: World) -> None:
    owner = world.members["owner"]
    paid_settings_save(actor=owner, currency="pln ", approval_threshold="250")
    rate = currency_rate_set(actor=owner, currency="usd", rate="3.95")

    s = PaidSettings.objects.get(workspace=world.a)
    assert (s.currency, s.approval_threshold) == ("PLN", Decimal("250.00"))
    assert (rate.currency, rate.rate) == ("USD", Decimal("3.95"))
    assert list(
        AuditEntry.objects.filter(action__startswith="paid.")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["paid.settings_saved", "paid.rate_set"]


@pytest.mark.parametrize(
    ("currency", "rate", "field"),
    [
        ("XYZ", "1", "currency"),
        ("USD", "0", "rate"),
        ("USD", "-1", "rate"),
        ("EUR", "1", "currency"),
    ],
)
def test_bad_rates_are_refused(world: World, currency: str, rate: str, field: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        currency_rate_set(actor=world.members["owner"], currency=currency, rate=rate)
    assert list(caught.value.errors) == [field]
    assert not CurrencyRate.objects.exists()


def test_only_budget_managers_change_settings(world: World) -> None:
    with pytest.raises(PermissionDenied):
        currency_rate_set(actor=world.members["analyst"], currency="USD", rate="1")
    response = world.client_for("social_media_manager").post(
        f"/w/{world.a.slug}/paid/settings/rates/", {"currency": "USD", "rate": "0.9"}
    )
    assert response.status_code == 403
    assert not CurrencyRate.objects.exists()


def test_the_overview_leaves_out_and_names_spend_without_a_rate(world: World) -> None:
    two_currencies(world)
    client = world.client_for("analyst")

    before = client.get(f"/w/{world.a.slug}/paid/")
    currency_rate_set(actor=world.members["owner"], currency="USD", rate="0.9")
    after = client.get(f"/w/{world.a.slug}/paid/")

    assert before.context["month"].amount == Decimal("1000.00")
    assert "USD spend (500.00 USD) not included: no rate set." in before.content.decode()
    assert after.context["month"].amount == Decimal("1450.00")  # 1,000 + 500 × 0.9
    assert after.context["last30"].missing == {}
    assert "not included" not in after.content.decode()
    assert len(after.context["rows"]) == 2


def test_the_overview_without_an_account_says_what_to_do_first(world: World) -> None:
    html = world.client_for("owner").get(f"/w/{world.a.slug}/paid/").content.decode()
    assert 'data-testid="paid-empty"' in html
    assert "First add an ad account" in html


def test_the_settings_page_saves_and_shows_what_has_no_rate(world: World) -> None:
    two_currencies(world)
    client = world.client_for("paid_media")
    url = f"/w/{world.a.slug}/paid/settings/"

    assert "Ad accounts spend in USD with no rate set." in client.get(url).content.decode()
    bad = client.post(url, {"currency": "ZZZ", "approval_threshold": "100"})
    good = client.post(f"{url}rates/", {"currency": "USD", "rate": "0.92"})

    assert bad.status_code == 422
    assert "Enter an ISO 4217 currency code" in bad.content.decode()
    assert good.status_code == 302
    assert CurrencyRate.objects.get().rate == Decimal("0.92")
    assert "no rate set" not in client.get(url).content.decode()


def test_roi_gets_the_paid_spend_in_its_currency(world: World) -> None:
    eur, _usd = two_currencies(world)
    winter = Campaign.objects.create(workspace=world.a, name="Winter")
    eur.campaign = winter
    eur.save()
    RoiSettings.objects.create(workspace=world.a, currency="EUR")

    assert paid_spend(world.a, NOVEMBER, None) == Decimal("1000.00")
    assert roi_notes(world.a, NOVEMBER, None) == [
        "USD spend (500.00 USD) not included: no rate set."
    ]
    assert paid_spend(world.a, NOVEMBER, winter) == Decimal("1000.00")
    currency_rate_set(actor=world.members["owner"], currency="USD", rate="0.9")
    assert paid_spend(world.a, NOVEMBER, None) == Decimal("1450.00")
    # ROI in PLN: through the reporting currency, when PLN has a rate too.
    RoiSettings.objects.filter(workspace=world.a).update(currency="PLN")
    assert paid_spend(world.a, NOVEMBER, None) is None
    currency_rate_set(actor=world.members["owner"], currency="PLN", rate="0.25")
    assert paid_spend(world.a, NOVEMBER, None) == Decimal("5800.00")  # 1,450 EUR ÷ 0.25
    assert paid_spend(world.a, Period(date(2026, 12, 1), date(2026, 12, 31)), None) is None


def test_the_roi_page_shows_the_paid_spend_and_what_it_leaves_out(world: World) -> None:
    two_currencies(world)
    RoiSettings.objects.create(workspace=world.a, currency="EUR")

    response = world.client_for("analyst").get(
        f"/w/{world.a.slug}/analytics/roi/",
        {"range": "custom", "start": "2026-11-01", "end": "2026-11-10"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["overall"].paid_spend == Decimal("1000.00")
    assert 'data-testid="roi-spend">1000.00 EUR' in html
    assert "USD spend (500.00 USD) not included: no rate set." in html
