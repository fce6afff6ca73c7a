"""Regression tests for what the end-to-end browser walk of the paid pages found
(roost/paid/tests/test_browser_paid.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from roost.channels.services import connect_with_form
from roost.conftest import World
from roost.core import clock
from roost.networks.base import AdInsight, Outcome, Result
from roost.networks.sandbox.testing import SandboxHandle, running_sandbox
from roost.paid.models import AdSource, BoostStatus, ImportRun
from roost.paid.services import sync
from roost.paid.services.boost_delivery import boost_run
from roost.paid.services.boosts import boost_create
from roost.paid.services.imports import import_run, import_upload
from roost.paid.services.sync import ad_accounts_connect, insights_sync
from roost.paid.tests import boosting
from roost.paid.tests.boosting import FakeAdsNetwork, ad_account, fake_channel, published_post
from roost.paid.tests.factories import account, upload

fake_ads = boosting.fake_ads  # the fixture, for this module's tests


@pytest.fixture
def sandbox(settings: Any) -> Iterator[SandboxHandle]:
    with running_sandbox() as handle:
        settings.ROOST_SANDBOX_URL = handle.url
        yield handle


@pytest.fixture(autouse=True)
def _media(tmp_path: Path) -> Iterator[None]:
    with override_settings(MEDIA_ROOT=tmp_path / "media"):
        yield


def test_sandbox_syncs_are_not_listed_or_counted_as_imports(
    world: World, sandbox: SandboxHandle
) -> None:
    """The hourly Sandbox Ads sync records an ImportRun per account; the Imports page and
    the overview's count showed them, so within two days of syncs the CSV imports fell off
    the list."""
    specialist = world.members["paid_media"]
    meta = account(world)
    run, _preview = import_upload(actor=specialist, account=meta, upload=upload("meta.csv"))
    import_run(actor=specialist, run=run)
    channel = connect_with_form(
        actor=world.members["social_media_manager"], network="sandbox", fields={"name": "Beans"}
    )
    [ads] = ad_accounts_connect(actor=specialist, channel=channel)
    today = clock.now().date()
    for _ in range(3):
        insights_sync(account=ads, since=today - timedelta(days=3), until=today)
    assert ImportRun.objects.filter(ad_account=ads, source=AdSource.SANDBOX).count() == 3

    client = world.client_for("paid_media")
    listing = client.get(f"/w/{world.a.slug}/paid/imports/").content.decode()
    assert re.findall(r'data-import="(\d+)"', listing) == [str(run.pk)]
    overview = client.get(f"/w/{world.a.slug}/paid/").content.decode()
    assert re.search(r'data-testid="recent-imports">\s*1 import\s*<', overview)


def test_a_boosts_spend_is_shown_in_cents(world: World, fake_ads: FakeAdsNetwork) -> None:
    """SQLite sums a decimal column as a float: the boost page showed 0.300000000000000
    EUR for 0.10 + 0.20."""
    channel = fake_channel(world.a)
    ads = ad_account(world.a, channel)
    boost = boost_create(
        actor=world.members["paid_media"],
        post=published_post(world.members["owner"], channel),
        channel=channel,
        ad_account=ads,
        budget="70.00",
        days=7,
        audience={"countries": ["PL"]},
    )
    assert boost_run(boost.pk) == BoostStatus.ACTIVE
    today, tomorrow = clock.now().date(), clock.now().date() + timedelta(days=1)
    rows = [
        AdInsight(campaign_id="camp-1", day=today, spend="0.10", impressions=40, clicks=1),
        AdInsight(campaign_id="camp-1", day=tomorrow, spend="0.20", impressions=60, clicks=2),
    ]
    assert sync._record(ads, Result(Outcome.OK), rows).created == 2  # as the sync writes them

    page = world.client_for("paid_media").get(f"/w/{world.a.slug}/paid/boosts/{boost.pk}/")
    figures = page.content.decode().split('data-testid="boost-figures"')[1].split("</dl>")[0]
    assert re.findall(r"<dd>([^<]*)</dd>", figures) == ["0.30 EUR", "100", "3"]


def test_the_experiment_page_states_the_plan_in_percent_as_the_form_asked(world: World) -> None:
    """The form asks for 2.5 (%) and 20 (%); the page said "a relative lift of 0.2 from a
    rate of 0.025 (false alarms 0.05, power 0.8)"."""
    client = world.client_for("paid_media")
    form = {
        "name": "Headline",
        "kind": "organic",
        "metric": "ctr",
        "variant_a": "Fresh beans every morning",
        "variant_b": "Your Sunday coffee, delivered",
        "baseline_pct": "2.5",
        "min_effect_pct": "20",
        "alpha": "0.05",
        "power": "0.8",
    }
    response = client.post(f"/w/{world.a.slug}/paid/experiments/new/", form)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    planned = page.split('data-testid="planned">')[1].split("</p>")[0]
    assert planned.endswith(
        "trials per version, to find a relative lift of 20% from a rate of 2.5% "
        "(false alarms 5%, power 80%)."
    )
