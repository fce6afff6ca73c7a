"""The foundation in a real browser: log in as the demo Social Media Manager, switch
workspace, invite a member, switch the UI to Polish, and see the invite listed."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from roost.web.management.commands.demo import DEMO_PASSWORD
from roost.web.tests.browser import page, screenshot  # noqa: F401  (fixture)
from roost.workspaces.models import Invite

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_invites_in_polish(live_server: Any, page: Any) -> None:  # noqa: F811
    from playwright.sync_api import expect

    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    base = live_server.url

    page.goto(f"{base}/")
    page.get_by_label("E-mail address").fill("manager@demo-coffee.example")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_test_id("workspace-switcher")).to_be_visible()

    # The manager belongs to two workspaces; switch to the other one and back again.
    first = page.get_by_test_id("workspace-switcher").inner_text().strip()
    target = "Demo Coffee Co." if first != "Demo Coffee Co." else "Demo Bakery"
    page.get_by_test_id("workspace-switcher").click()
    page.get_by_role("link", name=target).click()
    expect(page.get_by_test_id("workspace-switcher")).to_have_text(target)
    if target != "Demo Coffee Co.":
        page.get_by_test_id("workspace-switcher").click()
        page.get_by_role("link", name="Demo Coffee Co.").click()
        expect(page.get_by_test_id("workspace-switcher")).to_have_text("Demo Coffee Co.")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Team").click()
    expect(page.get_by_role("heading", name="Team")).to_be_visible()
    invites = page.locator("#invites")
    invites.get_by_label("E-mail address").fill("new.hire@demo-coffee.example")
    invites.get_by_label("Content Creator").check()
    invites.get_by_role("button", name="Send invite").click()
    expect(page.get_by_test_id("invites")).to_contain_text("new.hire@demo-coffee.example")
    expect(page.locator("#invites")).to_contain_text("Invite sent to")
    assert Invite.objects.filter(email="new.hire@demo-coffee.example").count() == 1

    # Bad input is explained in words next to the field, and nothing is saved.
    invites = page.locator("#invites")
    invites.get_by_label("E-mail address").fill("not-an-address")
    invites.get_by_role("button", name="Send invite").click()
    expect(page.locator("#invites")).to_contain_text("“not-an-address” is not an e-mail address.")
    expect(page.locator("#invites")).to_contain_text("Choose at least one role.")

    page.get_by_label("Language").select_option("pl")
    expect(page.get_by_role("heading", name="Zespół")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "pl")
    expect(page.get_by_test_id("invites")).to_contain_text("new.hire@demo-coffee.example")
    expect(page.get_by_test_id("invites")).to_contain_text("Twórca treści")
    screenshot(page, "team-page-polish")
