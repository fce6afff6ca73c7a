"""The crisis switch in a real browser: a community manager pauses publishing with a
reason, sees the banner on another page, is refused resuming while a held post has no
decision, decides, and resumes. The pages pass axe-core with the banner on them."""

from __future__ import annotations

import json
from typing import Any

import pytest

from roost.publishing.models import Delivery, PublishingPause
from roost.publishing.services.compose import PostInput, post_compose
from roost.web.tests.axe import axe_violations, install_axe
from roost.web.tests.browser import page, screenshot  # noqa: F401  (fixture)
from roost.web.tests.pages import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "Product recall: hold everything until legal has read it"


def test_pause_see_the_banner_elsewhere_and_resume_after_deciding(
    live_server: Any,
    world: Any,
    page: Any,  # noqa: F811
) -> None:
    from playwright.sync_api import expect

    base, slug = live_server.url, world.a.slug
    install_axe(page)
    sign_in(page, base, world, "community_manager")
    page.goto(f"{base}/w/{slug}/")
    page.get_by_role("navigation", name="Workspace").get_by_role(
        "link", name="Crisis switch"
    ).click()
    page.get_by_label("Reason").fill(REASON)
    page.get_by_test_id("pause-submit").click()
    expect(page.get_by_test_id("pause-banner")).to_contain_text(REASON)
    assert PublishingPause.objects.get(ended_at__isnull=True).reason == REASON

    # Another page shows it too; meanwhile someone schedules a post "now": it is held.
    post = post_compose(
        actor=world.members["owner"],
        data=PostInput(text="Summer menu is here", channel_ids=[world.a_channel.pk]),
        mode="now",
    )
    page.goto(f"{base}/w/{slug}/team/")
    banner = page.get_by_test_id("pause-banner")
    expect(banner).to_contain_text("Publishing is paused.")
    expect(banner).to_contain_text("Paused by Alpha Community Manager")
    found = {"team": axe_violations(page)}

    banner.get_by_role("link", name="Review and resume").click()
    page.get_by_test_id("resume-all").click()
    row = page.get_by_test_id(f"review-{post.pk}")
    expect(row).to_contain_text("Summer menu is here")
    expect(row).to_contain_text("Came due during the pause")
    found["resume"] = axe_violations(page)
    page.get_by_test_id("resume-submit").click()
    expect(page.get_by_test_id("resume-errors")).to_contain_text(
        f"“Summer menu is here” (#{post.pk})"
    )
    assert PublishingPause.objects.get().ended_at is None

    row = page.get_by_test_id(f"review-{post.pk}")
    row.get_by_label("Publish now").check()
    page.get_by_test_id("resume-submit").click()
    expect(page.locator(".messages")).to_contain_text("Publishing resumed.")
    expect(page.get_by_test_id("pause-banner")).to_have_count(0)
    screenshot(page, "crisis-switch-resumed")
    pause = PublishingPause.objects.get()
    assert pause.ended_at is not None and pause.ended_by == world.members["community_manager"].user
    d = Delivery.objects.get(post=post)
    assert d.next_attempt_at == pause.ended_at  # "publish now": due at the resume
    assert {k: v for k, v in found.items() if v} == {}, json.dumps(found, indent=1)
