"""The home page ("Today") in a real browser: the demo's manager, creator and customer
care person each log in, land on their own Today page in Demo Coffee Co., and see the
blocks and the menu their role has."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command

from roost.web.management.commands.demo import DEMO_PASSWORD
from roost.web.nav import required_perm
from roost.web.tests.browser import page, screenshot  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TASKS = ["My tasks"] if required_perm("inbox:my_tasks") else []
BLOCKS = ["today-waiting", "today-going-out", "today-problems", "today-team"]


def _log_in(page: Any, base: str, who: str) -> None:  # noqa: F811
    from playwright.sync_api import expect

    page.goto(f"{base}/")
    page.get_by_label("E-mail address").fill(f"{who}@demo-coffee.example")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Today")
    assert page.url == f"{base}/w/demo-coffee-co/"
    expect(page.get_by_test_id("workspace-switcher")).to_have_text("Demo Coffee Co.")


def _menu(page: Any) -> list[str]:  # noqa: F811
    links = page.get_by_role("navigation", name="Main").get_by_role("link")
    return [text.strip() for text in links.all_inner_texts()]


def _log_out(page: Any) -> None:  # noqa: F811
    from playwright.sync_api import expect

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_label("Password")).to_be_visible()


def test_three_roles_land_on_their_today_page(live_server: Any, page: Any) -> None:  # noqa: F811
    from playwright.sync_api import expect

    call_command("demo", stdout=io.StringIO())
    base = live_server.url

    # The manager: every block, the whole menu, Home marked as the current page.
    _log_in(page, base, "manager")
    for block in BLOCKS:
        expect(page.get_by_test_id(block)).to_be_visible()
    assert _menu(page) == [
        "Home",
        "Brief",
        "Calendar",
        "Compose",
        "Approvals",
        "Inbox",
        "Analytics",
        "Listening",
        "Paid",
        "Team",
    ]
    home = page.get_by_role("navigation", name="Main").get_by_role("link", name="Home")
    expect(home).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("link", name="New post")).to_be_visible()
    screenshot(page, "home-manager")
    _log_out(page)

    # The creator: no analytics in the menu; today's posts and what failed are there.
    _log_in(page, base, "creator")
    for block in BLOCKS:
        expect(page.get_by_test_id(block)).to_be_visible()
    assert _menu(page) == ["Home", "Brief", "Calendar", "Compose", "Approvals", "Inbox", "Team"]
    _log_out(page)

    # Customer care: what waits for them and the inbox, nothing of the calendar.
    _log_in(page, base, "care")
    expect(page.get_by_test_id("today-waiting")).to_be_visible()
    expect(page.get_by_test_id("today-team")).to_be_visible()
    expect(page.get_by_test_id("today-going-out")).to_have_count(0)
    expect(page.get_by_test_id("today-problems")).to_have_count(0)
    assert _menu(page) == ["Home", "Inbox", *TASKS, "Team"]
    page.get_by_test_id("today-waiting").get_by_role("link", name="My inbox").click()
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Inbox")
    ).to_have_attribute("aria-current", "page")
    screenshot(page, "home-care-inbox")
