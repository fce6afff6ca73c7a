"""Inbox rules: when (channel, keywords, language, kind) → then (tag, assign to a member or
a group, priority, complete, create a task). Applied to new messages in bulk."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from roost.core import clock
from roost.inbox.models import InboxRule, InboxTag, Message, MessageStatus


def matches(rule: InboxRule, message: Message) -> bool:
    when = rule.when or {}
    if when.get("channels") and message.channel_id not in when["channels"]:
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


def has_rules(workspace_id: int) -> bool:
    return InboxRule.objects.filter(workspace_id=workspace_id, active=True).exists()


def apply_rules(workspace_id: int, messages: list[Message]) -> None:
    """Run the workspace's active rules over freshly stored messages, in rule order."""
    rules = list(InboxRule.objects.filter(workspace_id=workspace_id, active=True))
    if not rules or not messages:
        return
    from roost.inbox.services.triage import assign_round_robin, create_tasks_bulk

    tags: dict[str, list[Message]] = defaultdict(list)
    to_group: dict[int, list[Message]] = defaultdict(list)
    tasks: list[tuple[Message, str]] = []
    changed: dict[int, Message] = {}
    for message in messages:
        for rule in rules:
            if not matches(rule, message):
                continue
            then: dict[str, Any] = rule.then or {}
            if then.get("tag"):
                tags[str(then["tag"])[:50]].append(message)
            if then.get("member"):
                message.assignee_id = int(then["member"])
                changed[message.pk] = message
            elif then.get("group"):
                message.group_id = int(then["group"])
                to_group[message.group_id].append(message)
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
    for group_id, grouped in to_group.items():
        assign_round_robin(group_id, [m for m in grouped if m.assignee_id is None])
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
