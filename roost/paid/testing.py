"""Test data for paid media, stored directly: samples for the route-walking suites."""

from __future__ import annotations

from roost.paid.models import AdAccount, AdSource, ImportRun, ImportStatus
from roost.workspaces.models import Workspace


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
    """URL parameter samples for the route-walking suites (made once per workspace)."""
    account = ad_account(workspace, marker)
    return {"ad_account_id": account.pk, "import_id": import_run(account, marker).pk}
