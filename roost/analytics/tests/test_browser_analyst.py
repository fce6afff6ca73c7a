"""Issue 12's "done when", in a real browser: the analyst opens the overview with figures
read from the Sandbox, drills into a post, sets a goal and sees whether it is on track,
exports the PDF, and schedules a weekly report e-mail."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.db.models import Sum

from roost.analytics.models import PostMetrics, ReportSchedule
from roost.analytics.services.collection import READINGS, audience_collect, metrics_collect
from roost.channels.services import connect_with_form
from roost.core import clock
from roost.networks.sandbox.testing import SandboxHandle
from roost.publishing.models import Delivery, DeliveryStatus
from roost.publishing.services.compose import PostInput, post_compose
from roost.publishing.tests.conftest import drain, sandbox  # noqa: F401 - fixture
from roost.web.tests.browser import page  # noqa: F401 - fixture
from roost.web.tests.pages import sign_in, visit

TEXTS = (
    "Our autumn blend is here: caramel, hazelnut and a long finish.",
    "Barista tip: grind just before you brew.",
    "Thank you for 10,000 coffee lovers!",
)


def _published_and_read(world: Any, capture: Any, network: SandboxHandle) -> list[Delivery]:
    """Three posts published now on a Sandbox channel through the real publisher, then
    read as the collection jobs do, with the Sandbox's engagement model two days on."""
    manager = world.members["social_media_manager"]
    channel = connect_with_form(actor=manager, network="sandbox", fields={"name": "Beans"})
    with capture(execute=True):
        for text in TEXTS:
            post_compose(
                actor=manager, data=PostInput(text=text, channel_ids=[channel.pk]), mode="now"
            )
        drain()
    deliveries = list(
        Delivery.objects.filter(channel=channel, status=DeliveryStatus.PUBLISHED).order_by("pk")
    )
    assert len(deliveries) == len(TEXTS)
    network.control(clock_ahead_s=2 * 86_400)
    latest = max(d.published_at for d in deliveries if d.published_at is not None)
    report = metrics_collect(now=latest + READINGS[0], channel_ids=[channel.pk])
    assert report.readings == len(TEXTS)
    assert audience_collect(channel_ids=[channel.pk]) == 1
    return deliveries


def test_the_analyst_reads_sets_a_goal_exports_and_schedules(
    live_server: Any,
    world: Any,
    page: Any,  # noqa: F811 - the fixture
    sandbox: SandboxHandle,  # noqa: F811 - the fixture
    django_capture_on_commit_callbacks: Any,
) -> None:
    from playwright.sync_api import expect

    deliveries = _published_and_read(world, django_capture_on_commit_callbacks, sandbox)
    engagements = PostMetrics.objects.filter(delivery__in=deliveries).aggregate(
        n=Sum("engagements")
    )["n"]
    impressions = PostMetrics.objects.filter(delivery__in=deliveries).aggregate(
        n=Sum("impressions")
    )["n"]
    assert engagements and impressions  # the Sandbox's engagement model reported them

    base = live_server.url
    slug = world.a.slug
    sign_in(page, base, world, "analyst")

    # The overview: the Sandbox's figures, each with its formula and version.
    visit(page, f"{base}/w/{slug}/analytics/")
    expect(page.get_by_test_id("kpi-engagements")).to_have_text(f"{engagements:,}")
    expect(page.get_by_test_id("kpi-impressions")).to_have_text(f"{impressions:,}")
    expect(page.get_by_test_id("formula-engagements")).to_contain_text("engagements@v1")
    expect(page.get_by_test_id("no-data")).to_have_count(0)

    # Drill into the best post: its own page, per channel.
    page.get_by_test_id("top-posts").get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(rf"/w/{slug}/analytics/posts/\d+/$"))
    best = max(PostMetrics.objects.filter(delivery__in=deliveries), key=lambda pm: pm.engagements)
    expect(page.get_by_test_id("post-text")).to_contain_text(best.post.text[:20])
    expect(page.get_by_test_id("kpi-engagements")).to_have_text(f"{best.engagements:,}")

    # A goal for this month's engagements, and whether it is on track.
    page.get_by_test_id("analytics-nav").get_by_test_id("to-goals").click()
    page.get_by_test_id("goal-new").click()
    form = page.get_by_test_id("goal-form")
    form.get_by_label("KPI").select_option("engagements")
    form.get_by_label("Target").fill("5")
    today = clock.now().astimezone(world.a.tzinfo).date()
    form.get_by_label("From").fill(today.isoformat())
    form.get_by_label("To").fill((today + timedelta(days=27)).isoformat())
    form.get_by_role("button", name="Save").click()
    status = page.get_by_test_id("goal-status")
    expect(status).to_have_text(re.compile("^(On track|At risk|Off track)$"))
    expect(page.get_by_test_id("goal-so-far")).to_contain_text(f"{engagements:,}")

    # The report as a PDF.
    page.get_by_test_id("analytics-nav").get_by_test_id("to-reports").click()
    with page.expect_download() as download:
        page.get_by_test_id("export-pdf").click()
    pdf = download.value
    assert pdf.suggested_filename.endswith(".pdf")
    with open(pdf.path(), "rb") as file:
        assert file.read(5) == b"%PDF-"

    # A weekly e-mail to the analyst and to someone outside the workspace.
    page.get_by_test_id("schedule-new").click()
    form = page.get_by_test_id("schedule-form")
    form.get_by_label("Name").fill("Monday numbers")
    for box in form.locator('input[name="sections"]').all():
        box.check()
    form.get_by_label("How often").select_option("weekly")
    form.get_by_label("Other e-mail addresses").fill("ceo@example.com")
    form.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("schedules")).to_contain_text("Monday numbers")
    schedule = ReportSchedule.objects.get(workspace=world.a, name="Monday numbers")
    assert schedule.frequency == "weekly" and schedule.emails == ["ceo@example.com"]
    assert schedule.next_run_at > clock.now() and schedule.sections
