"""Images in a real browser: an image uploaded in the media library renders (its pixels
arrive: naturalWidth > 0) in the library, on the post page and as a calendar thumbnail."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from io import BytesIO
from typing import Any

import pytest
from PIL import Image

from roost.conftest import PASSWORD, make_channel, make_user
from roost.core import clock
from roost.publishing.models import MediaAsset
from roost.publishing.services.compose import PostInput, post_compose
from roost.web.tests.browser import page, screenshot  # noqa: F401  (fixture)
from roost.workspaces import services
from roost.workspaces.models import Membership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LOADED = "img => img.complete && img.naturalWidth > 0"


def png(width: int, height: int) -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (width, height), (180, 110, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


def expect_rendered(page: Any, locator: Any) -> None:  # noqa: F811
    """Wait until the browser has the image's pixels (a broken image never gets there)."""
    from playwright.sync_api import expect

    expect(locator).to_be_visible()
    page.wait_for_function(LOADED, arg=locator.element_handle())


def test_an_uploaded_image_renders_in_the_library_post_and_calendar(
    live_server: Any,
    page: Any,  # noqa: F811
) -> None:
    from playwright.sync_api import expect

    owner = make_user("owner@media.test", "Maja Media")
    workspace = services.workspace_create(actor=owner, name="Media", timezone="Europe/Warsaw")
    channel = make_channel(workspace, "Main")
    base = f"{live_server.url}/w/{workspace.slug}"

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("E-mail address").fill(owner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login/" not in url)

    # Upload in the media library.
    page.goto(f"{base}/media/")
    page.get_by_label("Image").set_input_files(
        files=[{"name": "latte.png", "mimeType": "image/png", "buffer": png(240, 160)}]
    )
    page.get_by_label("Alt text").fill("A latte with a leaf drawn in the foam")
    page.get_by_role("button", name="Upload").click()
    expect(page.locator(".messages")).to_contain_text("Image added to the library.")
    thumb = page.get_by_role("img", name="A latte with a leaf drawn in the foam")
    expect_rendered(page, thumb)

    # A post with it, tomorrow at noon in the workspace's zone.
    asset = MediaAsset.objects.get(workspace=workspace)
    tomorrow = clock.now().astimezone(workspace.tzinfo).date() + timedelta(days=1)
    post = post_compose(
        actor=Membership.objects.get(workspace=workspace, user=owner),
        data=PostInput(text="Latte season", channel_ids=[channel.pk], media_ids=[asset.pk]),
        mode="at",
        at=datetime.combine(tomorrow, time(12, 0)),
    )
    page.goto(f"{base}/posts/{post.pk}/")
    expect_rendered(page, page.get_by_test_id("post-media").get_by_role("img"))

    # On the calendar's card for it, in the month and the week.
    page.goto(f"{base}/calendar/?month={tomorrow:%Y-%m}")
    card = page.locator(f'.cal-card[data-post="{post.pk}"]')
    expect_rendered(page, card.get_by_test_id("card-thumb"))
    expect(card.locator("svg.net-sandbox")).to_be_visible()
    monday = tomorrow - timedelta(days=tomorrow.weekday())
    page.goto(f"{base}/calendar/week/?week={monday.isoformat()}")
    card = page.locator(f'.cal-card[data-post="{post.pk}"]')
    card.scroll_into_view_if_needed()
    expect_rendered(page, card.get_by_test_id("card-thumb"))
    # The card stays inside its hour's cell (no spill into the next day's column).
    cell = card.locator("xpath=ancestor::td[1]")
    card_box, cell_box = card.bounding_box(), cell.bounding_box()
    assert card_box is not None and cell_box is not None
    assert card_box["x"] + card_box["width"] <= cell_box["x"] + cell_box["width"] + 0.5
    screenshot(page, "media-calendar-week")
