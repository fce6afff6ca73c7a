"""ROI: hand-computed figures, the assumptions shown, CSV import (bad input refused with
row and column, nothing stored; re-import updates), and who may see and change it."""

from __future__ import annotations

import codecs
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from roost.analytics import roi
from roost.analytics.models import CampaignCost, Conversion, RoiSettings
from roost.analytics.selectors import Period
from roost.analytics.services import links
from roost.analytics.services import roi as roi_services
from roost.analytics.testing import published, read
from roost.core import clock
from roost.core.exceptions import PermissionDenied, ValidationFailed
from roost.inbox.models import Conversation, Message, Task
from roost.publishing.models import Campaign, Post


def _today(world: Any) -> date:
    return clock.now().astimezone(world.a.tzinfo).date()


def _message(world: Any, delivery: Any | None, n: int) -> Message:
    """A message in a conversation answering `delivery` (None: answering nothing of ours)."""
    conversation = Conversation.objects.create(
        workspace=world.a, channel=world.a_channel, key=f"roi-{n}", delivery=delivery
    )
    m = Message.objects.get(pk=world.a_inbox.message.pk)
    m.pk = None
    m.remote_id = f"roi-{n}"
    m.conversation = conversation
    m.save()
    return m


def _setup(world: Any) -> tuple[Campaign, Campaign]:
    """Winter: 3 leads, 2 conversions worth 120.50 + 79.50, 40 network clicks + 2 short-link
    clicks, production cost 150. Spring: nothing but a cost of 0. Plus 1 lead and one
    conversion (50) outside any campaign, and 10 clicks on a post without campaign."""
    winter = Campaign.objects.create(workspace=world.a, name="Winter")
    spring = Campaign.objects.create(workspace=world.a, name="Spring")
    now = clock.now()
    post = Post.objects.create(workspace=world.a, text="w", campaign=winter)
    d = published(world.a_channel, now - timedelta(hours=3), post=post)
    read(d, now - timedelta(hours=2), likes=1, clicks=40)
    link = links.link_for_delivery(d, "https://shop.example/w")
    assert link is not None
    links.short_link_click(link=link)
    links.short_link_click(link=link)
    plain = published(world.a_channel, now - timedelta(hours=3), text="p")
    read(plain, now - timedelta(hours=2), clicks=10)
    answer = _message(world, d, 1)
    other = _message(world, None, 2)
    for m in (answer, answer, answer, other):
        Task.objects.create(workspace=world.a, message=m, kind="lead")
    Task.objects.create(workspace=world.a, message=answer, kind="support")  # not a lead
    today = _today(world)
    owner = world.members["owner"]
    roi_services.conversions_record(
        actor=owner,
        items=[
            roi_services.ConversionInput(today, "120.50", "o-1", 1, winter.pk),
            roi_services.ConversionInput(today, "79.50", "o-2", 1, winter.pk),
            roi_services.ConversionInput(today, "50", "o-3", 1, None),
            roi_services.ConversionInput(today - timedelta(days=400), "999", "old", 1, None),
        ],
    )
    roi_services.roi_settings_save(
        actor=owner,
        value_per_lead="25",
        value_per_click="0.10",
        currency="EUR",
        shorten_links=False,
    )
    roi_services.campaign_cost_save(actor=owner, campaign_id=winter.pk, cost="150")
    roi_services.campaign_cost_save(actor=owner, campaign_id=spring.pk, cost="0")
    return winter, spring


def test_roi_is_computed_as_documented(world: Any) -> None:
    winter, spring = _setup(world)
    today = _today(world)
    overall, lines = roi.roi_report(world.a, Period(today - timedelta(days=6), today))
    w = next(r for r in lines if r.campaign == winter)
    # Winter: 3 × 25 + (120.50 + 79.50) + (40 + 2) × 0.10 = 75 + 200 + 4.20 = 279.20;
    # cost 150 (no paid spend); ROI (279.20 − 150) ÷ 150 × 100 = 86.1 %.
    assert (w.leads, w.network_clicks, w.link_clicks, w.conversions) == (3, 40, 2, 2)
    assert w.value == Decimal("279.20")
    assert w.cost == Decimal("150.00")
    assert w.paid_spend is None
    assert w.roi_percent == Decimal("86.1")
    s = next(r for r in lines if r.campaign == spring)
    assert (s.value, s.cost, s.roi_percent) == (Decimal("0.00"), Decimal("0.00"), None)
    # Overall: 4 × 25 + 250 + 52 × 0.10 = 100 + 250 + 5.20 = 355.20; cost 150 → 136.8 %.
    assert (overall.leads, overall.clicks, overall.conversions) == (4, 52, 3)
    assert overall.value == Decimal("355.20")
    assert overall.roi_percent == Decimal("136.8")


def test_the_page_shows_figures_and_assumptions(world: Any) -> None:
    winter, _spring = _setup(world)
    html = world.client_for("analyst").get("/w/alpha/analytics/roi/?range=7").content.decode()
    assert f'data-testid="roi-value-{winter.pk}">279.20 EUR<' in html
    assert f'data-testid="roi-percent-{winter.pk}">86.1 %<' in html
    assert 'data-testid="roi-value-all">355.20 EUR<' in html
    assert "value = leads × value per lead + conversion value + clicks × value per click" in html
    assert 'data-testid="roi-vpl">25.00 EUR<' in html
    assert 'data-testid="roi-vpc">0.10 EUR<' in html
    assert "No paid spend recorded." in html
    assert "roi-settings-form" in html  # the analyst may change the assumptions


def test_who_may_see_and_change(world: Any) -> None:
    assert world.client_for("content_creator").get("/w/alpha/analytics/roi/").status_code == 403
    r = world.client_for("paid_media").get("/w/alpha/analytics/roi/")
    assert r.status_code == 200
    assert "roi-settings-form" not in r.content.decode()
    r = world.client_for("paid_media").post(
        "/w/alpha/analytics/roi/settings/",
        {"value_per_lead": "5", "value_per_click": "1", "currency": "EUR"},
    )
    assert r.status_code == 403
    assert not RoiSettings.objects.exists()
    with pytest.raises(PermissionDenied):
        roi_services.conversions_import_csv(
            actor=world.members["paid_media"], data=b"day,value\n2026-01-01,5\n"
        )


def test_settings_are_saved_and_bad_values_explained(world: Any) -> None:
    client = world.client_for("analyst")
    r = client.post(
        "/w/alpha/analytics/roi/settings/",
        {"value_per_lead": "-3", "value_per_click": "abc", "currency": "XXX"},
    )
    assert r.status_code == 422
    assert not RoiSettings.objects.exists()
    r = client.post(
        "/w/alpha/analytics/roi/settings/",
        {
            "value_per_lead": "12,50",
            "value_per_click": "0.05",
            "currency": "GBP",
            "shorten_links": "on",
        },
    )
    assert r.status_code == 302
    s = RoiSettings.objects.get(workspace=world.a)
    assert (s.value_per_lead, s.value_per_click, s.currency, s.shorten_links) == (
        Decimal("12.50"),
        Decimal("0.0500"),
        "GBP",
        True,
    )


def test_cost_of_another_workspaces_campaign_is_refused(world: Any) -> None:
    theirs = Campaign.objects.create(workspace=world.b, name="Theirs")
    r = world.client_for("owner").post(
        "/w/alpha/analytics/roi/cost/", {"campaign": theirs.pk, "production_cost": "10"}
    )
    assert r.status_code == 422
    assert not CampaignCost.objects.exists()


def _import(world: Any, data: bytes) -> roi_services.ImportResult:
    return roi_services.conversions_import_csv(actor=world.members["analyst"], data=data)


def test_csv_import_with_header_bom_and_semicolons(world: Any) -> None:
    Campaign.objects.create(workspace=world.a, name="Winter")
    data = codecs.BOM_UTF8 + (
        b"Date;Conversions;Revenue;Campaign;Order ID\n"
        b"2026-11-02;2;120,50;winter;A-1\n"
        b"03.11.2026;1;9.99;;A-2\n"
    )
    result = _import(world, data)
    assert (result.rows, result.added, result.updated) == (2, 2, 0)
    a1 = Conversion.objects.get(external_id="A-1")
    assert (a1.day, a1.count, a1.value, a1.campaign.name, a1.source) == (
        date(2026, 11, 2),
        2,
        Decimal("120.50"),
        "Winter",
        "csv",
    )
    # The same file again: the rows are updated, not added; a changed value is taken.
    again = _import(world, data.replace(b"9.99", b"19.99"))
    assert (again.added, again.updated) == (0, 2)
    assert Conversion.objects.count() == 2
    assert Conversion.objects.get(external_id="A-2").value == Decimal("19.99")


def test_csv_without_ids_or_header_is_idempotent_too(world: Any) -> None:
    data = b"2026-11-02,1,10\n2026-11-02,1,10\n2026-11-03,3,30.5\n"
    assert _import(world, data).added == 3  # two identical rows: two conversions
    assert _import(world, data).added == 0
    assert Conversion.objects.count() == 3


def test_csv_in_utf16_and_windows_1252(world: Any) -> None:
    Campaign.objects.create(workspace=world.a, name="Café")
    text = "day,value,campaign\n2026-11-02,10,Café\n"
    assert _import(world, text.encode("utf-16")).added == 1
    assert _import(world, text.replace("10", "11").encode("cp1252")).added == 1
    assert Conversion.objects.filter(campaign__name="Café").count() == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"\n\n", "The file is empty."),
        (b"day,value\n", "The file has a header row but no conversions."),
        (b"when,how much\n2026-01-01,5\n", "Row 1 names no known columns."),
        (b"day,value\n2026-13-01,5\n", "Row 2, column “day”"),
        (b"day,value\n2026-01-01,abc\n", "Row 2, column “value”"),
        (b"day,value\n2026-01-01,-5\n", "is not an amount of 0 or more"),
        (b"day,value\n2026-01-01,1e400\n", "is not an amount of 0 or more"),
        (b"day,value\n2026-01-01,NaN\n", "is not an amount of 0 or more"),
        (b"day,value,count\n2026-01-01,5,1.5\n", "Row 2, column “count”"),
        (b"day,value,campaign\n2026-01-01,5,Nope\n", "there is no campaign called"),
        (b"day,value,id\n2026-01-01,5,x\n2026-01-02,5,x\n", "also on row 2"),
        (b"day,value\n2026-01-01,5\n2026-01-02\n", "Row 3, column “value”"),
        (b'day,value\n"2026-01-01,5\n', "Row 2"),
        (b"x" * (roi_services.MAX_CSV_BYTES + 1), "larger than 2 MB"),
    ],
)
def test_bad_csv_is_refused_and_nothing_stored(world: Any, data: bytes, message: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        _import(world, data)
    text = " ".join(caught.value.errors["file"])
    assert message in text, text
    assert Conversion.objects.count() == 0


def test_one_bad_row_among_good_ones_stores_none(world: Any) -> None:
    data = b"day,value\n2026-01-01,5\n2026-01-02,5\n2026-01-03,oops\n"
    with pytest.raises(ValidationFailed) as caught:
        _import(world, data)
    assert caught.value.errors["file"] == [
        "Row 4, column “value”: “oops” is not an amount of 0 or more."
    ]
    assert Conversion.objects.count() == 0


def test_import_through_the_page(world: Any) -> None:
    client = world.client_for("analyst")
    upload = SimpleUploadedFile("c.csv", b"day,value\n2026-01-01,5\n", content_type="text/csv")
    r = client.post("/w/alpha/analytics/roi/import/", {"file": upload})
    assert r.status_code == 302
    assert Conversion.objects.count() == 1
    bad = SimpleUploadedFile("c.csv", b"day,value\n2026-01-01,x\n", content_type="text/csv")
    r = client.post("/w/alpha/analytics/roi/import/", {"file": bad})
    assert r.status_code == 422
    assert "Row 2, column “value”" in r.content.decode()
    assert Conversion.objects.count() == 1


def test_the_page_costs_the_same_queries_for_one_or_many_campaigns(world: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = world.client_for("analyst")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/w/alpha/analytics/roi/").status_code == 200
        return len(captured)

    Campaign.objects.create(workspace=world.a, name="One")
    one = queries()
    for n in range(6):
        campaign = Campaign.objects.create(workspace=world.a, name=f"More {n}")
        CampaignCost.objects.create(campaign=campaign, workspace=world.a, production_cost=5)
    assert queries() == one
