"""Inbox settings: SLA targets and business hours, inbox rules, webhook endpoints."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from roost.core import outbound
from roost.core.exceptions import ValidationFailed
from roost.inbox.models import (
    InboxRule,
    InboxSettings,
    Priority,
    TaskKind,
    WebhookDelivery,
    WebhookEndpoint,
)
from roost.inbox.services.triage import inbox_settings
from roost.inbox.services.webhooks import delivery_replay
from roost.workspaces.access import require
from roost.workspaces.models import Group, Membership
from roost.workspaces.roles import Perm
from roost.workspaces.services import audit_record


@transaction.atomic
def inbox_settings_save(
    *,
    actor: Membership,
    first_response_minutes: int,
    completion_hours: int,
    per_member_cap: int,
    business_hours: dict[str, list[str]],
) -> InboxSettings:
    require(actor, Perm.MANAGE_SETTINGS)
    found = inbox_settings(actor.workspace_id)
    found.first_response_minutes = first_response_minutes
    found.completion_hours = completion_hours
    found.per_member_cap = per_member_cap
    found.business_hours = business_hours
    found.save()
    audit_record(
        workspace=actor.workspace,
        actor=actor.user,
        action="inbox.settings_saved",
        first_response_minutes=first_response_minutes,
        completion_hours=completion_hours,
        per_member_cap=per_member_cap,
    )
    return found


@transaction.atomic
def rule_create(
    *, actor: Membership, name: str, when: dict[str, Any], then: dict[str, Any]
) -> InboxRule:
    """A rule at the end of the list. `when` and `then` as in InboxRule's fields."""
    require(actor, Perm.MANAGE_SETTINGS)
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [_("Give the rule a name.")]
    if not any(then.get(k) not in (None, "", False) for k in then):
        errors["then"] = [_("Choose at least one thing the rule does.")]
    if (
        then.get("member")
        and not Membership.objects.filter(workspace=actor.workspace, pk=then["member"]).exists()
    ):
        errors["member"] = [_("That person is not in this workspace.")]
    if (
        then.get("group")
        and not Group.objects.filter(workspace=actor.workspace, pk=then["group"]).exists()
    ):
        errors["group"] = [_("That group is not in this workspace.")]
    if then.get("task") and then["task"] not in TaskKind.values:
        errors["task"] = [_("Choose lead, support, feedback or other.")]
    if "priority" in then and then["priority"] not in Priority.values:
        errors["priority"] = [_("Choose a priority.")]
    if errors:
        raise ValidationFailed(errors)
    last = InboxRule.objects.filter(workspace=actor.workspace).order_by("-position").first()
    rule = InboxRule.objects.create(
        workspace=actor.workspace,
        name=name.strip()[:100],
        position=(last.position + 1) if last else 0,
        when={k: v for k, v in when.items() if v},
        then={k: v for k, v in then.items() if v not in (None, "", False)},
    )
    audit_record(
        workspace=actor.workspace, actor=actor.user, action="inbox.rule_created", target=rule
    )
    return rule


@transaction.atomic
def rule_delete(*, actor: Membership, rule: InboxRule) -> None:
    require(actor, Perm.MANAGE_SETTINGS)
    audit_record(
        workspace=actor.workspace, actor=actor.user, action="inbox.rule_deleted", target=rule
    )
    rule.delete()


def endpoint_create(
    *, actor: Membership, name: str, url: str, task_kinds: list[str]
) -> tuple[WebhookEndpoint, str]:
    """A webhook endpoint and its signing secret (shown once: keep it now)."""
    require(actor, Perm.MANAGE_SETTINGS)
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [_("Give the endpoint a name.")]
    if not url.startswith(("https://", "http://")):
        errors["url"] = [_("Enter the full address, starting with https://.")]
    else:
        # Only public addresses (or the operator's allow-list); the name is looked up here,
        # outside the transaction, and again on every delivery.
        try:
            outbound.validate_url(url)
        except outbound.OutboundRefused as exc:
            errors["url"] = [str(exc)]
    if any(k not in TaskKind.values for k in task_kinds):
        errors["task_kinds"] = [_("Choose lead, support, feedback or other.")]
    if errors:
        raise ValidationFailed(errors)
    secret = "whsec_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(
            workspace=actor.workspace,
            name=name.strip()[:100],
            url=url,
            secret=secret,
            task_kinds=list(task_kinds),
        )
        audit_record(
            workspace=actor.workspace,
            actor=actor.user,
            action="inbox.webhook_created",
            target=endpoint,
            url=url,
        )
    return endpoint, secret


@transaction.atomic
def endpoint_delete(*, actor: Membership, endpoint: WebhookEndpoint) -> None:
    require(actor, Perm.MANAGE_SETTINGS)
    audit_record(
        workspace=actor.workspace,
        actor=actor.user,
        action="inbox.webhook_deleted",
        target=endpoint,
        url=endpoint.url,
    )
    endpoint.delete()


def delivery_replay_by(*, actor: Membership, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a logged delivery again (the Replay button)."""
    require(actor, Perm.MANAGE_SETTINGS)
    with transaction.atomic():
        delivery_replay(delivery)
        audit_record(
            workspace=actor.workspace,
            actor=actor.user,
            action="inbox.webhook_replayed",
            target=delivery,
        )
        from roost.inbox.tasks import send_webhooks

        transaction.on_commit(lambda: send_webhooks.enqueue())
    return delivery
