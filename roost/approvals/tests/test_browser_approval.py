"""Issue 4, end to end in a real browser: a Content Creator sends a post for approval
through the demo's two-step workflow (Legal review, any one; then the Social Media
Manager); both decide from their approvals queues; the post publishes only after the last
approval; the post's audit shows every step."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from roost.networks.sandbox.testing import SandboxHandle
from roost.publishing.models import DeliveryStatus, Post
from roost.publishing.tests.conftest import drain, sandbox  # noqa: F401  (fixture)
from roost.web.management.commands.demo import DEMO_PASSWORD
from roost.web.tests.browser import page, screenshot  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(tab: Any, base: str, who: str) -> None:
    tab.goto(f"{base}/login/")
    tab.get_by_label("E-mail address").fill(f"{who}@demo-coffee.example")
    tab.get_by_label("Password").fill(DEMO_PASSWORD)
    tab.get_by_role("button", name="Log in").click()


def log_out(tab: Any) -> None:
    tab.get_by_role("button", name="Log out").click()


def decide_from_queue(tab: Any, base: str, section: str, title: str) -> None:
    from playwright.sync_api import expect

    tab.goto(f"{base}/w/demo-coffee-co/approvals/")
    queue = tab.get_by_test_id(section)
    expect(queue).to_contain_text(title)
    queue.get_by_role("link", name=title).click()
    tab.get_by_label("Comment").fill("Looks good to me.")
    tab.get_by_role("button", name="Approve").click()
    expect(tab.locator(".messages")).to_contain_text("Your decision was recorded.")


def test_two_step_approval_then_publish(
    live_server: Any,
    page: Any,  # noqa: F811
    sandbox: SandboxHandle,  # noqa: F811
) -> None:
    from playwright.sync_api import expect

    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    base = live_server.url
    title = "Winter blend is back: cinnamon and orange"

    log_in(page, base, "creator")
    page.goto(f"{base}/w/demo-coffee-co/compose/")
    page.get_by_label("Text", exact=True).fill(title)
    page.get_by_test_id("channel-picker").get_by_role(
        "checkbox", name="Coffee Co. Sandbox Sandbox", exact=True
    ).check()
    page.get_by_label("Publish now").check()
    expect(page.get_by_role("button", name="Save / send for approval")).to_be_visible()
    page.get_by_role("button", name="Save / send for approval").click()
    expect(page.locator(".messages")).to_contain_text("Sent for approval.")
    expect(page.get_by_test_id("post-status")).to_have_text("In review")
    post = Post.objects.get(text=title)

    drain()  # nothing may go out before approval
    assert post.deliveries.get().status == DeliveryStatus.PENDING
    log_out(page)

    log_in(page, base, "admin")  # Adam is in the Legal review group
    decide_from_queue(page, base, "waiting-for-my-groups", title)
    drain()
    assert post.deliveries.get().status == DeliveryStatus.PENDING
    log_out(page)

    log_in(page, base, "manager")
    decide_from_queue(page, base, "waiting-for-me", title)
    drain()
    delivery = post.deliveries.get()
    assert delivery.status == DeliveryStatus.PUBLISHED

    page.goto(f"{base}/w/demo-coffee-co/posts/{post.pk}/")
    expect(page.get_by_test_id("post-status")).to_have_text("Published")
    events = page.get_by_test_id("approval-events")
    expect(events.locator("li")).to_have_count(6)
    expect(events).to_contain_text("Submitted for approval")
    expect(events).to_contain_text("Approved (Legal review) by Adam Admin")
    expect(events).to_contain_text("Approved (Social media manager) by Maja Manager")
    expect(events).to_contain_text("Approval completed")
    expect(page.get_by_test_id("published-link")).to_have_count(1)
    screenshot(page, "post-approved-and-published")


def test_compose_shows_the_route_and_the_queue_approves_in_place(
    live_server: Any,
    page: Any,  # noqa: F811
    sandbox: SandboxHandle,  # noqa: F811
) -> None:
    """Issue 11: before sending, compose says which workflow and who approves (updated as
    channels are ticked); an approver approves from the queue without leaving it."""
    from playwright.sync_api import expect

    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    base = live_server.url
    title = "Gingerbread flat white, this week only"

    log_in(page, base, "creator")
    page.goto(f"{base}/w/demo-coffee-co/compose/")
    page.get_by_label("Text", exact=True).fill(title)
    page.get_by_test_id("channel-picker").get_by_role(
        "checkbox", name="Coffee Co. Sandbox Sandbox", exact=True
    ).check()
    route = page.get_by_test_id("compose-route")
    expect(route).to_contain_text("Goes to")
    expect(route).to_contain_text("step 1")
    page.get_by_label("Publish now").check()
    page.get_by_role("button", name="Save / send for approval").click()
    expect(page.locator(".messages")).to_contain_text("Sent for approval.")
    log_out(page)

    log_in(page, base, "admin")
    page.goto(f"{base}/w/demo-coffee-co/approvals/")
    row = page.locator("li", has=page.get_by_role("link", name=title))
    row.get_by_role("button", name=f"Approve: {title}").click()
    result = page.get_by_test_id("queue-row-result")
    expect(result).to_contain_text("Your approval was recorded. Now at step 2.")
    expect(page).to_have_url(f"{base}/w/demo-coffee-co/approvals/")  # stayed in the queue
    page.get_by_role("link", name="Decided by me").click()
    expect(page.get_by_test_id("decided-by-me")).to_contain_text(title)
