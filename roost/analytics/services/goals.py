"""Goals, written: set, change and remove a goal (Perm.MANAGE_ANALYTICS, audited)."""

from __future__ import annotations

import math
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from roost.analytics import kpis
from roost.analytics.goals import LEVEL_KPIS
from roost.analytics.models import Goal
from roost.channels.models import Channel
from roost.core import clock
from roost.core.exceptions import ValidationFailed
from roost.publishing.models import Campaign
from roost.workspaces.access import require
from roost.workspaces.models import Membership
from roost.workspaces.roles import Perm
from roost.workspaces.services import audit_record

MAX_DAYS = 731
MAX_TARGET = 1e12


@transaction.atomic
def goal_save(
    *,
    actor: Membership,
    kpi_key: str,
    target: float,
    start: date,
    end: date,
    channel_id: int | None = None,
    campaign_id: int | None = None,
    goal: Goal | None = None,
) -> Goal:
    """Set a goal (or change `goal`); every problem is reported at once, nothing is saved
    unless all is well. A goal keeps its KPI version unless its KPI changes."""
    require(actor, Perm.MANAGE_ANALYTICS)
    workspace = actor.workspace
    errors: dict[str, list[str]] = {}
    kpi = None
    try:
        kpi = kpis.current(kpi_key)
    except LookupError:
        errors["kpi"] = [_("Choose a KPI from the list.")]
    if not isinstance(target, (int, float)) or not math.isfinite(target):
        errors["target"] = [_("Enter the target as a number.")]
    elif target < 0:
        errors["target"] = [_("A target cannot be negative.")]
    elif target > MAX_TARGET:
        errors["target"] = [_("A target can be at most 1,000,000,000,000.")]
    if end < start:
        errors["end"] = [_("The period ends before it starts.")]
    elif (end - start).days + 1 > MAX_DAYS:
        errors["end"] = [_("A goal's period can cover at most %(n)s days.") % {"n": MAX_DAYS}]
    channel = campaign = None
    if channel_id is not None and campaign_id is not None:
        errors["campaign"] = [_("Choose a channel or a campaign, not both.")]
    if channel_id is not None:
        channel = Channel.objects.filter(workspace=workspace, pk=channel_id).first()
        if channel is None:
            errors["channel"] = [_("Choose a channel of this workspace.")]
    if campaign_id is not None:
        campaign = Campaign.objects.filter(workspace=workspace, pk=campaign_id).first()
        if campaign is None:
            errors["campaign"] = [_("Choose a campaign of this workspace.")]
        elif kpi_key in LEVEL_KPIS:
            errors["kpi"] = [
                _("Follower figures belong to channels, not campaigns: choose another KPI.")
            ]
    if errors:
        raise ValidationFailed(errors)
    assert kpi is not None
    created = goal is None
    if goal is None:
        goal = Goal(workspace=workspace, created_by=actor.user)
    if created or goal.kpi_key != kpi.key:
        goal.kpi_key, goal.kpi_version = kpi.key, kpi.version
    goal.target = float(target)
    goal.start, goal.end = start, end
    goal.channel, goal.campaign = channel, campaign
    goal.updated_at = clock.now()
    goal.save()
    audit_record(
        workspace=workspace,
        actor=actor.user,
        action="goal.saved",
        target=goal,
        kpi=f"{goal.kpi_key}@v{goal.kpi_version}",
        kpi_name=str(kpi.name),
        goal_target=f"{goal.target:g}",
        end=f"{goal.end:%d %b %Y}",
    )
    return goal


@transaction.atomic
def goal_delete(*, actor: Membership, goal: Goal) -> None:
    require(actor, Perm.MANAGE_ANALYTICS)
    if goal.workspace_id != actor.workspace_id:  # pragma: no cover - access_goal scopes it
        raise ValidationFailed({"__all__": [_("This goal belongs to another workspace.")]})
    kpi = kpis.get(goal.kpi_key, goal.kpi_version)
    goal.delete()
    audit_record(
        workspace=actor.workspace,
        actor=actor.user,
        action="goal.deleted",
        kpi=kpi.ref,
        kpi_name=str(kpi.name),
    )
