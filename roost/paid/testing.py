"""Test data for paid media, stored directly: sample objects per workspace for the
route-walking suites (roost/web/tests/test_isolation.py) and API tests."""

from __future__ import annotations

from roost.channels.models import Channel
from roost.paid.models import AdAccount, AdSource, ImportRun, ImportStatus
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


def ad_account(workspace: Workspace, marker: str = "") -> AdAccount:
    """An ad account of the workspace kept by hand (made once); `marker` in its name."""
    found, _made = AdAccount.objects.get_or_create(
        workspace=workspace,
        name=f"Isolation ads {marker}".strip(),
        defaults={"source": AdSource.META, "currency": "EUR"},
    )
    return found


def import_run(account: AdAccount, marker: str = "") -> ImportRun:
    """A failed import into `account` (made once): nothing left to import, so a POST to
    import it again answers without touching any file."""
    found, _made = ImportRun.objects.get_or_create(
        workspace_id=account.workspace_id,
        ad_account=account,
        filename=f"isolation {marker}.csv".strip(),
        defaults={
            "source": AdSource.META,
            "status": ImportStatus.FAILED,
            "error": f"Row 2, column Day: “x {marker}” is not a date.".strip(),
        },
    )
    return found


def samples(workspace: Workspace, marker: str = "") -> dict[str, int]:
    """URL kwarg → the id of a sample object of the workspace (made once per workspace)."""
    return {
        "ad_account_id": sandbox_ad_account(workspace, marker).pk,
        "import_id": import_run(ad_account(workspace, marker), marker).pk,
    }
