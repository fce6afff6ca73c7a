"""Triage: assign (to a member, or round-robin within a group), tag, complete, tasks."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _

from roost.core import clock
from roost.core.exceptions import ValidationFailed
from roost.core.validation import check_moment
from roost.inbox.models import (
    InboxSettings,
    InboxTag,
    Message,
    MessageStatus,
    Task,
    TaskKind,
    WebhookDelivery,
    WebhookEndpoint,
)
from roost.notifications.services import notify
from roost.workspaces.access import require
from roost.workspaces.models import Group, Membership
from roost.workspaces.roles import Perm
from roost.workspaces.services import audit_record


def inbox_settings(workspace_id: int) -> InboxSettings:
    found, _made = InboxSettings.objects.get_or_create(workspace_id=workspace_id)
    return found


def workspace_today(workspace: Any) -> date:
    """Today's date in the workspace's time zone (away periods are in its dates)."""
    return clock.now().astimezone(workspace.tzinfo).date()


def _eligible(group: Group) -> list[Membership]:
    """The group's members who may take inbox work: active people who may reply and are
    not away today."""
    today = workspace_today(group.workspace)
    return [
        m
        for m in group.members.select_related("user").prefetch_related("roles")
        if m.has_perm(Perm.INBOX_REPLY) and m.user.is_active and not m.is_away(today)
    ]


def check_can_take(member: Membership) -> None:
    """Refuse a direct assignment to a member who is away today, or who already holds as
    many open inbox items as their personal cap."""
    if member.is_away(workspace_today(member.workspace)):
        if member.away_until is not None:
            text = _("%(name)s is away until %(day)s; choose someone else.") % {
                "name": member.user.display_name,
                "day": member.away_until.isoformat(),
            }
        else:
            text = _("%(name)s is away; choose someone else.") % {"name": member.user.display_name}
        raise ValidationFailed({"assignee": [text]})
    cap = member.assignment_cap
    if cap is not None:
        held = Message.objects.filter(
            workspace_id=member.workspace_id, assignee=member, status=MessageStatus.OPEN
        ).count()
        if held >= cap:
            raise ValidationFailed(
                {
                    "assignee": [
                        _(
                            "%(name)s already has %(held)s open items, their cap of "
                            "%(cap)s; choose someone else."
                        )
                        % {"name": member.user.display_name, "held": held, "cap": cap}
                    ]
                }
            )


def assign_round_robin(group_id: int, messages: list[Message], avoid: int | None = None) -> None:
    """Hand messages out to the group's members who may reply, fewest open items first,
    never past the per-member cap (over the cap: the message stays with the group).

    `avoid` is the member handing the work over: when the group has anyone else, the
    work goes to them (assigning to a group means "someone else take this")."""
    if not messages:
        return
    group = Group.objects.select_related("workspace").get(pk=group_id)
    default_cap = inbox_settings(group.workspace_id).per_member_cap
    members = _eligible(group)
    if avoid is not None and any(m.pk != avoid for m in members):
        members = [m for m in members if m.pk != avoid]
    if not members:
        return
    load = dict(
        Message.objects.filter(assignee__in=members, status=MessageStatus.OPEN)
        .values("assignee")
        .annotate(n=Count("id"))
        .values_list("assignee", "n")
    )
    counts = {m.pk: load.get(m.pk, 0) for m in members}
    # A member's own cap (set by the team's managers) wins over the workspace's.
    caps = {
        m.pk: m.assignment_cap if m.assignment_cap is not None else default_cap for m in members
    }
    for message in messages:
        room = [m for m in members if counts[m.pk] < caps[m.pk]]
        if not room:
            continue
        pick = min(room, key=lambda m: (counts[m.pk], m.pk))
        message.assignee_id = pick.pk
        counts[pick.pk] += 1


def _excerpt(message: Message) -> str:
    text = " ".join(message.text.split())
    return text if len(text) <= 80 else text[:79] + "…"


def tell_assigned(*, actor: Membership | None, message: Message, member_id: int, key: str) -> None:
    """Tell the member an inbox item is now theirs (in the app and by e-mail), once per
    `key`; never the person who assigned it to themselves."""
    if actor is not None and actor.pk == member_id:
        return
    member = Membership.objects.filter(pk=member_id).select_related("user", "workspace").first()
    if member is None or not member.user.is_active:
        return
    who = actor.user.display_name if actor is not None else _("An inbox rule")
    notify(
        workspace=member.workspace,
        recipients=[member.user],
        kind="inbox.assigned",
        key=key,
        text=_("%(who)s assigned you a message from @%(handle)s: “%(text)s”")
        % {"who": who, "handle": message.author_handle, "text": _excerpt(message)},
        url=reverse("inbox:detail", args=[member.workspace.slug, message.pk]),
    )


def tell_task_owner(*, actor: Membership | None, task: Task) -> None:
    """Tell a task's owner it is theirs, once per task and owner."""
    if task.assignee_id is None or (actor is not None and actor.pk == task.assignee_id):
        return
    member = (
        Membership.objects.filter(pk=task.assignee_id).select_related("user", "workspace").first()
    )
    if member is None or not member.user.is_active:
        return
    who = actor.user.display_name if actor is not None else _("An inbox rule")
    notify(
        workspace=member.workspace,
        recipients=[member.user],
        kind="inbox.task",
        key=f"inbox-task:{task.pk}:owner:{member.pk}",
        text=_("%(who)s gave you a %(kind)s task: “%(text)s”")
        % {
            "who": who,
            "kind": TaskKind(task.kind).label.lower(),
            "text": _excerpt(task.message) if not task.notes else task.notes[:80],
        },
        url=reverse("inbox:my_tasks", args=[member.workspace.slug]),
    )


@transaction.atomic
def message_assign(
    *,
    actor: Membership,
    message: Message,
    member_id: int | None = None,
    group_id: int | None = None,
) -> Message:
    """Give the item to a member, or to a group: then one of its members other than the
    actor (when it has one) takes it, round-robin, and the group stays on the item. The
    new assignee is told (in the app and by e-mail)."""
    require(actor, Perm.INBOX_ASSIGN)
    if member_id is None and group_id is None:
        raise ValidationFailed({"assignee": [_("Choose a person or a group.")]})
    before = message.assignee_id
    if member_id is not None:
        member = (
            Membership.objects.filter(workspace=actor.workspace, pk=member_id)
            .select_related("user", "workspace")
            .first()
        )
        if member is None:
            raise ValidationFailed({"assignee": [_("That person is not in this workspace.")]})
        if member.pk != before:
            check_can_take(member)
        message.assignee, message.group = member, None
    else:
        group = Group.objects.filter(workspace=actor.workspace, pk=int(group_id or 0)).first()
        if group is None:
            raise ValidationFailed({"group": [_("That group is not in this workspace.")]})
        message.group, message.assignee = group, None
        assign_round_robin(group.pk, [message], avoid=actor.pk)
    message.save(update_fields=["assignee", "group"])
    entry = audit_record(
        workspace=actor.workspace,
        actor=actor.user,
        action="inbox.assigned",
        target=message,
        member=message.assignee_id,
        group=message.group_id,
    )
    if message.assignee_id is not None and message.assignee_id != before:
        tell_assigned(
            actor=actor,
            message=message,
            member_id=message.assignee_id,
            key=f"inbox-assigned:{message.pk}:{entry.pk}",
        )
    return message


@transaction.atomic
def message_set_status(*, actor: Membership, message: Message, complete: bool) -> Message:
    require(actor, Perm.INBOX_REPLY)
    if complete:
        message.status, message.completed_at, message.completed_by = (
            MessageStatus.COMPLETE,
            clock.now(),
            actor.user,
        )
    else:
        message.status, message.completed_at, message.completed_by = MessageStatus.OPEN, None, None
    message.save(update_fields=["status", "completed_at", "completed_by"])
    return message


@transaction.atomic
def message_tag(*, actor: Membership, message: Message, names: Iterable[str]) -> Message:
    require(actor, Perm.INBOX_REPLY)
    tags = []
    for name in {n.strip()[:50] for n in names if n.strip()}:
        tag, _made = InboxTag.objects.get_or_create(workspace=actor.workspace, name=name)
        tags.append(tag)
    message.tags.set(tags)
    return message


DEFAULT_GROUPS = {TaskKind.LEAD: "Sales", TaskKind.SUPPORT: "Customer Care"}


def task_create(
    *,
    actor: Membership,
    message: Message,
    kind: str,
    notes: str = "",
    due_at: Any = None,
    member_id: int | None = None,
    group_id: int | None = None,
) -> Task:
    """A task on a message; a Lead goes to Sales and Support to Customer Care unless told
    otherwise. Outgoing webhooks are queued for it."""
    require(actor, Perm.INBOX_REPLY)
    if kind not in TaskKind.values:
        raise ValidationFailed({"kind": [_("Choose lead, support, feedback or other.")]})
    check_moment(due_at, "due_at")
    with transaction.atomic():
        group = None
        if group_id is not None:
            group = Group.objects.filter(workspace=actor.workspace, pk=group_id).first()
            if group is None:
                raise ValidationFailed({"group": [_("That group is not in this workspace.")]})
        elif kind in DEFAULT_GROUPS:
            group = Group.objects.filter(
                workspace=actor.workspace, name=DEFAULT_GROUPS[TaskKind(kind)]
            ).first()
        if member_id is not None:
            owner_member = (
                Membership.objects.filter(workspace=actor.workspace, pk=member_id)
                .select_related("user", "workspace")
                .first()
            )
            if owner_member is None:
                raise ValidationFailed({"assignee": [_("That person is not in this workspace.")]})
            check_can_take(owner_member)
        before = message.assignee_id
        if group is not None and message.group_id is None and message.assignee_id is None:
            message.group = group
            assign_round_robin(group.pk, [message], avoid=actor.pk)
            message.save(update_fields=["group", "assignee"])
        owner = member_id
        if owner is None and group is not None:
            # The task's owner: whoever in the group holds the item, else the group's
            # next person (round-robin, not the person creating it when possible).
            if message.assignee_id in {m.pk for m in _eligible(group)}:
                owner = message.assignee_id
            else:
                probe = Message(pk=message.pk)
                assign_round_robin(group.pk, [probe], avoid=actor.pk)
                owner = probe.assignee_id
        task = Task.objects.create(
            workspace=actor.workspace,
            message=message,
            kind=kind,
            notes=notes.strip(),
            due_at=due_at,
            assignee_id=owner,
            group=group,
            created_by=actor.user,
        )
        audit_record(
            workspace=actor.workspace,
            actor=actor.user,
            action="inbox.task_created",
            target=task,
            kind=kind,
        )
        queue_webhooks([task])
        tell_task_owner(actor=actor, task=task)
        if message.assignee_id is not None and message.assignee_id not in (before, owner):
            tell_assigned(
                actor=actor,
                message=message,
                member_id=message.assignee_id,
                key=f"inbox-assigned:{message.pk}:task:{task.pk}",
            )
    return task


def create_tasks_bulk(items: list[tuple[Message, str]]) -> None:
    """Tasks made by inbox rules."""
    made = Task.objects.bulk_create(
        [
            Task(workspace_id=m.workspace_id, message=m, kind=k)
            for m, k in items
            if k in TaskKind.values
        ]
    )
    queue_webhooks(made)


def task_payload(task: Task) -> dict[str, Any]:
    m = task.message
    return {
        "event": "task.created",
        "task": {
            "id": task.pk,
            "kind": task.kind,
            "notes": task.notes,
            "due_at": task.due_at.isoformat() if task.due_at else None,
            "created_at": task.created_at.isoformat(),
        },
        "message": {
            "id": m.pk,
            "channel": m.channel.name,
            "network": m.channel.network,
            "author": {"handle": m.author_handle, "name": m.author_name},
            "text": m.text,
            "url": m.url,
            "language": m.language,
            "sent_at": m.sent_at.isoformat(),
        },
        "workspace": m.workspace.slug if hasattr(m, "workspace") else None,
    }


def queue_webhooks(tasks: list[Task]) -> int:
    """One delivery per task and matching endpoint; sent by a background task."""
    if not tasks:
        return 0
    endpoints = list(
        WebhookEndpoint.objects.filter(workspace_id=tasks[0].workspace_id, active=True)
    )
    rows = [
        WebhookDelivery(endpoint=e, event="task.created", payload=task_payload(t))
        for t in Task.objects.filter(pk__in=[t.pk for t in tasks]).select_related(
            "message__channel", "message__workspace"
        )
        for e in endpoints
        if not e.task_kinds or t.kind in e.task_kinds
    ]
    WebhookDelivery.objects.bulk_create(rows)
    if rows:
        from roost.inbox.tasks import send_webhooks

        transaction.on_commit(lambda: send_webhooks.enqueue())
    return len(rows)


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 of "<timestamp>.<body>" with the endpoint's secret, hex."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def signature_header(endpoint: WebhookEndpoint, timestamp: str, body: bytes) -> str:
    """The X-Roost-Signature value: `sha256=<hex>` for each secret that signs now, the
    current one first, comma-separated (two only during a rotation's grace period). A
    receiver accepts the request if any one of them matches."""
    return ", ".join(
        "sha256=" + signature(secret, timestamp, body)
        for secret in endpoint.signing_secrets(clock.now())
    )


def webhook_body(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()


@transaction.atomic
def task_set_done(*, actor: Membership, task: Task, done: bool) -> Task:
    """Open or close a task."""
    require(actor, Perm.INBOX_REPLY)
    task.done = done
    task.save(update_fields=["done"])
    audit_record(
        workspace=actor.workspace,
        actor=actor.user,
        action="inbox.task_done" if done else "inbox.task_reopened",
        target=task,
    )
    return task
