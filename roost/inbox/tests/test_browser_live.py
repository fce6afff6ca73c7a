"""In a real browser: a new item arriving while the inbox is open shows a "1 new" bar
without a reload, and what I am reading does not move; a selection is completed from the
bulk bar; at phone width a conversation is its own screen."""

from __future__ import annotations

from typing import Any

import pytest

from roost.conftest import PASSWORD, World
from roost.inbox.models import Message, MessageStatus
from roost.inbox.tests.conftest import put
from roost.web.tests.browser import page, screenshot  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page: Any, base: str, email: str) -> None:  # noqa: F811
    page.goto(f"{base}/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login/" not in url)


def test_a_new_item_shows_a_bar_and_nothing_moves(
    live_server: Any,
    page: Any,  # noqa: F811
    world: World,
) -> None:
    from playwright.sync_api import expect

    base = live_server.url
    first = world.a_inbox.message
    older = put(world.a_channel, "live-older", "An older question about beans")
    log_in(page, base, "community_manager@alpha.test")
    page.goto(f"{base}/w/alpha/inbox/")
    items = page.get_by_test_id("inbox-list")
    expect(items.locator("[data-item]")).to_have_count(2)

    # I open a conversation and start typing a reply.
    items.locator(f'[data-id="{first.pk}"]').click()
    pane = page.get_by_test_id("inbox-pane")
    expect(pane).to_have_attribute("data-message", str(first.pk))
    box = pane.get_by_label("Reply", exact=True)
    box.fill("Half-written answer")
    first_row = items.locator("[data-item]").first
    # Where the first row sits in the page (not on screen: typing may scroll the page).
    where = "el => el.getBoundingClientRect().top + window.scrollY"
    row_at = first_row.evaluate(where)

    # A customer writes while the page is open: ingestion stores it (as a poll would).
    new = put(world.a_channel, "live-new", "Is the café open on Sunday?", author_id="u-new")
    bar = page.get_by_test_id("new-bar")
    expect(bar).to_have_text("1 new — show it")
    # Nothing moved: no new row yet, the same conversation, my text still there.
    expect(items).not_to_contain_text("open on Sunday")
    expect(pane).to_have_attribute("data-message", str(first.pk))
    expect(box).to_have_value("Half-written answer")
    assert first_row.evaluate(where) == row_at  # the bar floats: the list did not shift
    screenshot(page, "inbox-new-bar")

    bar.click()
    expect(items.locator(f'[data-id="{new.pk}"]')).to_contain_text("open on Sunday")
    expect(bar).to_have_count(0)
    expect(box).to_have_value("Half-written answer")
    expect(items.locator(f'[data-id="{first.pk}"]')).to_have_attribute("aria-current", "true")

    # Tick two items: the bulk bar appears; complete them both at once.
    bulk = page.get_by_test_id("bulk-bar")
    expect(bulk).to_be_hidden()
    items.get_by_label("Select the message from Anna Nowak").first.check()
    items.locator(f'[data-pick][value="{older.pk}"]').check()
    expect(bulk).to_be_visible()
    expect(bulk).to_contain_text("2 selected")
    bulk.get_by_role("button", name="Complete").click()
    expect(items.get_by_test_id("list-notice")).to_have_text("2 items completed.")
    expect(items.locator("[data-item]")).to_have_count(1)
    expect(bulk).to_be_hidden()
    assert set(
        Message.objects.filter(pk__in=[new.pk, older.pk]).values_list("status", flat=True)
    ) == {MessageStatus.COMPLETE}
    screenshot(page, "inbox-live-desktop")


def too_wide(page: Any) -> list[str]:  # noqa: F811
    """The elements of the page's main part that reach past the screen's right edge."""
    found: list[str] = page.evaluate(
        """() => Array.from(document.querySelectorAll('#main *'))
             .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
             .map(el => el.tagName + '.' + el.className).slice(0, 5)"""
    )
    return found


def test_at_phone_width_a_conversation_is_its_own_screen(
    live_server: Any,
    page: Any,  # noqa: F811
    world: World,
) -> None:
    from playwright.sync_api import expect

    base = live_server.url
    message = world.a_inbox.message
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, base, "community_manager@alpha.test")
    page.goto(f"{base}/w/alpha/inbox/")
    items = page.get_by_test_id("inbox-list")
    expect(items).to_be_visible()
    expect(page.get_by_test_id("inbox-pane")).to_be_hidden()
    assert too_wide(page) == []  # the list and its filters fit too

    items.locator(f'[data-id="{message.pk}"]').click()
    pane = page.get_by_test_id("inbox-pane")
    expect(pane).to_have_attribute("data-message", str(message.pk))
    expect(pane).to_be_visible()
    expect(items).to_be_hidden()
    expect(pane.get_by_role("heading", level=2)).to_be_in_viewport()
    assert too_wide(page) == []  # nothing in the conversation is wider than the screen
    screenshot(page, "inbox-phone-conversation")

    page.get_by_test_id("back-to-inbox").click()
    expect(items).to_be_visible()
    expect(page.get_by_test_id("inbox-pane")).to_be_hidden()
