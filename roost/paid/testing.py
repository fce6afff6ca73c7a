"""Test data for paid media, stored directly: sample objects per workspace for the
route-walking suites (roost/web/tests/test_isolation.py) and API tests."""

from __future__ import annotations

from roost.channels.models import Channel
from roost.paid.models import AdAccount, AdSource
from roost.workspaces.models import Workspace


def sandbox_ad_account(workspace: Workspace, marker: str = "") -> AdAccount:
    """A Sandbox Ads account of the workspace, on its first Sandbox channel (the same one
    when asked for twice)."""
    channel = Channel.objects.filter(workspace=workspace, network="sandbox").order_by("pk").first()
    found, _made = AdAccount.objects.get_or_create(
        workspace=workspace,
        source=AdSource.SANDBOX,
        external_id=f"act_sample_{workspace.pk}",
        defaults={"name": f"Sandbox Ads {marker}".strip(), "currency": "EUR", "channel": channel},
    )
    return found


def samples(workspace: Workspace, marker: str = "") -> dict[str, int]:
    """URL kwarg → the id of a sample object of the workspace."""
    return {"ad_account_id": sandbox_ad_account(workspace, marker).pk}
