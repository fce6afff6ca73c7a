"""The demo's team shape: a mid-size company, everyone reporting to the Social Media
Manager (who reports to the Owner), and the Analyst also carrying paid media (the mid-size
shape's hybrid "Analyst and paid media" seat). Written once, through the team services (so
the audit log tells it), by the first Social Media Manager."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction

from roost.core.exceptions import RoostError
from roost.team.models import CompanySize, MemberProfile, Stage, TeamSettings
from roost.team.profiles import Responsibility
from roost.team.services import hiring, onboarding
from roost.team.services.profiles import member_profile_update, team_settings_set
from roost.team.workload import local_today, rollup_due
from roost.workspaces.models import Membership, Workspace
from roost.workspaces.roles import Role

REPORTS_TO_MANAGER = (
    Role.CONTENT_CREATOR,
    Role.ANALYST,
    Role.COMMUNITY_MANAGER,
    Role.PAID_MEDIA,
)


def _first(workspace: Workspace, role: Role) -> Membership | None:
    return (
        Membership.objects.filter(workspace=workspace, roles__role=role)
        .select_related("user", "workspace")
        .order_by("created_at", "id")
        .first()
    )


def seed_team(workspace: Workspace) -> bool:
    """Set the demo's company size and a few team profiles once; True when written."""
    if TeamSettings.objects.filter(workspace=workspace).exclude(company_size="").exists():
        return False
    manager = _first(workspace, Role.SOCIAL_MEDIA_MANAGER)
    if manager is None:
        return False
    try:
        with transaction.atomic():
            team_settings_set(actor=manager, company_size=CompanySize.MID)
            owner = _first(workspace, Role.OWNER)
            if owner is not None and not MemberProfile.objects.filter(membership=manager).exists():
                member_profile_update(actor=manager, member=manager, reports_to=owner)
            for role in REPORTS_TO_MANAGER:
                member = _first(workspace, role)
                if member is None or member.pk == manager.pk:
                    continue
                extra = [Responsibility.PAID.value] if role == Role.ANALYST else []
                member_profile_update(
                    actor=manager, member=member, reports_to=manager, responsibilities=extra
                )
            _onboarding_and_hiring(workspace, manager)
    except RoostError:
        return False  # someone shaped the team already in a way the demo does not fit
    # The workload page's figures: the demo's history rolled up (the nightly job's work).
    rollup_due(workspace)
    return True


def _onboarding_and_hiring(workspace: Workspace, manager: Membership) -> None:
    """The Community Manager three weeks into their 30-60-90 plan (mentor: the manager),
    and an opening for a second Community Manager with two candidates in the pipeline."""
    community = _first(workspace, Role.COMMUNITY_MANAGER)
    if community is None or community.pk == manager.pk:
        return
    template = onboarding.template_for_role(workspace, Role.COMMUNITY_MANAGER.value)
    if template is not None:
        plan = onboarding.plan_start(
            actor=manager,
            member=community,
            template=template,
            mentor=manager,
            starts_on=local_today(workspace) - timedelta(days=20),
        )
        onboarding.plans_refresh([plan])
    opening = hiring.opening_create(
        actor=manager, role=Role.COMMUNITY_MANAGER.value, title="Community Manager (Polish)"
    )
    hiring.candidate_create(
        actor=manager,
        opening=opening,
        name="Zofia Nowak",
        email="zofia.nowak@example.com",
        source="Referral",
    )
    second = hiring.candidate_create(
        actor=manager,
        opening=opening,
        name="Jan Kowalski",
        email="jan.kowalski@example.com",
        source="LinkedIn",
    )
    hiring.candidate_move(actor=manager, candidate=second, stage=Stage.INTERVIEW)
    hiring.interviewers_set(actor=manager, candidate=second, member_ids=[community.pk])
