"""Regression tests for what the end-to-end browser walk of the paid pages found
(roost/paid/tests/test_browser_paid.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from roost.channels.services import connect_with_form
from roost.conftest import World
from roost.core import clock
from roost.networks.sandbox.testing import SandboxHandle, running_sandbox
from roost.paid.models import AdSource, ImportRun
from roost.paid.services.imports import import_run, import_upload
from roost.paid.services.sync import ad_accounts_connect, insights_sync
from roost.paid.tests.factories import account, upload


@pytest.fixture
def sandbox(settings: Any) -> Iterator[SandboxHandle]:
    with running_sandbox() as handle:
        settings.ROOST_SANDBOX_URL = handle.url
        yield handle


@pytest.fixture(autouse=True)
def _media(tmp_path: Path) -> Iterator[None]:
    with override_settings(MEDIA_ROOT=tmp_path / "media"):
        yield


def test_sandbox_syncs_are_not_listed_or_counted_as_imports(
    world: World, sandbox: SandboxHandle
) -> None:
    """The hourly Sandbox Ads sync records an ImportRun per account; the Imports page and
    the overview's count showed them, so within two days of syncs the CSV imports fell off
    the list."""
    specialist = world.members["paid_media"]
    meta = account(world)
    run, _preview = import_upload(actor=specialist, account=meta, upload=upload("meta.csv"))
    import_run(actor=specialist, run=run)
    channel = connect_with_form(
        actor=world.members["social_media_manager"], network="sandbox", fields={"name": "Beans"}
    )
    [ads] = ad_accounts_connect(actor=specialist, channel=channel)
    today = clock.now().date()
    for _ in range(3):
        insights_sync(account=ads, since=today - timedelta(days=3), until=today)
    assert ImportRun.objects.filter(ad_account=ads, source=AdSource.SANDBOX).count() == 3

    client = world.client_for("paid_media")
    listing = client.get(f"/w/{world.a.slug}/paid/imports/").content.decode()
    assert re.findall(r'data-import="(\d+)"', listing) == [str(run.pk)]
    overview = client.get(f"/w/{world.a.slug}/paid/").content.decode()
    assert "1 import ·" in overview
