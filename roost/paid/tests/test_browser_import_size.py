"""A file larger than the import's limit is named in the browser before it is sent: a
server stops a huge upload by closing the connection, which a browser shows as a reset,
never as Roost's message."""

from __future__ import annotations

from typing import Any

from django.test import override_settings

from roost.paid.models import ImportRun
from roost.paid.testing import ad_account
from roost.web.tests.browser import page  # noqa: F401 - fixture
from roost.web.tests.pages import sign_in, visit


@override_settings(ROOST_PAID_IMPORT_MAX_MB=1)
def test_a_file_over_the_limit_is_refused_before_it_is_sent(
    live_server: Any,
    world: Any,
    page: Any,  # noqa: F811 - the fixture
) -> None:
    from playwright.sync_api import expect

    ad_account(world.a, "Meta PL", currency="EUR")
    sign_in(page, live_server.url, world, "paid_media")
    url = f"{live_server.url}/w/{world.a.slug}/paid/imports/new/"
    visit(page, url)
    big = b"Day,Campaign name\n" + b"2026-11-01,x\n" * 100_000  # 1.3 MB
    page.get_by_label("CSV export").set_input_files(
        {"name": "huge.csv", "mimeType": "text/csv", "buffer": big}
    )
    message = page.get_by_test_id("import-too-big")
    expect(message).to_be_visible()
    expect(message).to_contain_text("huge.csv is larger than 1 MB")
    page.get_by_test_id("import-upload").click()
    expect(message).to_be_visible()
    assert page.url == url  # nothing was sent
    assert not ImportRun.objects.filter(workspace=world.a).exists()

    # A file within the limit clears the message and goes to the preview.
    page.get_by_label("CSV export").set_input_files(
        {"name": "small.csv", "mimeType": "text/csv", "buffer": b"Day,Campaign name\n"}
    )
    expect(message).to_be_hidden()
    page.get_by_test_id("import-upload").click()
    expect(page).not_to_have_url(url)
