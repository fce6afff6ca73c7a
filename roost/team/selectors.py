"""Team reads, scoped to the actor's workspace."""

from __future__ import annotations

from django.db.models import QuerySet

from roost.team.models import MemberProfile, WeeklyCheckIn
from roost.workspaces.models import Membership
from roost.workspaces.roles import Perm


def reports_of(workspace_id: int, manager_id: int) -> set[int]:
    """Members who report to `manager_id`, directly or through others (a cycle in the
    chain is walked once)."""
    edges: dict[int, list[int]] = {}
    for member_id, boss_id in MemberProfile.objects.filter(
        workspace_id=workspace_id, reports_to__isnull=False
    ).values_list("membership_id", "reports_to_id"):
        edges.setdefault(boss_id, []).append(member_id)
    found: set[int] = set()
    todo = [manager_id]
    while todo:
        for member_id in edges.get(todo.pop(), []):
            if member_id not in found and member_id != manager_id:
                found.add(member_id)
                todo.append(member_id)
    return found


def visible_members(actor: Membership) -> QuerySet[Membership]:
    """Whose workload signals the actor may see: their own; the people who report to them
    (directly or through others); everyone's with MANAGE_TEAM."""
    members = Membership.objects.filter(workspace_id=actor.workspace_id)
    if actor.has_perm(Perm.MANAGE_TEAM):
        return members
    return members.filter(pk__in={actor.pk} | reports_of(actor.workspace_id, actor.pk))


def my_check_ins(actor: Membership, limit: int = 12) -> list[WeeklyCheckIn]:
    """The actor's own check-ins (with their notes), newest first: nobody else's."""
    return list(WeeklyCheckIn.objects.filter(member=actor).order_by("-week")[:limit])
