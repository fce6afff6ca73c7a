"""axe-core (from the npm registry, see axe.py) finds no violation on the main pages, as
the manager sees them with data on them: login, home, the calendar's three views, compose,
a post, approvals, the inbox with a conversation open, team, channels, media library,
audit log and the rest of the manager's menu."""

from __future__ import annotations

import json
from typing import Any

import pytest

from roost.web.tests.axe import axe_violations, install_axe
from roost.web.tests.browser import page  # noqa: F401  (fixture)
from roost.web.tests.pages import MANAGER, PHONE, main_pages, sign_in, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_the_main_pages_have_no_axe_violations(
    live_server: Any,
    world: Any,
    page: Any,  # noqa: F811
    width: str,
) -> None:
    if width == "phone":
        page.set_viewport_size(PHONE)  # the phone layout hides, stacks and scrolls things
    install_axe(page)
    base = live_server.url
    found = {}
    visit(page, f"{base}/login/")
    if violations := axe_violations(page):
        found["login"] = violations
    sign_in(page, base, world, MANAGER)
    for name, path in main_pages(world, MANAGER).items():
        visit(page, base + path)
        if violations := axe_violations(page):
            found[name] = violations
    assert found == {}, json.dumps(found, indent=1)


def test_axe_sees_a_violation(live_server: Any, page: Any) -> None:  # noqa: F811
    """The check can fail: an image without a text alternative is one violation."""
    install_axe(page)
    visit(page, f"{live_server.url}/login/")
    page.evaluate(
        "() => { const i = document.createElement('img'); i.src = '/static/web/roost.css';"
        " document.querySelector('main').append(i); }"
    )
    assert [v["id"] for v in axe_violations(page)] == ["image-alt"]
