"""Compose in a real browser: a channel's own boxes follow its tick box, the counters and
the preview follow the typing, and an image dropped on the page arrives ticked, with its
alt text in the preview, without leaving compose or losing what was typed."""

from __future__ import annotations

import base64
from io import BytesIO
from typing import Any

import pytest
from django.core.management import call_command
from PIL import Image

from roost.networks.sandbox.testing import SandboxHandle
from roost.publishing.models import MediaAsset
from roost.web.management.commands.demo import DEMO_PASSWORD, DEMO_SLUG
from roost.web.tests.browser import page, screenshot  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EN, PL = "Coffee Co. Sandbox", "Coffee Co. Sandbox PL"
DROP = """([data, name]) => {
  const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], name, { type: "image/png" }));
  return transfer;
}"""


def png() -> str:
    buffer = BytesIO()
    Image.new("RGB", (64, 48), (120, 80, 40)).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def test_compose_counts_previews_and_uploads_as_you_go(
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
    page.goto(f"{base}/w/{DEMO_SLUG}/compose/")

    # A channel's own boxes show only while it is ticked.
    picker = page.get_by_test_id("channel-picker")
    pl_box = page.get_by_label(f"Text for {PL}")
    expect(pl_box).to_be_hidden()
    picker.get_by_role("checkbox", name=f"{PL} Sandbox", exact=True).check()
    expect(pl_box).to_be_visible()
    expect(page.get_by_label(f"Thread parts for {PL}")).to_be_visible()
    picker.get_by_role("checkbox", name=f"{PL} Sandbox", exact=True).uncheck()
    expect(pl_box).to_be_hidden()
    picker.get_by_role("checkbox", name=f"{EN} Sandbox", exact=True).check()

    # The counter and the preview follow the typing.
    text = page.get_by_label("Text", exact=True)
    text.fill("Fresh roast #coffee https://example.com/beans")
    counter = page.get_by_test_id("counter")
    expect(counter).to_have_text(f"{EN}: 45/500")
    card = page.get_by_test_id("preview")
    expect(card.locator("a")).to_have_attribute("href", "https://example.com/beans")
    expect(card.locator(".preview-tag")).to_have_text("#coffee")
    text.press_sequentially(" <b>now</b>")
    expect(counter).to_have_text(f"{EN}: 56/500")
    expect(card.locator(".preview-text")).to_have_text(
        "Fresh roast #coffee https://example.com/beans <b>now</b>"
    )
    text.fill("x" * 501)
    expect(counter.locator(".bad")).to_have_text("501/500")
    expect(page.get_by_test_id("checks")).to_contain_text("Sandbox allows 500 characters")
    text.fill("Latte art Friday")

    # An image dropped on the page arrives ticked; its alt text shows in the preview.
    page.get_by_label("Its alt text").fill("A latte with a fern drawn in the foam")
    picks = page.get_by_test_id("media-pick")
    before = picks.count()  # the demo's own pictures are in the library already
    transfer = page.evaluate_handle(DROP, [png(), "latte.png"])
    page.dispatch_event("[data-drop-zone]", "drop", {"dataTransfer": transfer})
    expect(picks).to_have_count(before + 1)
    pick = picks.last  # added at the end of the picker
    expect(pick.get_by_role("checkbox")).to_be_checked()
    expect(card.locator("figcaption")).to_have_text("Alt: A latte with a fern drawn in the foam")
    expect(page.get_by_label("Its alt text")).to_have_value("")
    expect(text).to_have_value("Latte art Friday")  # the draft is still there
    assert MediaAsset.objects.filter(alt_text="A latte with a fern drawn in the foam").exists()

    # A file that is no image is refused in words, and nothing is added.
    page.get_by_label("Image to upload").set_input_files(
        files=[{"name": "notes.png", "mimeType": "image/png", "buffer": b"not a picture"}]
    )
    page.get_by_role("button", name="Upload image").click()
    expect(page.get_by_test_id("upload-errors")).to_have_text(
        "notes.png is not an image Roost can publish (JPEG, PNG, GIF or WebP)."
    )
    expect(picks).to_have_count(before + 1)
    assert MediaAsset.objects.count() == before + 1
    screenshot(page, "compose-preview")
