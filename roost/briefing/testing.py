"""Test data for the brief: one action item per workspace, for the route-walking suites."""

from __future__ import annotations

from roost.briefing.models import ActionItem
from roost.workspaces.models import Membership


def action_item(owner: Membership) -> ActionItem:
    """An action item on today's brief of the owner's workspace (made once, by the
    service)."""
    from roost.briefing.services import action_item_add

    found = ActionItem.objects.filter(brief__workspace_id=owner.workspace_id).first()
    if found is not None:
        return found
    return action_item_add(actor=owner, text="Check the spike")
