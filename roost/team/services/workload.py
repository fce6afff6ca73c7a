"""Workload writes: away status (and handing a person's open items back), personal
assignment caps, and the private weekly check-in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from roost.core import clock
from roost.core.exceptions import PermissionDenied, ValidationFailed
from roost.inbox.models import Message, MessageStatus, Task
from roost.inbox.services.triage import assign_round_robin
from roost.team.models import WeeklyCheckIn
from roost.team.workload import local_today, monday
from roost.workspaces.access import require
from roost.workspaces.models import Membership, Workspace
from roost.workspaces.roles import Perm
from roost.workspaces.services import audit_record

MAX_AWAY_DAYS = 366
MAX_CAP = 1000
NOTE_MAX = 1000


@dataclass
class HandedBack:
    """Where a person's open items went."""

    to_people: int = 0  # to another member of the item's group (round-robin)
    to_groups: int = 0  # back to the group, nobody in it free to take it
    unassigned: int = 0  # items without a group: now nobody's

    @property
    def total(self) -> int:
        return self.to_people + self.to_groups + self.unassigned

    def sentence(self) -> str:
        return _(
            "%(total)s open items handed back: %(people)s to others in their groups, "
            "%(groups)s left with their groups, %(none)s unassigned."
        ) % {
            "total": self.total,
            "people": self.to_people,
            "groups": self.to_groups,
            "none": self.unassigned,
        }


def _may_change(actor: Membership, member: Membership) -> None:
    if actor.workspace_id != member.workspace_id:
        raise PermissionDenied()
    if actor.pk != member.pk:
        require(actor, Perm.MANAGE_TEAM)


def hand_back(member: Membership) -> HandedBack:
    """Give the member's open inbox items and open tasks back: an item with a group goes
    to the group's round-robin (members not away, under their cap), one without a group
    becomes unassigned. The member must already be away today."""
    done = HandedBack()
    with transaction.atomic():
        messages = list(
            Message.objects.filter(
                workspace_id=member.workspace_id, assignee=member, status=MessageStatus.OPEN
            ).order_by("received_at", "pk")
        )
        by_group: dict[int, list[Message]] = {}
        for m in messages:
            m.assignee_id = None
            if m.group_id is not None:
                by_group.setdefault(m.group_id, []).append(m)
            else:
                done.unassigned += 1
        for group_id, items in by_group.items():
            assign_round_robin(group_id, items)
            taken = sum(1 for m in items if m.assignee_id is not None)
            done.to_people += taken
            done.to_groups += len(items) - taken
        Message.objects.bulk_update(messages, ["assignee"])
        tasks = list(
            Task.objects.filter(workspace_id=member.workspace_id, assignee=member, done=False)
        )
        for t in tasks:
            t.assignee_id = None
            if t.group_id is not None:
                probe = Message(pk=t.message_id)
                assign_round_robin(t.group_id, [probe])
                t.assignee_id = probe.assignee_id
                if t.assignee_id is not None:
                    done.to_people += 1
                else:
                    done.to_groups += 1
            else:
                done.unassigned += 1
        Task.objects.bulk_update(tasks, ["assignee"])
    return done


def _check_span(away_from: date | None, away_until: date | None, today: date) -> None:
    if away_from is None:
        raise ValidationFailed({"away_from": [_("Give the first day away.")]})
    if away_until is None:
        raise ValidationFailed({"away_until": [_("Give the last day away.")]})
    if away_until < away_from:
        raise ValidationFailed(
            {"away_until": [_("The last day away must not be before the first.")]}
        )
    if away_until < today:
        raise ValidationFailed({"away_until": [_("That period is already over.")]})
    if (away_until - away_from).days >= MAX_AWAY_DAYS:
        raise ValidationFailed({"away_until": [_("An away period can be at most a year long.")]})
    if away_from > today + timedelta(days=2 * MAX_AWAY_DAYS):
        raise ValidationFailed({"away_from": [_("That is too far ahead; set it nearer the time.")]})


def member_set_away(
    *, actor: Membership, member: Membership, away_from: date | None, away_until: date | None
) -> HandedBack:
    """Mark the member away from `away_from` to `away_until` (inclusive, the workspace's
    dates). When the period has begun, their open items are handed back at once."""
    _may_change(actor, member)
    today = local_today(member.workspace)
    _check_span(away_from, away_until, today)
    with transaction.atomic():
        member.away_from, member.away_until = away_from, away_until
        member.save(update_fields=["away_from", "away_until"])
        done = hand_back(member) if member.is_away(today) else HandedBack()
        audit_record(
            workspace=member.workspace,
            actor=actor.user,
            action="team.away_set",
            target=member,
            away_from=str(away_from),
            away_until=str(away_until),
            handed_to_people=done.to_people,
            handed_to_groups=done.to_groups,
            unassigned=done.unassigned,
        )
    return done


def member_clear_away(*, actor: Membership, member: Membership) -> Membership:
    """The member is back (or was never going)."""
    _may_change(actor, member)
    with transaction.atomic():
        member.away_from = member.away_until = None
        member.save(update_fields=["away_from", "away_until"])
        audit_record(
            workspace=member.workspace, actor=actor.user, action="team.away_cleared", target=member
        )
    return member


def member_set_cap(*, actor: Membership, member: Membership, cap: int | None) -> Membership:
    """The most open inbox items round-robin gives the member (None: the workspace's cap);
    direct assignments past it are refused."""
    require(actor, Perm.MANAGE_TEAM)
    if actor.workspace_id != member.workspace_id:
        raise PermissionDenied()
    if cap is not None and not (0 <= cap <= MAX_CAP):
        raise ValidationFailed(
            {"cap": [_("A cap is a number from 0 to %(max)s, or empty.") % {"max": MAX_CAP}]}
        )
    with transaction.atomic():
        member.assignment_cap = cap
        member.save(update_fields=["assignment_cap"])
        audit_record(
            workspace=member.workspace,
            actor=actor.user,
            action="team.cap_set",
            target=member,
            cap=str(cap) if cap is not None else _("the workspace's default"),
        )
    return member


def hand_back_due(workspace: Workspace) -> int:
    """The job's step: hand back the open items still held by members who are away today
    (their period began since it was set). Returns the items handed back."""
    today = local_today(workspace)
    holding = set(
        Message.objects.filter(
            workspace_id=workspace.pk, assignee__isnull=False, status=MessageStatus.OPEN
        ).values_list("assignee_id", flat=True)
    ) | set(
        Task.objects.filter(
            workspace_id=workspace.pk, assignee__isnull=False, done=False
        ).values_list("assignee_id", flat=True)
    )
    moved = 0
    candidates = Membership.objects.filter(workspace=workspace, pk__in=holding).exclude(
        away_from__isnull=True, away_until__isnull=True
    )
    for member in candidates.select_related("workspace", "user"):
        if member.is_away(today):
            done = hand_back(member)
            moved += done.total
            if done.total:
                audit_record(
                    workspace=workspace,
                    actor=None,
                    action="team.away_handed_back",
                    target=member,
                    handed_to_people=done.to_people,
                    handed_to_groups=done.to_groups,
                    unassigned=done.unassigned,
                )
    return moved


def check_in_save(
    *, actor: Membership, score: int, note: str = "", week: date | None = None
) -> WeeklyCheckIn:
    """The actor's own check-in for this week (editable during the week). PRIVATE: no
    audit entry, no notification; nobody else reads the note."""
    if not isinstance(score, int) or not 1 <= score <= 5:
        raise ValidationFailed({"score": [_("Choose a number from 1 to 5.")]})
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationFailed(
            {"note": [_("Keep the note to %(max)s characters.") % {"max": NOTE_MAX}]}
        )
    this_week = monday(local_today(actor.workspace))
    if week is not None and week != this_week:
        raise ValidationFailed({"week": [_("Only this week's check-in can be changed.")]})
    found, _made = WeeklyCheckIn.objects.update_or_create(
        member=actor,
        week=this_week,
        defaults={
            "workspace_id": actor.workspace_id,
            "score": score,
            "note": note,
            "updated_at": clock.now(),
        },
    )
    return found
