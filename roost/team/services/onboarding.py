"""Onboarding plans (30-60-90): templates, plans, steps, check-ins."""

from __future__ import annotations

from roost.team.models import OnboardingTemplate, PendingPlan
from roost.workspaces.access import require
from roost.workspaces.models import Invite, Membership, Workspace
from roost.workspaces.roles import Perm


def template_for_role(workspace: Workspace, role: str) -> OnboardingTemplate | None:
    """The workspace's onboarding template for `role` (None when it has none)."""
    return OnboardingTemplate.objects.filter(workspace=workspace, role=role).order_by("pk").first()


def plan_attach_to_invite(
    *,
    actor: Membership,
    invite: Invite,
    template: OnboardingTemplate,
    mentor: Membership | None = None,
) -> PendingPlan:
    """Start `template` as the invitee's plan when they accept `invite`."""
    require(actor, Perm.MANAGE_TEAM)
    found, _made = PendingPlan.objects.update_or_create(
        invite=invite,
        defaults={
            "workspace_id": invite.workspace_id,
            "template": template,
            "mentor": mentor,
            "created_by": actor.user,
        },
    )
    return found
