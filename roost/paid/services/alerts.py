"""Pacing alerts: tell the people who manage budgets when a campaign in flight is under or
over pace — once a day per campaign at most, and again only when its state changes.

The claim is a conditional update on the campaign (last alerted day and state), so two
workers checking at once send one alert; notifications are keyed per campaign, day and
state as a second guard. One workspace's failure is logged and never stops another's.
"""

from __future__ import annotations

import logging
from datetime import date, datetime

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from roost.core import clock
from roost.notifications.services import notify
from roost.paid.models import PaidCampaign
from roost.paid.pacing import OFF_PACE, Pacing, PacingState, pacing_many
from roost.workspaces.models import Membership, Workspace
from roost.workspaces.roles import Perm

log = logging.getLogger("roost.paid.pacing")


def local_today(workspace: Workspace, now: datetime) -> date:
    """The workspace's calendar day at `now`."""
    return now.astimezone(workspace.tzinfo).date()


def pacing_alerts_check(*, now: datetime | None = None) -> list[int]:
    """Check every workspace's campaigns in flight; returns the ids of campaigns alerted."""
    now = now or clock.now()
    ids = (
        PaidCampaign.objects.filter(ends_on__isnull=False, starts_on__isnull=False)
        .values_list("workspace_id", flat=True)
        .distinct()
        .order_by("workspace_id")
    )
    alerted: list[int] = []
    for workspace_id in list(ids):
        try:
            alerted += _check_workspace(workspace_id, now)
        except Exception:
            log.exception("paid pacing: workspace %s failed; the others go on", workspace_id)
    return alerted


def _check_workspace(workspace_id: int, now: datetime) -> list[int]:
    workspace = Workspace.objects.get(pk=workspace_id)
    today = local_today(workspace, now)
    campaigns = list(
        PaidCampaign.objects.filter(
            workspace=workspace, starts_on__lt=today, ends_on__gte=today
        ).select_related("ad_account")
    )
    if not campaigns:
        return []
    paces = pacing_many(campaigns, today)
    recipients = None
    alerted = []
    for campaign in campaigns:
        pace = paces[campaign.pk]
        if pace.state not in OFF_PACE:
            if pace.state == PacingState.ON_PACE and campaign.pacing_alerted_state:
                # Back on pace: a later slip is a change of state and is told again.
                PaidCampaign.objects.filter(pk=campaign.pk).exclude(
                    pacing_alerted_state=PacingState.ON_PACE
                ).update(pacing_alerted_state=PacingState.ON_PACE)
            continue
        if recipients is None:
            recipients = _managers(workspace)
        if _claim_and_tell(workspace, campaign, pace, today, recipients):
            alerted.append(campaign.pk)
    return alerted


def _managers(workspace: Workspace) -> list[object]:
    members = (
        Membership.objects.filter(workspace=workspace)
        .select_related("user")
        .prefetch_related("roles")
    )
    return [m.user for m in members if m.has_perm(Perm.MANAGE_BUDGETS)]


def _claim_and_tell(
    workspace: Workspace, campaign: PaidCampaign, pace: Pacing, today: date, recipients: list
) -> bool:
    with transaction.atomic():
        claimed = (
            PaidCampaign.objects.filter(pk=campaign.pk)
            .filter(Q(pacing_alerted_on__isnull=True) | ~Q(pacing_alerted_on=today))
            .exclude(pacing_alerted_state=pace.state)
            .update(pacing_alerted_on=today, pacing_alerted_state=pace.state)
        )
        if not claimed:
            return False  # told today already, or the state has not changed since
        notify(
            workspace=workspace,
            recipients=recipients,
            kind=f"paid.pacing_{pace.state}",
            key=f"paid:pacing:{campaign.pk}:{today.isoformat()}:{pace.state}",
            text=alert_text(campaign, pace),
            url=reverse(
                "paid:campaign",
                kwargs={"slug": workspace.slug, "paid_campaign_id": campaign.pk},
            ),
        )
    return True


def alert_text(campaign: PaidCampaign, pace: Pacing) -> str:
    """One sentence: the state, spend against plan, and where the flight is heading."""
    values = {
        "name": campaign.name,
        "actual": pace.actual,
        "expected": pace.expected,
        "forecast": pace.forecast,
        "budget": pace.budget,
        "currency": campaign.ad_account.currency,
    }
    if pace.state == PacingState.OVER:
        text = _(
            "%(name)s is spending over pace: %(actual)s %(currency)s spent where "
            "%(expected)s %(currency)s was planned by now; at this rate it ends at "
            "%(forecast)s %(currency)s of %(budget)s %(currency)s."
        )
    else:
        text = _(
            "%(name)s is spending under pace: %(actual)s %(currency)s spent where "
            "%(expected)s %(currency)s was planned by now; at this rate it ends at "
            "%(forecast)s %(currency)s of %(budget)s %(currency)s."
        )
    return text % values
