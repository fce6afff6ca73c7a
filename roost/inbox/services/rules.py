"""Inbox rules: when (channel, keywords, language, kind) → then (tag, assign to a member or
a group, priority, complete, create a task). Applied to new messages in bulk.

A rule names members, groups and channels by id. Those references are checked when the rule
is saved; when their target goes away, the service removing it has the rule cleaned up or
turned off with a reason (`rules_on_removed`); and a rule that still cannot apply when
messages arrive (data changed behind Roost's back) is skipped — logged, counted, marked
failing with the reason and told to the people who manage settings — never raised: one
workspace's broken rule must not stop its own messages, or anyone else's, from arriving.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import Any

from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from roost.channels.models import Channel
from roost.core import clock
from roost.core.references import Removed
from roost.inbox.models import InboxRule, InboxTag, Message, MessageStatus, Priority, TaskKind
from roost.notifications.services import notify
from roost.workspaces.models import Group, Membership, Workspace
from roost.workspaces.roles import Perm
from roost.workspaces.selectors import users_with_perm
from roost.workspaces.services import audit_record

log = logging.getLogger("roost.inbox")


def _id(value: Any) -> int | None:
    """An id given as 7 or "7"; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _ids(values: Any) -> list[int | None]:
    return [_id(v) for v in values] if isinstance(values, list) else [None]


def matches(rule: InboxRule, message: Message) -> bool:
    when = rule.when or {}
    if when.get("channels") and message.channel_id not in _ids(when["channels"]):
        return False
    if when.get("kinds") and message.kind not in when["kinds"]:
        return False
    if when.get("languages") and message.language not in when["languages"]:
        return False
    words = [w.lower() for w in when.get("keywords", []) if w]
    if words:
        text = message.text.lower()
        if not any(w in text for w in words):
            return False
    return True


def rule_reference_errors(
    workspace_id: int, when: dict[str, Any], then: dict[str, Any]
) -> dict[str, list[str]]:
    """Problems with what a rule names, by field: a member, group or channel that is missing
    or belongs to another workspace, a priority or task kind Roost does not know."""
    errors: dict[str, list[str]] = {}
    if then.get("member") not in (None, ""):
        member = _id(then["member"])
        if (
            member is None
            or not Membership.objects.filter(workspace_id=workspace_id, pk=member).exists()
        ):
            errors["member"] = [_("That person is not in this workspace.")]
    if then.get("group") not in (None, ""):
        group = _id(then["group"])
        if group is None or not Group.objects.filter(workspace_id=workspace_id, pk=group).exists():
            errors["group"] = [_("That group is not in this workspace.")]
    channels = when.get("channels") or []
    wanted = _ids(channels)
    known = [c for c in wanted if c is not None]
    if len(known) != len(wanted) or Channel.objects.filter(
        workspace_id=workspace_id, pk__in=known
    ).count() != len(set(known)):
        errors["channels"] = [_("Some channels are not in this workspace.")]
    if then.get("task") and then["task"] not in TaskKind.values:
        errors["task"] = [_("Choose lead, support, feedback or other.")]
    if "priority" in then and then["priority"] not in Priority.values:
        errors["priority"] = [_("Choose a priority.")]
    return errors


def has_rules(workspace_id: int) -> bool:
    return InboxRule.objects.filter(workspace_id=workspace_id, active=True).exists()


def _problems(workspace_id: int, rules: list[InboxRule]) -> dict[int, str]:
    """Why each rule that cannot apply now cannot (one query per kind of reference)."""
    members = set(Membership.objects.filter(workspace_id=workspace_id).values_list("pk", flat=True))
    groups = set(Group.objects.filter(workspace_id=workspace_id).values_list("pk", flat=True))
    found: dict[int, str] = {}
    for rule in rules:
        then = rule.then
        if not isinstance(rule.when, dict) or not isinstance(then, dict):
            found[rule.pk] = _("Its conditions or actions are not readable.")
        elif then.get("member") and _id(then["member"]) not in members:
            found[rule.pk] = _("The person it assigns to is no longer in this workspace.")
        elif not then.get("member") and then.get("group") and _id(then["group"]) not in groups:
            found[rule.pk] = _("The group it routes to no longer exists.")
        elif "priority" in then and then["priority"] not in Priority.values:
            found[rule.pk] = _("Its priority is not one Roost knows.")
    return found


def apply_rules(workspace_id: int, messages: list[Message]) -> None:
    """Run the workspace's active rules over freshly stored messages, in rule order. A rule
    that cannot apply is skipped for all of them and reported (see the module docstring)."""
    rules = list(InboxRule.objects.filter(workspace_id=workspace_id, active=True))
    if not rules or not messages:
        return
    from roost.inbox.services.triage import assign_round_robin, create_tasks_bulk

    problems = _problems(workspace_id, rules)
    tags: dict[str, list[Message]] = defaultdict(list)
    to_group: dict[int, list[Message]] = defaultdict(list)
    routed_by: dict[int, list[InboxRule]] = defaultdict(list)
    tasks: list[tuple[Message, str]] = []
    changed: dict[int, Message] = {}
    for message in messages:
        for rule in rules:
            if rule.pk in problems:
                continue
            try:
                if not matches(rule, message):
                    continue
                _collect(rule, message, tags, to_group, tasks, changed)
            except Exception as exc:  # malformed values: this rule stops, the others go on
                problems[rule.pk] = _("It could not be applied: %(error)s") % {"error": exc}
                continue
            if (rule.then or {}).get("group") and not (rule.then or {}).get("member"):
                routed_by[_id(rule.then["group"]) or 0].append(rule)
    for group_id, grouped in to_group.items():
        try:
            assign_round_robin(group_id, [m for m in grouped if m.assignee_id is None])
        except Group.DoesNotExist:  # deleted a moment ago: the messages stay unassigned
            for message in grouped:
                message.group_id = None
            for rule in routed_by[group_id]:
                problems[rule.pk] = _("The group it routes to no longer exists.")
    if changed:
        Message.objects.bulk_update(
            list(changed.values()),
            ["assignee", "group", "priority", "status", "completed_at"],
            batch_size=500,
        )
    for name, tagged in tags.items():
        tag, _made = InboxTag.objects.get_or_create(workspace_id=workspace_id, name=name)
        Message.tags.through.objects.bulk_create(
            [Message.tags.through(message_id=m.pk, inboxtag_id=tag.pk) for m in tagged],
            ignore_conflicts=True,
        )
    if tasks:
        create_tasks_bulk(tasks)
    _tell_routed(workspace_id, [m for m in changed.values() if m.assignee_id is not None])
    _report(workspace_id, rules, problems)


def _tell_routed(workspace_id: int, messages: list[Message]) -> None:
    """Tell each person the rules handed new items to: one notification per person and
    poll (a summary when several came at once), never one per message."""
    by_member: dict[int, list[Message]] = defaultdict(list)
    for message in messages:
        by_member[int(message.assignee_id or 0)].append(message)
    if not by_member:
        return
    from roost.inbox.services.triage import tell_assigned

    workspace = Workspace.objects.get(pk=workspace_id)
    people = Membership.objects.filter(pk__in=list(by_member), user__is_active=True)
    for member in people.select_related("user"):
        got = sorted(by_member[member.pk], key=lambda m: m.pk)
        key = f"inbox-routed:{got[0].pk}:{member.pk}"
        if len(got) == 1:
            tell_assigned(actor=None, message=got[0], member_id=member.pk, key=key)
            continue
        notify(
            workspace=workspace,
            recipients=[member.user],
            kind="inbox.assigned",
            key=key,
            text=ngettext(
                "%(n)s new inbox item was routed to you.",
                "%(n)s new inbox items were routed to you.",
                len(got),
            )
            % {"n": len(got)},
            url=reverse("inbox:list", args=[workspace.slug]) + "?assignee=me",
        )


def _collect(
    rule: InboxRule,
    message: Message,
    tags: dict[str, list[Message]],
    to_group: dict[int, list[Message]],
    tasks: list[tuple[Message, str]],
    changed: dict[int, Message],
) -> None:
    """What one matching rule does to one message (written in bulk by the caller)."""
    then: dict[str, Any] = rule.then or {}
    if then.get("tag"):
        tags[str(then["tag"])[:50]].append(message)
    if then.get("member"):
        message.assignee_id = _id(then["member"])
        changed[message.pk] = message
    elif then.get("group"):
        message.group_id = _id(then["group"])
        to_group[message.group_id or 0].append(message)
        changed[message.pk] = message
    if "priority" in then:
        message.priority = int(then["priority"])
        changed[message.pk] = message
    if then.get("complete"):
        message.status = MessageStatus.COMPLETE
        message.completed_at = clock.now()
        changed[message.pk] = message
    if then.get("task"):
        tasks.append((message, str(then["task"])))


def _report(workspace_id: int, rules: list[InboxRule], problems: dict[int, str]) -> None:
    """Mark the rules that were skipped as failing (telling the people who manage settings
    once per failure streak) and clear the mark from the ones that applied again."""
    now = clock.now()
    recovered = [r.pk for r in rules if r.pk not in problems and r.failures]
    if recovered:
        InboxRule.objects.filter(pk__in=recovered).update(
            failing_reason="", failing_since=None, failures=0
        )
    for rule in rules:
        reason = problems.get(rule.pk)
        if reason is None:
            continue
        log.warning("inbox rule %s of workspace %s skipped: %s", rule.pk, workspace_id, reason)
        InboxRule.objects.filter(pk=rule.pk).update(
            failing_reason=reason[:500],
            failing_since=Coalesce(F("failing_since"), Value(now)),
            failures=F("failures") + 1,
        )
        if rule.failing_since is None:  # a new streak: say so, once
            _tell(workspace_id, rule, reason, now)


def _tell(workspace_id: int, rule: InboxRule, reason: str, since: Any) -> None:
    workspace = Workspace.objects.get(pk=workspace_id)
    notify(
        workspace=workspace,
        recipients=users_with_perm(workspace_id, Perm.MANAGE_SETTINGS),
        kind="inbox.rule_failing",
        key=f"inbox_rule:{rule.pk}:failing:{since.isoformat()}",
        text=_("The inbox rule “%(rule)s” is skipped: %(reason)s")
        % {"rule": rule.name, "reason": reason},
        url=reverse("inbox:settings", args=[workspace.slug]),
    )


def rules_on_removed(event: Removed) -> int:
    """A member, group or channel is going away: rules that assign to it are turned off
    with the reason; a rule limited to channels forgets the channel, and is turned off when
    none are left (else it would start applying to every channel). Returns how many changed."""
    changed = 0
    for rule in InboxRule.objects.filter(workspace_id=event.workspace_id).select_related(
        "workspace"
    ):
        when = rule.when if isinstance(rule.when, dict) else {}
        then = rule.then if isinstance(rule.then, dict) else {}
        if event.kind in ("member", "group"):
            if _id(then.get(event.kind)) != event.pk:
                continue
            _disable(rule, event)
        elif event.kind == "channel":
            listed = when.get("channels") or []
            if event.pk not in _ids(listed):
                continue
            rest = [c for c in listed if _id(c) != event.pk]
            rule.when = (
                {**when, "channels": rest}
                if rest
                else {k: v for k, v in when.items() if k != "channels"}
            )
            if rest:
                rule.save(update_fields=["when"])
            else:
                _disable(rule, event, also=["when"])
        else:
            continue
        changed += 1
    return changed


def _disable(rule: InboxRule, event: Removed, also: list[str] | None = None) -> None:
    was_active = rule.active
    rule.active = False
    if was_active:
        rule.disabled_reason = event.reason[:300]
    rule.save(update_fields=["active", "disabled_reason", *(also or [])])
    if was_active:
        audit_record(
            workspace=rule.workspace,
            actor=event.actor,
            action="inbox.rule_disabled",
            target=rule,
            reason=event.reason,
        )
