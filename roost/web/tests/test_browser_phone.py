"""At phone width (390 by 844) no main page scrolls sideways, for the manager (every area)
and for Customer Care (inbox and team); the header stays small and the month calendar
reads as a day-by-day agenda."""

from __future__ import annotations

from typing import Any

import pytest

from roost.web.tests.browser import page, screenshot  # noqa: F401  (fixture)
from roost.web.tests.pages import CARE, MANAGER, PHONE, main_pages, sign_in, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What sticks out, for the failure message: the widest elements past the right edge.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.querySelectorAll("body *")) {
    const box = el.getBoundingClientRect();
    if (box.right > width + 0.5 && box.width > 0) {
      const name = `${el.tagName.toLowerCase()}.${[...el.classList].join(".")}`;
      out.push(`${name} right=${Math.round(box.right)}`);
    }
  }
  return {scroll: document.documentElement.scrollWidth, culprits: out.slice(0, 5)};
}"""


def sideways(page: Any, base: str, pages: dict[str, str]) -> dict[str, Any]:  # noqa: F811
    """Each page that is wider than the phone, with what sticks out."""
    wide = {}
    for name, path in pages.items():
        visit(page, base + path)
        seen = page.evaluate(OVERFLOW)
        shot = screenshot(page, f"phone-{name.replace(' ', '-')}")  # to look at, in CI too
        if seen["scroll"] > PHONE["width"]:
            wide[name] = {**seen, "screenshot": shot.name}
    return wide


@pytest.mark.parametrize("role", [MANAGER, CARE])
def test_no_main_page_scrolls_sideways_on_a_phone(
    live_server: Any,
    world: Any,
    page: Any,  # noqa: F811
    role: str,
) -> None:
    page.set_viewport_size(PHONE)
    base = live_server.url
    wide = sideways(page, base, {"login": "/login/"} if role == MANAGER else {})
    sign_in(page, base, world, role)
    wide |= sideways(page, base, main_pages(world, role))
    assert wide == {}


def test_the_phone_header_is_compact_and_the_month_is_an_agenda(
    live_server: Any,
    world: Any,
    page: Any,  # noqa: F811
) -> None:
    from playwright.sync_api import expect

    page.set_viewport_size(PHONE)
    base = live_server.url
    sign_in(page, base, world, MANAGER)
    visit(page, f"{base}/w/{world.a.slug}/calendar/")

    # Header and workspace menu together take at most a sixth of the screen; the menus
    # scroll inside themselves, so their last link is still there to reach.
    header = page.evaluate(
        "() => document.querySelector('main').getBoundingClientRect().top + window.scrollY"
    )
    assert header <= PHONE["height"] / 6, header
    tokens = page.get_by_role("navigation", name="Workspace").get_by_role("link", name="API tokens")
    tokens.scroll_into_view_if_needed()
    expect(tokens).to_be_in_viewport()

    # The month grid is a list of days, each as wide as the screen (not a 50 px column),
    # and the days without posts of other months are left out.
    today = page.locator(".cal-month td.today")
    expect(today).to_be_visible()
    assert today.bounding_box()["width"] >= PHONE["width"] - 60
    expect(page.locator(".cal-month thead")).to_be_hidden()
    screenshot(page, "phone-calendar-agenda")
