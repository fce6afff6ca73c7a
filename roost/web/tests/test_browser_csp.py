"""The Content-Security-Policy in a real browser: the main pages load and their moved
scripts work (compose, inbox keys, confirm before a delete), and Chromium reports no
policy violation on any of them."""

from __future__ import annotations

from typing import Any

import pytest

from roost.conftest import PASSWORD, World
from roost.publishing.models import Post
from roost.web.tests.browser import page, screenshot  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Registered before any page script runs, on every page the tab opens.
LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


def violations(page: Any, console: list[str]) -> list[str]:  # noqa: F811
    seen: list[str] = page.evaluate("window.__cspViolations || []")
    return seen + [m for m in console if "Content Security Policy" in m]


def test_main_pages_run_under_the_policy_without_violations(
    live_server: Any,
    page: Any,  # noqa: F811
    world: World,
) -> None:
    from playwright.sync_api import expect

    base = live_server.url
    slug = world.a.slug
    console: list[str] = []
    page.context.add_init_script(LISTEN)
    page.on("console", lambda m: console.append(m.text))
    found: dict[str, list[str]] = {}

    def visit(path: str) -> None:
        response = page.goto(f"{base}{path}")
        assert response is not None and response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("load")
        if seen := violations(page, console):
            found[path] = seen
        console.clear()

    visit("/login/")
    page.get_by_label("E-mail address").fill(world.members["owner"].user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_test_id("workspace-switcher")).to_be_visible()

    message = world.a_inbox.message
    for path in [
        "/",
        f"/w/{slug}/calendar/",
        f"/w/{slug}/calendar/week/",
        f"/w/{slug}/calendar/list/",
        f"/w/{slug}/calendar/feed/",
        f"/w/{slug}/compose/",
        f"/w/{slug}/posts/{world.a_post.pk}/",
        f"/w/{slug}/approvals/",
        f"/w/{slug}/approvals/{world.a_request.pk}/",
        f"/w/{slug}/inbox/",
        f"/w/{slug}/inbox/{message.pk}/",
        f"/w/{slug}/inbox/settings/",
        f"/w/{slug}/inbox/tasks/",
        f"/w/{slug}/inbox/saved-replies/",
        f"/w/{slug}/channels/",
        f"/w/{slug}/team/",
        f"/w/{slug}/settings/",
        f"/w/{slug}/media/",
        "/notifications/",
        "/account/",
    ]:
        visit(path)

    # The API docs: Swagger UI draws the operations from Roost's own static files.
    visit("/api/v1/docs")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    page.locator(".swagger-ui .opblock-summary").first.click()
    expect(page.locator(".swagger-ui .opblock-body").first).to_be_visible()
    if seen := violations(page, console):
        found["/api/v1/docs (opened)"] = seen

    # Compose (publishing/compose.js): choosing a channel shows its own text box.
    visit(f"/w/{slug}/compose/")
    variant = page.locator(f'[data-variant-for="{world.a_channel.pk}"]')
    expect(variant).to_be_hidden()
    page.locator(f'[data-channel-toggle="{world.a_channel.pk}"]').check()
    expect(variant).to_be_visible()

    # The inbox (inbox/inbox.js): j opens the first message, r goes to the reply box.
    visit(f"/w/{slug}/inbox/")
    page.locator("body").press("j")
    expect(page.locator('#inbox-list [data-item][aria-current="true"]')).to_have_count(1)
    expect(page.locator("#reply_text")).to_be_attached()
    page.locator("body").press("r")
    expect(page.locator("#reply_text")).to_be_focused()

    # data-confirm (web/roost.js): "Cancel" sends nothing, "OK" deletes.
    visit(f"/w/{slug}/posts/{world.a_post.pk}/")
    asked: list[str] = []
    deletes: list[str] = []
    page.on("request", lambda r: deletes.append(r.url) if "/delete/" in r.url else None)
    page.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    page.get_by_test_id("delete-post").click()
    expect(page.get_by_test_id("post-status")).to_be_visible()
    page.once("dialog", lambda d: (asked.append(d.message), d.accept()))
    page.get_by_test_id("delete-post").click()
    expect(page.get_by_role("status")).to_contain_text("The post was deleted")
    assert asked == ["Delete this post, from the networks too?"] * 2
    assert len(deletes) == 1
    assert not Post.objects.filter(pk=world.a_post.pk).exists()
    if seen := violations(page, console):
        found["after the scripts ran"] = seen

    screenshot(page, "csp-after-delete")
    assert found == {}

    # The listener does hear the policy: an inline script added now is refused, reported.
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.__ran = true'; document.body.append(s); }"
    )
    page.wait_for_function("window.__cspViolations.length > 0")
    assert violations(page, console)[0].startswith("script-src")
    assert page.evaluate("window.__ran === undefined")
