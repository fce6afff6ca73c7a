"""Issue 3, end to end in a real browser: compose one post for two Sandbox channels with a
different variant on each, schedule it a minute ahead, see it on the calendar, and see
both published on time with links."""

from __future__ import annotations

import time
import zoneinfo
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command

from roost.core import clock
from roost.networks.sandbox.testing import SandboxHandle
from roost.publishing.models import Delivery, DeliveryStatus, Post
from roost.publishing.tests.conftest import drain
from roost.web.management.commands.demo import DEMO_PASSWORD
from roost.web.tests.browser import page, screenshot  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_compose_schedule_and_publish_to_two_sandbox_channels(
    live_server: Any,
    page: Any,  # noqa: F811
    sandbox: SandboxHandle,
) -> None:
    from playwright.sync_api import expect

    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115 - connects 2 channels
    base = live_server.url
    page.goto(f"{base}/login/")
    page.get_by_label("E-mail address").fill("manager@demo-coffee.example")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{base}/w/demo-coffee-co/compose/")

    page.get_by_label("Text", exact=True).fill("Fresh roast of the week: Ethiopia Guji #coffee")
    picker = page.get_by_test_id("channel-picker")
    picker.get_by_role("checkbox", name="Coffee Co. Sandbox Sandbox", exact=True).check()
    picker.get_by_role("checkbox", name="Coffee Co. Sandbox PL Sandbox", exact=True).check()
    page.get_by_label("Text for Coffee Co. Sandbox PL").fill("Świeże palenie tygodnia ☕ #kawa")
    # Live validation answers per channel.
    expect(page.get_by_test_id("checks")).to_contain_text("Coffee Co. Sandbox PL")

    warsaw = zoneinfo.ZoneInfo("Europe/Warsaw")
    due = (clock.now() + timedelta(minutes=1)).astimezone(warsaw).replace(second=0, microsecond=0)
    due += timedelta(minutes=1)  # a whole minute ahead, at least
    page.get_by_label("Schedule at").check()
    page.get_by_label("Date and time").fill(due.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("post-status")).to_have_text("Scheduled")
    expect(page.get_by_test_id("deliveries")).to_contain_text("Coffee Co. Sandbox PL")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Calendar").click()
    expect(page.locator(".cal-card").filter(has_text="Fresh roast of the week")).to_be_visible()
    post = Post.objects.get(text__startswith="Fresh roast")
    post_url = f"{base}/w/demo-coffee-co/posts/{post.pk}/"

    # The worker's job, in this process so it shares the test database: wait for the
    # minute, then publish as the worker would.
    while clock.now() < due:
        time.sleep(0.2)
    drain()

    page.goto(post_url)
    expect(page.get_by_test_id("post-status")).to_have_text("Published")
    links = page.get_by_test_id("published-link")
    expect(links).to_have_count(2)
    for d in Delivery.objects.filter(post=post):
        assert d.status == DeliveryStatus.PUBLISHED
        assert d.remote_url.startswith(sandbox.url)
        # Never early. How late is a figure for bench/publish.py, not a pass/fail here.
        assert d.called_at >= due, f"{d.channel.name} was published before its time"
    texts = {d.channel.name: d for d in Delivery.objects.filter(post=post)}
    feed = page.context.new_page()
    feed.goto(texts["Coffee Co. Sandbox PL"].remote_url)
    expect(feed.locator("body")).to_contain_text("Świeże palenie tygodnia ☕ #kawa")
    expect(feed.locator("body")).to_contain_text("Sandbox")
    feed.goto(texts["Coffee Co. Sandbox"].remote_url)
    expect(feed.locator("body")).to_contain_text("Fresh roast of the week: Ethiopia Guji #coffee")
    screenshot(page, "post-published")
