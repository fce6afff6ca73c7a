"""The Sandbox Ads page: connect a Sandbox channel's ad accounts, and sync them now."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from roost.channels.access import access_channel
from roost.core.exceptions import Conflict
from roost.paid.services.sync import (
    access_sandbox_account,
    ad_accounts_connect,
    insights_sync,
    sandbox_channels,
    sync_window,
)
from roost.workspaces.decorators import workspace_view
from roost.workspaces.roles import Perm


def _actor(request: HttpRequest) -> Any:
    return request.membership  # type: ignore[attr-defined]


@workspace_view(Perm.MANAGE_BUDGETS)
@require_safe
def accounts_sandbox(request: HttpRequest) -> HttpResponse:
    """The workspace's Sandbox channels, their ad accounts and each one's last sync."""
    actor = _actor(request)
    rows = sandbox_channels(actor.workspace_id)
    return render(request, "paid/accounts_sandbox.html", {"area": "paid", "rows": rows})


@workspace_view(Perm.MANAGE_BUDGETS)
@require_POST
def accounts_sandbox_connect(request: HttpRequest, channel_id: int) -> HttpResponse:
    """Create (or refresh) the channel's Sandbox Ads accounts."""
    actor = _actor(request)
    channel = access_channel(actor, channel_id, Perm.MANAGE_BUDGETS)
    try:
        accounts = ad_accounts_connect(actor=actor, channel=channel)
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Connected: %(names)s.") % {"names": ", ".join(a.name for a in accounts)},
        )
    return redirect("paid:accounts_sandbox", slug=actor.workspace.slug)


@workspace_view(Perm.MANAGE_BUDGETS)
@require_POST
def accounts_sandbox_sync(request: HttpRequest, ad_account_id: int) -> HttpResponse:
    """Fetch the account's daily figures now."""
    actor = _actor(request)
    account = access_sandbox_account(actor, ad_account_id)
    since, until = sync_window()
    try:
        counts = insights_sync(account=account, since=since, until=until)
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Synced %(name)s: %(created)d new days, %(updated)d changed, %(unchanged)d the same.")
            % {
                "name": account.name,
                "created": counts.created,
                "updated": counts.updated,
                "unchanged": counts.unchanged,
            },
        )
    return redirect("paid:accounts_sandbox", slug=actor.workspace.slug)
