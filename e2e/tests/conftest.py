"""End-to-end fixtures: the local Bluesky network started by `e2e/run`, test accounts on its
PDS, and a Roost workspace whose owner drives Roost's own services.

The network's addresses come from the environment (`E2E_PDS_URL`, `E2E_APPVIEW_URL`); without
them (pytest run outside `make e2e`) every test here is skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from atproto import Client, models
from network_helpers import APPVIEW_URL, PDS_URL, Account, AppView, letters, wait_for

from roost.workspaces import services
from roost.workspaces.models import Membership


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    if PDS_URL and APPVIEW_URL:
        return
    skip = pytest.mark.skip(reason="no local Bluesky network (run `make e2e`)")
    for item in items:
        item.add_marker(skip)


@pytest.fixture(scope="session")
def appview() -> Iterator[AppView]:
    view = AppView(APPVIEW_URL)
    yield view
    view.http.close()


@pytest.fixture(scope="session")
def make_account(appview: AppView) -> Callable[[str], Account]:
    """Create an account on the PDS (createAccount through the SDK) and wait until the
    AppView knows its profile."""

    def make(prefix: str) -> Account:
        handle = f"{prefix}{letters(6)}.test"
        password = f"pw-{letters(16)}"
        sdk = Client(base_url=PDS_URL)
        created = sdk.com.atproto.server.create_account(
            models.ComAtprotoServerCreateAccount.Data(
                handle=handle, email=f"{handle}@example.com", password=password
            )
        )
        # Logging in right after createAccount can fail with "Profile not found": the
        # AppView has not indexed the account yet.
        wait_for(f"the AppView to index {handle}", lambda: appview.profile(created.did))
        sdk.login(handle, password)
        return Account(handle=handle, password=password, did=created.did, sdk=sdk)

    return make


@pytest.fixture
def owner(db: Any) -> Membership:
    from roost.accounts.models import User

    user = User.objects.create_user("owner@e2e.test", "e2e-password", name="E2E Owner")
    workspace = services.workspace_create(actor=user, name="E2E", timezone="Europe/Warsaw")
    return Membership.objects.get(workspace=workspace, user=user)
