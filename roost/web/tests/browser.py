"""Playwright driving Debian's chromium. Missing browser: skip, or fail under CI."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connections

BROWSER_TIMEOUT_MS = 60_000
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    return os.environ.get("ROOST_CHROMIUM") or shutil.which("chromium")


@pytest.fixture
def page() -> Iterator[Any]:
    executable = chromium_path()
    if executable is None:
        if os.environ.get("ROOST_REQUIRE_BROWSER"):
            pytest.fail("chromium is not installed (apt-get install chromium)")
        pytest.skip("chromium is not installed (apt-get install chromium); browser test skipped")
    from playwright.sync_api import expect, sync_playwright

    # Every wait in a browser test is on state (an element, a text, a URL); these bound only
    # a failing test, so they are generous enough for a busy 2-core machine. Playwright's
    # `expect` has its own default of 5 s, which a loaded machine can exceed.
    expect.set_options(timeout=BROWSER_TIMEOUT_MS)

    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls
    # are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, headless=True, args=FLAGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
        context.set_default_timeout(BROWSER_TIMEOUT_MS)
        yield context.new_page()
        context.close()
        browser.close()
        # ORM calls made while Playwright's loop runs open their own connection: close it,
        # or PostgreSQL cannot drop the test database.
        connections.close_all()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def screenshot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
