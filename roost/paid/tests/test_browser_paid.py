"""Issue 14's "done when", in a real browser: the paid media specialist imports a Meta Ads
Manager export, plans the campaign it holds and sees its pacing, boosts a published post
(the social media manager approves the spend), and runs a paid split test on the Sandbox
Ads until the rule decides it."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from roost.channels.models import Channel
from roost.channels.services import connect_with_form
from roost.core import clock
from roost.networks.sandbox.testing import SandboxHandle
from roost.paid import tasks
from roost.paid.models import (
    AdAccount,
    AdDay,
    AdSource,
    Boost,
    BoostStatus,
    Experiment,
    ExperimentStatus,
    ImportRun,
    PaidCampaign,
)
from roost.publishing.models import Delivery, DeliveryStatus, Post
from roost.publishing.services.compose import PostInput, post_compose
from roost.publishing.tests.conftest import drain, sandbox  # noqa: F401 - fixture
from roost.web.tests.browser import page  # noqa: F401 - fixture
from roost.web.tests.pages import sign_in, visit

pytestmark = [pytest.mark.browser]

# Ten days of "Winter coffee" (100.00 EUR in all) and three of "Gift cards", as Meta Ads
# Manager exports a report broken down by day: its own column names and order, thousands
# separators in quoted numbers, an empty "Results" where nothing converted.
WINTER = (
    "9.50", "10.50", "9.75", "10.25", "10.00", "9.00", "11.00", "10.40", "9.60", "10.00",
)  # fmt: skip
GIFT = ("4.00", "5.00", "6.00")
TEXT = "Our winter blend is back: cinnamon and orange."
HEADER = (
    "Reporting starts,Reporting ends,Day,Campaign name,Campaign ID,Campaign delivery,"
    "Reach,Impressions,Amount spent (EUR),Link clicks,Results,Result indicator"
)


def _meta_export(today: date) -> tuple[bytes, dict[tuple[str, date], tuple[Any, ...]]]:
    """The CSV and, per (campaign, day), the figures it carries: spend, impressions,
    reach, clicks, conversions."""
    lines = [HEADER]
    expected: dict[tuple[str, date], tuple[Any, ...]] = {}
    first, last = today - timedelta(days=10), today - timedelta(days=1)
    for i, spend in enumerate(WINTER):
        day = first + timedelta(days=i)
        impressions, reach, clicks, results = 1_150 + 37 * i, 900 + 20 * i, 30 + i, i % 3
        lines.append(
            f'{first},{last},{day},Winter coffee,23851234,active,{reach},"{impressions:,}",'
            f"{spend},{clicks},{results or ''},actions:offsite_conversion.fb_pixel_purchase"
        )
        expected["Winter coffee", day] = (Decimal(spend), impressions, reach, clicks, results)
    for i, spend in enumerate(GIFT):
        day = first + timedelta(days=i)
        lines.append(f"{first},{last},{day},Gift cards,23851299,inactive,380,400,{spend},9,,")
        expected["Gift cards", day] = (Decimal(spend), 400, 380, 9, 0)
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig"), expected


def _stored(account: AdAccount) -> dict[tuple[str, date], tuple[Any, ...]]:
    rows = AdDay.objects.filter(campaign__ad_account=account).select_related("campaign")
    return {
        (d.campaign.name, d.day): (d.spend, d.impressions, d.reach, d.clicks, int(d.conversions))
        for d in rows
    }


def _upload(tab: Any, base: str, slug: str, csv: bytes) -> None:
    from playwright.sync_api import expect

    visit(tab, f"{base}/w/{slug}/paid/imports/new/")
    form = tab.get_by_test_id("import-form")
    form.get_by_label("Ad account").select_option(label="Meta EU (EUR)")
    form.get_by_label("CSV export").set_input_files(
        files=[{"name": "meta-daily.csv", "mimeType": "text/csv", "buffer": csv}]
    )
    form.get_by_test_id("import-upload").click()
    expect(tab).to_have_url(re.compile(rf"/w/{slug}/paid/imports/\d+/$"))
    expect(tab.get_by_test_id("import-source")).to_have_text("Meta Ads Manager")
    expect(tab.get_by_test_id("import-rows")).to_have_text("13")


def _import_meta_csv(tab: Any, base: str, slug: str, today: date) -> AdAccount:
    """Step 1: a Meta ad account, an export previewed and imported, then imported again."""
    from playwright.sync_api import expect

    visit(tab, f"{base}/w/{slug}/paid/")
    tab.get_by_test_id("paid-nav").get_by_role("link", name="Ad accounts").click()
    tab.get_by_role("link", name="Add an ad account").first.click()
    form = tab.get_by_test_id("account-form")
    form.get_by_label("Name").fill("Meta EU")
    form.get_by_label("Where its figures come from").select_option(label="Meta Ads Manager")
    form.get_by_label("Account id at the source").fill("act_1029384756")
    form.get_by_label("Currency").fill("eur")
    form.get_by_test_id("account-save").click()
    expect(tab.locator(".messages")).to_contain_text("Ad account added.")
    account = AdAccount.objects.get(name="Meta EU")
    assert (account.source, account.currency) == (AdSource.META, "EUR")

    csv, expected = _meta_export(today)
    _upload(tab, base, slug, csv)
    expect(tab.get_by_test_id("import-campaigns")).to_contain_text(
        "2 new campaigns: Winter coffee, Gift cards."
    )
    assert not AdDay.objects.exists()  # a preview stores nothing
    tab.get_by_test_id("import-confirm").click()
    expect(tab.locator(".messages")).to_contain_text(
        "Imported 13 rows: 13 new, 0 changed, 0 unchanged."
    )
    expect(tab.get_by_test_id("import-counts")).to_have_text("13, 0, 0")
    assert _stored(account) == expected

    # The same file again: the campaigns are known, and nothing changes.
    stamps = dict(AdDay.objects.values_list("pk", "updated_at"))
    _upload(tab, base, slug, csv)
    expect(tab.get_by_test_id("import-campaigns")).to_contain_text("0 new campaigns.")
    expect(tab.get_by_test_id("import-campaigns")).to_contain_text("2 existing")
    tab.get_by_test_id("import-confirm").click()
    expect(tab.get_by_test_id("import-counts")).to_have_text("0, 0, 13")
    assert _stored(account) == expected
    assert dict(AdDay.objects.values_list("pk", "updated_at")) == stamps
    assert ImportRun.objects.filter(ad_account=account, status="imported").count() == 2
    assert PaidCampaign.objects.filter(ad_account=account).count() == 2
    return account


def _plan_and_pace(tab: Any, base: str, slug: str, today: date) -> None:
    """Step 2: the imported campaign gets its budget and flight, and its pacing shows."""
    from playwright.sync_api import expect

    tab.get_by_test_id("paid-nav").get_by_role("link", name="Campaigns").click()
    tab.get_by_role("link", name="Winter coffee").click()
    expect(tab.get_by_test_id("pacing")).to_contain_text("No budget")
    tab.get_by_test_id("campaign-edit").click()
    form = tab.get_by_test_id("campaign-form")
    form.get_by_label("Objective").select_option("sales")
    form.get_by_label("Total budget (in the account's currency)").fill("300")
    form.get_by_label("First day").fill((today - timedelta(days=10)).isoformat())
    form.get_by_label("Last day").fill((today + timedelta(days=19)).isoformat())
    form.get_by_test_id("campaign-save").click()
    campaign = PaidCampaign.objects.get(name="Winter coffee")
    expect(tab).to_have_url(re.compile(rf"/w/{slug}/paid/campaigns/{campaign.pk}/$"))
    assert campaign.total_budget == Decimal("300.00")
    # A 30-day flight, 10 days gone: 100.00 expected, 100.00 spent — on pace. The last
    # seven days averaged 70.25 / 7 a day, so the flight ends near 100 + 20 × 10.0357.
    expect(tab.get_by_test_id(f"pacing-{campaign.pk}")).to_have_text("On pace")
    expect(tab.get_by_test_id("planned")).to_have_text("300.00 EUR")
    expect(tab.get_by_test_id("expected")).to_contain_text("100.00 EUR")
    expect(tab.get_by_test_id("expected")).to_contain_text("10 of 30 days")
    expect(tab.get_by_test_id("actual")).to_have_text("100.00 EUR")
    expect(tab.get_by_test_id("run-rate")).to_contain_text("10.04 EUR")
    expect(tab.get_by_test_id("forecast")).to_contain_text("300.71 EUR")
    # And in the list, beside the other campaign of the export (which has no plan).
    tab.get_by_test_id("paid-nav").get_by_role("link", name="Campaigns").click()
    expect(tab.get_by_test_id(f"pacing-{campaign.pk}")).to_have_text("On pace")


def _published_post(world: Any, capture: Any) -> tuple[Channel, Post]:
    """A post published now on a Sandbox channel through the real publisher."""
    manager = world.members["social_media_manager"]
    channel = connect_with_form(actor=manager, network="sandbox", fields={"name": "Coffee Sandbox"})
    with capture(execute=True):
        post = post_compose(
            actor=manager,
            data=PostInput(text=TEXT, channel_ids=[channel.pk]),
            mode="now",
        )
        drain()
    delivery = Delivery.objects.get(post=post, channel=channel)
    assert delivery.status == DeliveryStatus.PUBLISHED and delivery.remote_id
    return channel, post


def _connect_sandbox_ads(tab: Any, base: str, slug: str) -> AdAccount:
    from playwright.sync_api import expect

    visit(tab, f"{base}/w/{slug}/paid/")
    tab.get_by_test_id("paid-nav").get_by_role("link", name="Sandbox Ads").click()
    row = tab.get_by_role("row").filter(has_text="Coffee Sandbox")
    row.get_by_test_id("sandbox-ads-connect").click()
    expect(tab.locator(".messages")).to_contain_text("Connected:")
    account = AdAccount.objects.get(source=AdSource.SANDBOX, channel__name="Coffee Sandbox")
    assert account.currency == "EUR"
    return account


def _boost(
    tab: Any, base: str, world: Any, post: Post, network: SandboxHandle, account: AdAccount
) -> None:
    """Step 3: a boost above the threshold, approved by the manager, made once."""
    from playwright.sync_api import expect

    slug = world.a.slug
    visit(tab, f"{base}/w/{slug}/posts/{post.pk}/")
    tab.get_by_test_id("post-action").filter(has_text="Boost").click()
    form = tab.get_by_test_id("boost-form")
    expect(form.get_by_test_id("boost-threshold")).to_contain_text("100.00 EUR")
    form.get_by_label("Channel").select_option(label="Coffee Sandbox")
    form.get_by_label("Ad account").select_option(label=f"{account.name} (EUR)")
    form.get_by_label("Budget").fill("250")
    form.get_by_label("Duration in days").fill("7")
    form.get_by_label("Countries").fill("PL, DE")
    form.get_by_role("button", name="Boost").click()
    expect(tab).to_have_url(re.compile(rf"/w/{slug}/paid/boosts/\d+/$"))
    expect(tab.get_by_test_id("boost-status")).to_have_text("Waiting for approval")
    boost = Boost.objects.get(post=post)
    assert boost.status == BoostStatus.IN_REVIEW and boost.budget == Decimal("250.00")
    assert network.ads_stats()["boosts"] == 0  # nothing is spent before the approval

    # The social media manager approves the spend from the approvals queue.
    tab.context.clear_cookies()
    sign_in(tab, base, world, "social_media_manager")
    visit(tab, f"{base}/w/{slug}/approvals/")
    title = f"Boost of 250.00 EUR for 7 days: {TEXT}"
    queue = tab.get_by_test_id("waiting-for-me")
    expect(queue).to_contain_text(title)
    queue.get_by_role("link", name=title).click()
    facts = tab.get_by_test_id("review-facts")
    expect(facts).to_contain_text("250.00 EUR")
    expect(facts).to_contain_text("DE, PL")
    tab.get_by_label("Comment").fill("Go: the launch week is worth it.")
    tab.get_by_role("button", name="Approve", exact=True).click()
    expect(tab.locator(".messages")).to_contain_text("Your decision was recorded.")

    # The boost worker (run on approval) and the job's sweep: one boost on the network.
    tasks.sweep_boosts.call()
    boost.refresh_from_db()
    assert boost.status == BoostStatus.ACTIVE and boost.remote_id
    stats = network.ads_stats()
    assert stats["boosts"] == 1 and stats["duplicates"] == 0
    assert stats["created_by_key"]["boost"] == {str(boost.idempotency_key): 1}

    tab.context.clear_cookies()
    sign_in(tab, base, world, "paid_media")
    visit(tab, f"{base}/w/{slug}/paid/boosts/{boost.pk}/")
    expect(tab.get_by_test_id("boost-status")).to_have_text("Running")
    manager_name = world.members["social_media_manager"].user.display_name
    expect(tab.get_by_test_id("boost-approval")).to_contain_text(f"Approved by {manager_name}")
    expect(tab.get_by_test_id("boost-remote-id")).to_have_text(boost.remote_id)


def _split_test(tab: Any, base: str, slug: str, network: SandboxHandle, account: AdAccount) -> None:
    """Step 4: a paid split test, a planted difference, the sync and the rule's decision."""
    from playwright.sync_api import expect

    visit(tab, f"{base}/w/{slug}/paid/")
    tab.get_by_test_id("paid-nav").get_by_role("link", name="A/B tests").click()
    tab.get_by_role("link", name="New A/B test").first.click()
    form = tab.get_by_test_id("experiment-form")
    form.get_by_label("Name").fill("Winter headline")
    form.get_by_label("Kind").select_option("paid")
    form.get_by_label("What counts as better").select_option("ctr")
    form.get_by_label("Version A").fill("Fresh beans every morning")
    form.get_by_label("Version B").fill("Your Sunday coffee, delivered")
    form.get_by_label("Today's rate (%)").fill("2")
    form.get_by_label("Smallest lift worth finding (%)").fill("50")
    form.get_by_label("Ad account (paid tests)").select_option(label=f"{account.name} (EUR)")
    form.get_by_test_id("plan-button").click()
    expect(tab.get_by_test_id("plan-size")).to_contain_text("Each version needs")
    tab.get_by_test_id("experiment-form").get_by_test_id("experiment-save").click()
    experiment = Experiment.objects.get(name="Winter headline")
    expect(tab).to_have_url(re.compile(rf"/w/{slug}/paid/experiments/{experiment.pk}/$"))
    expect(tab.get_by_test_id("experiment-status")).to_have_text("Draft")

    start = tab.get_by_test_id("start-form")
    start.get_by_label("Budget").fill("2000")
    start.get_by_label("Days").fill("10")
    start.get_by_label("Countries (optional)").fill("PL, DE")
    start.get_by_test_id("experiment-start").click()
    expect(tab.get_by_test_id("experiment-status")).to_have_text("Running")
    experiment.refresh_from_db()
    ads = dict(experiment.variants.values_list("label", "remote_id"))
    assert set(ads) == {"A", "B"} and all(ads.values())  # the split exists on the network
    assert network.ads_stats()["split_tests"] == 1

    # B truly gets twice the clicks; three simulated days; the jobs sync and decide.
    network.ads_control(ads={ads["A"]: {"ctr": 0.02}, ads["B"]: {"ctr": 0.04}})
    network.ads_simulate(3)
    assert tasks.sync_ad_accounts.call() == 0
    assert tasks.check_experiments.call() == 1
    experiment.refresh_from_db()
    assert experiment.status == ExperimentStatus.DECIDED
    assert experiment.decision["winner"] == "B"
    low, high = experiment.decision["interval"]

    visit(tab, f"{base}/w/{slug}/paid/experiments/{experiment.pk}/")
    expect(tab.get_by_test_id("experiment-status")).to_have_text("Decided")
    expect(tab.get_by_test_id("decision-recorded")).to_have_text("Version B wins.")
    comparison = tab.get_by_test_id("comparison-B")
    expect(comparison).to_contain_text(f"{low:.4f} … {high:.4f}")
    expect(comparison).to_contain_text("yes")
    expect(tab.get_by_test_id("rule")).not_to_be_empty()
    assert 0 < low < high


def test_the_paid_specialist_imports_plans_boosts_and_tests(
    live_server: Any,
    world: Any,
    page: Any,  # noqa: F811 - the fixture
    sandbox: SandboxHandle,  # noqa: F811 - the fixture
    django_capture_on_commit_callbacks: Any,
) -> None:
    base = live_server.url
    slug = world.a.slug
    today = clock.now().astimezone(world.a.tzinfo).date()
    channel, post = _published_post(world, django_capture_on_commit_callbacks)
    sign_in(page, base, world, "paid_media")

    _import_meta_csv(page, base, slug, today)
    _plan_and_pace(page, base, slug, today)
    account = _connect_sandbox_ads(page, base, slug)
    assert account.channel_id == channel.pk
    _boost(page, base, world, post, sandbox, account)
    _split_test(page, base, slug, sandbox, account)
