"""Actions on a selection of inbox items (assign, tag, complete): the same permission
checks as on one item, and all or nothing — an item the actor may not open (not routed to
them, another workspace's, gone) stops the whole request before anything changes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from roost.core import clock
from roost.core.exceptions import NotFound, ValidationFailed
from roost.inbox.models import InboxTag, Message, MessageStatus
from roost.inbox.selectors import q_visible
from roost.inbox.services.triage import assign_round_robin, tell_assigned
from roost.notifications.services import notify
from roost.workspaces.access import require
from roost.workspaces.models import AuditEntry, Group, Membership
from roost.workspaces.roles import Perm
from roost.workspaces.services import audit_record

SELECTION_MAX = 200


def selected(actor: Membership, ids: Iterable[int]) -> list[Message]:
    """The selected items, every one of which the actor may open; else nothing at all."""
    wanted = sorted(set(ids))
    if not wanted:
        raise ValidationFailed({"ids": [_("Select at least one item.")]})
    if len(wanted) > SELECTION_MAX:
        raise ValidationFailed(
            {"ids": [_("Select at most %(n)s items at a time.") % {"n": SELECTION_MAX}]}
        )
    found = list(
        Message.objects.filter(q_visible(actor), pk__in=wanted, outgoing=False)
        .distinct()
        .order_by("pk")
    )
    missing = len(wanted) - len(found)
    if missing:
        raise NotFound(
            ngettext(
                "%(n)s of the selected items is not in your inbox any more (or never was). "
                "Nothing was changed.",
                "%(n)s of the selected items are not in your inbox any more (or never were). "
                "Nothing was changed.",
                missing,
            )
            % {"n": missing}
        )
    return found


@transaction.atomic
def messages_assign_many(
    *,
    actor: Membership,
    ids: Iterable[int],
    member_id: int | None = None,
    group_id: int | None = None,
) -> int:
    """Assign every selected item to a member, or spread them over a group's members
    (not back to the actor when the group has anyone else). Each new assignee is told
    once for the whole selection."""
    require(actor, Perm.INBOX_ASSIGN)
    if member_id is None and group_id is None:
        raise ValidationFailed({"assignee": [_("Choose a person or a group.")]})
    messages = selected(actor, ids)
    before = {m.pk: m.assignee_id for m in messages}
    if member_id is not None:
        member = Membership.objects.filter(workspace=actor.workspace, pk=member_id).first()
        if member is None:
            raise ValidationFailed({"assignee": [_("That person is not in this workspace.")]})
        for m in messages:
            m.assignee_id, m.group_id = member.pk, None
    else:
        group = Group.objects.filter(workspace=actor.workspace, pk=int(group_id or 0)).first()
        if group is None:
            raise ValidationFailed({"group": [_("That group is not in this workspace.")]})
        for m in messages:
            m.group_id, m.assignee_id = group.pk, None
        assign_round_robin(group.pk, messages, avoid=actor.pk)
    Message.objects.bulk_update(messages, ["assignee", "group"])
    entries = [
        audit_record(
            workspace=actor.workspace,
            actor=actor.user,
            action="inbox.assigned",
            target=m,
            member=m.assignee_id,
            group=m.group_id,
            bulk=True,
        )
        for m in messages
    ]
    _tell(actor, [m for m in messages if m.assignee_id and m.assignee_id != before[m.pk]], entries)
    return len(messages)


def _tell(actor: Membership, messages: list[Message], entries: list[AuditEntry]) -> None:
    """One notification per new assignee for the whole selection."""
    by_member: dict[int, list[Message]] = defaultdict(list)
    for m in messages:
        if m.assignee_id != actor.pk:
            by_member[int(m.assignee_id or 0)].append(m)
    batch = entries[0].pk if entries else 0
    ws = actor.workspace
    for member_id, got in by_member.items():
        key = f"inbox-assigned-many:{batch}:{member_id}"
        if len(got) == 1:
            tell_assigned(actor=actor, message=got[0], member_id=member_id, key=key)
            continue
        member = Membership.objects.select_related("user").get(pk=member_id)
        if not member.user.is_active:
            continue
        notify(
            workspace=ws,
            recipients=[member.user],
            kind="inbox.assigned",
            key=key,
            text=ngettext(
                "%(who)s assigned you %(n)s inbox item.",
                "%(who)s assigned you %(n)s inbox items.",
                len(got),
            )
            % {"who": actor.user.display_name, "n": len(got)},
            url=reverse("inbox:list", args=[ws.slug]) + "?assignee=me",
        )


@transaction.atomic
def messages_tag_many(*, actor: Membership, ids: Iterable[int], names: Iterable[str]) -> int:
    """Add tags to every selected item (the tags they have stay)."""
    require(actor, Perm.INBOX_REPLY)
    clean = sorted({n.strip()[:50] for n in names if n.strip()})
    if not clean:
        raise ValidationFailed({"tags": [_("Name at least one tag.")]})
    messages = selected(actor, ids)
    through = Message.tags.through
    for name in clean:
        tag, _made = InboxTag.objects.get_or_create(workspace=actor.workspace, name=name)
        through.objects.bulk_create(
            [through(message_id=m.pk, inboxtag_id=tag.pk) for m in messages],
            ignore_conflicts=True,
        )
    return len(messages)


@transaction.atomic
def messages_set_status_many(*, actor: Membership, ids: Iterable[int], complete: bool) -> int:
    """Complete (or reopen) every selected item."""
    require(actor, Perm.INBOX_REPLY)
    messages = selected(actor, ids)
    pks = [m.pk for m in messages]
    if complete:
        Message.objects.filter(pk__in=pks).exclude(status=MessageStatus.COMPLETE).update(
            status=MessageStatus.COMPLETE, completed_at=clock.now(), completed_by=actor.user
        )
    else:
        Message.objects.filter(pk__in=pks).update(
            status=MessageStatus.OPEN, completed_at=None, completed_by=None
        )
    return len(messages)
