"""Inbox settings: SLA targets and business hours, inbox rules, webhook endpoints."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from roost.core import clock, crypto, outbound
from roost.core.exceptions import ValidationFailed
from roost.inbox.models import (
    InboxRule,
    InboxSettings,
    TaskKind,
    WebhookDelivery,
    WebhookEndpoint,
)
from roost.inbox.services.rules import rule_reference_errors
from roost.inbox.services.triage import inbox_settings
from roost.inbox.services.webhooks import delivery_replay
from roost.workspaces.access import require
from roost.workspaces.models import Membership
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
    # Members, groups and channels of this workspace only; a priority and task Roost knows.
    errors.update(rule_reference_errors(actor.workspace_id, when, then))
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
    secret = _new_secret()
    with transaction.atomic():
        endpoint = WebhookEndpoint(
            workspace=actor.workspace,
            name=name.strip()[:100],
            url=url,
            task_kinds=list(task_kinds),
        )
        endpoint.secret = secret  # kept encrypted
        endpoint.save()
        audit_record(
            workspace=actor.workspace,
            actor=actor.user,
            action="inbox.webhook_created",
            target=endpoint,
            url=url,
        )
    return endpoint, secret


# How long the previous secret keeps signing after a rotation, unless told otherwise.
ROTATION_GRACE = timedelta(hours=24)
MAX_GRACE = timedelta(days=7)


def _new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


@transaction.atomic
def endpoint_rotate_secret(
    *, actor: Membership, endpoint: WebhookEndpoint, grace: timedelta = ROTATION_GRACE
) -> tuple[WebhookEndpoint, str]:
    """A new signing secret (shown once); the current one keeps signing, next to it, until
    `grace` has passed, so the receiver can switch without losing a delivery. A secret
    still in an earlier grace period stops signing now."""
    require(actor, Perm.MANAGE_SETTINGS)
    if not timedelta(0) <= grace <= MAX_GRACE:
        raise ValidationFailed({"grace_hours": [_("Keep the old secret for at most 7 days.")]})
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    secret = _new_secret()
    until = clock.now() + grace
    if grace:
        endpoint.previous_secret_encrypted = endpoint.secret_encrypted
        endpoint.previous_secret_expires_at = until
    else:
        endpoint.previous_secret_encrypted, endpoint.previous_secret_expires_at = "", None
    endpoint.secret = secret
    endpoint.save(
        update_fields=[
            "secret_encrypted",
            "previous_secret_encrypted",
            "previous_secret_expires_at",
        ]
    )
    audit_record(
        workspace=actor.workspace,
        actor=actor.user,
        action="inbox.webhook_secret_rotated",
        target=endpoint,
        previous_valid_until=until.isoformat() if grace else None,
    )
    return endpoint, secret


def endpoint_secrets_reencrypt() -> tuple[int, int]:
    """Re-encrypt every endpoint's secrets with the newest key (`roost rotate_secrets`);
    a previous secret whose grace period is over is dropped instead. Returns
    (re-encrypted, unreadable)."""
    done = failed = 0
    now = clock.now()
    rows = WebhookEndpoint.objects.values_list(
        "pk", "secret_encrypted", "previous_secret_encrypted", "previous_secret_expires_at"
    )
    for pk, current, previous, expires in rows.iterator():
        try:
            changes: dict[str, Any] = {"secret_encrypted": crypto.rotate(current)}
            if previous and expires is not None and now < expires:
                changes["previous_secret_encrypted"] = crypto.rotate(previous)
            elif previous:
                changes.update(previous_secret_encrypted="", previous_secret_expires_at=None)
        except crypto.SecretUnreadable:
            failed += 1
            continue
        # Only if unchanged meanwhile: a secret rotated since was written with the newest
        # key already.
        WebhookEndpoint.objects.filter(
            pk=pk, secret_encrypted=current, previous_secret_encrypted=previous
        ).update(**changes)
        done += 1
    return done, failed


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
