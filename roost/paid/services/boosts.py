"""Boosts: paid reach for a published post. Asking for one, its approval, cancelling it.

Who may spend is the permission matrix's SPEND. A boost whose budget, converted into the
workspace's reporting currency through an explicit rate, is above the approval threshold
(or whose currency has no rate, so nobody can tell) waits in the approvals engine for a
member holding APPROVE_SPEND; at or below it, it is queued at once. Creating it on the ad
network, exactly once, is `roost.paid.services.boost_delivery`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from roost.approvals import services as approvals
from roost.approvals.models import ApprovalEvent, EventKind, StepRule, Workflow, WorkflowStep
from roost.channels.models import Channel
from roost.core import clock
from roost.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from roost.paid import countries, money
from roost.paid.models import AdAccount, AdSource, Boost, BoostStatus
from roost.publishing.models import Delivery, DeliveryStatus, Post
from roost.workspaces.models import Membership, Workspace
from roost.workspaces.roles import Perm
from roost.workspaces.services import audit_record

log = logging.getLogger("roost.paid.boosts")

KIND = "boost"  # the approvals engine's key
MAX_BUDGET = Decimal("1000000")
MAX_DAYS = 90
AGE_MIN, AGE_MAX = 13, 65
MAX_INTERESTS = 10
MAX_COUNTRIES = 50
INTEREST_LENGTH = 50


def access_boost(actor: Membership, boost_id: int) -> Boost:
    """The boost with this id in the actor's workspace, if they may see paid media."""
    if not actor.has_perm(Perm.VIEW_PAID):
        raise PermissionDenied()
    found = (
        Boost.objects.filter(workspace_id=actor.workspace_id, pk=boost_id)
        .select_related("post", "channel", "ad_account", "paid_campaign", "created_by")
        .first()
    )
    if found is None:
        raise NotFound()
    return found


def published_channels(post: Post) -> QuerySet[Channel]:
    """The channels the post went out on (a delivery with the network's id)."""
    done = Delivery.objects.filter(
        post=post, status=DeliveryStatus.PUBLISHED, remote_id__gt=""
    ).values("channel_id")
    return Channel.objects.filter(workspace_id=post.workspace_id, pk__in=done).order_by("name")


def ad_accounts_for(workspace: Workspace, channel: Channel | None = None) -> QuerySet[AdAccount]:
    """The Sandbox Ads accounts that can boost a post of `channel` (same network)."""
    found = AdAccount.objects.filter(
        workspace=workspace, source=AdSource.SANDBOX, channel__isnull=False
    ).select_related("channel")
    if channel is not None:
        found = found.filter(channel__network=channel.network)
    return found.order_by("name")


def clean_audience(audience: dict[str, Any] | None) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The audience in its stored shape, and what is wrong with it, by field."""
    audience = audience or {}
    errors: dict[str, list[str]] = {}
    raw = audience.get("countries") or []
    if isinstance(raw, str):
        raw = [c for c in raw.replace(",", " ").split() if c]
    codes = [str(c).strip().upper() for c in raw]
    unknown = [c for c in codes if not countries.is_country(c)]
    if unknown:
        errors["countries"] = [
            _("Not ISO 3166 two-letter country codes: %(codes)s (e.g. PL, DE).")
            % {"codes": ", ".join(unknown[:5])}
        ]
    elif len(set(codes)) > MAX_COUNTRIES:
        errors["countries"] = [_("At most %(n)s countries.") % {"n": MAX_COUNTRIES}]
    ages = {}
    for key, default in (("age_min", AGE_MIN), ("age_max", AGE_MAX)):
        value = audience.get(key)
        try:
            ages[key] = default if value in (None, "") else int(value)
        except (TypeError, ValueError):
            ages[key] = default
            errors[key] = [_("A whole number of years.")]
            continue
        if not AGE_MIN <= ages[key] <= AGE_MAX:
            errors[key] = [_("Ages run from %(lo)s to %(hi)s.") % {"lo": AGE_MIN, "hi": AGE_MAX}]
    if not errors.keys() & {"age_min", "age_max"} and ages["age_min"] > ages["age_max"]:
        errors["age_max"] = [_("The highest age is below the lowest.")]
    raw_interests = audience.get("interests") or []
    if isinstance(raw_interests, str):
        raw_interests = raw_interests.split(",")
    interests = list(dict.fromkeys(str(i).strip() for i in raw_interests if str(i).strip()))
    if len(interests) > MAX_INTERESTS:
        errors["interests"] = [_("At most %(n)s interests.") % {"n": MAX_INTERESTS}]
    elif any(len(i) > INTEREST_LENGTH for i in interests):
        errors["interests"] = [
            _("An interest has at most %(n)s characters.") % {"n": INTEREST_LENGTH}
        ]
    cleaned = {
        "countries": sorted(set(codes)),
        "age_min": ages["age_min"],
        "age_max": ages["age_max"],
        "interests": interests,
    }
    return cleaned, errors


def _clean_budget(budget: Any) -> tuple[Decimal | None, list[str]]:
    try:
        amount = Decimal(str(budget).strip())
    except (InvalidOperation, ValueError):
        return None, [_("An amount such as 150.00.")]
    if not amount.is_finite() or amount <= 0:
        return None, [_("The budget must be more than zero.")]
    if amount > MAX_BUDGET:
        return None, [_("At most %(max)s.") % {"max": MAX_BUDGET}]
    if amount != amount.quantize(money.CENTS):
        return None, [_("At most two decimal places.")]
    return amount.quantize(money.CENTS), []


def _clean_days(days: Any) -> tuple[int, list[str]]:
    try:
        value = int(days)
    except (TypeError, ValueError):
        return 0, [_("A whole number of days.")]
    if not 1 <= value <= MAX_DAYS:
        return 0, [_("From 1 to %(n)s days.") % {"n": MAX_DAYS}]
    return value, []


def needs_approval(workspace: Workspace, budget: Decimal, currency: str) -> bool:
    """Above the threshold in the reporting currency, or no rate to tell."""
    converted = money.convert(budget, currency, money.rates(workspace))
    if converted is None:
        return True
    return converted > money.paid_settings(workspace).approval_threshold


def title_of(boost: Boost) -> str:
    """'Boost of 150.00 EUR for 7 days: <post text>' (for queues and notifications)."""
    text = " ".join(boost.post.text.split())
    text = (text[:57] + "…") if len(text) > 60 else (text or _("(post without text)"))
    return _("Boost of %(amount)s %(currency)s for %(days)s days: %(text)s") % {
        "amount": boost.budget,
        "currency": boost.ad_account.currency,
        "days": boost.days,
        "text": text,
    }


def spend_approvers(workspace_id: int) -> list[Membership]:
    """The members who hold APPROVE_SPEND now."""
    members = Membership.objects.filter(workspace_id=workspace_id).prefetch_related("roles")
    return [m for m in members if m.has_perm(Perm.APPROVE_SPEND)]


def spend_workflow(workspace: Workspace) -> Workflow:
    """The workspace's workflow for boosts: one step, any one member holding APPROVE_SPEND.
    Made on first use; its approvers are set again from the roles at every submission, so a
    role granted or taken away counts from the next boost on."""
    workflow, _made = Workflow.objects.get_or_create(
        workspace=workspace,
        kind=KIND,
        is_default=True,
        defaults={"name": _("Spend approval")},
    )
    step, _made = WorkflowStep.objects.get_or_create(
        workflow=workflow,
        position=1,
        defaults={"name": _("Approve spend"), "rule": StepRule.ANY},
    )
    step.members.set(spend_approvers(workspace.pk))
    return workflow


def _enqueue(boost_id: int) -> None:
    from roost.paid.tasks import create_boost

    transaction.on_commit(partial(create_boost.enqueue, boost_id))


def boost_create(
    *,
    actor: Membership,
    post: Post,
    channel: Channel,
    ad_account: AdAccount,
    budget: Any,
    days: Any,
    audience: dict[str, Any] | None,
) -> Boost:
    """Ask for a boost: through approval above the threshold, else queued at once."""
    if not actor.has_perm(Perm.SPEND):
        raise PermissionDenied(_("Your role in this workspace does not allow spending."))
    ws = actor.workspace_id
    if post.workspace_id != ws or channel.workspace_id != ws or ad_account.workspace_id != ws:
        raise NotFound()
    errors: dict[str, list[str]] = {}
    amount, problems = _clean_budget(budget)
    if problems:
        errors["budget"] = problems
    day_count, problems = _clean_days(days)
    if problems:
        errors["days"] = problems
    cleaned, problems_by_field = clean_audience(audience)
    errors.update(problems_by_field)
    if not published_channels(post).filter(pk=channel.pk).exists():
        errors["channel"] = [
            _("This post is not published on %(channel)s: only a published post can be boosted.")
            % {"channel": channel.name}
        ]
    elif not ad_accounts_for(actor.workspace, channel).filter(pk=ad_account.pk).exists():
        errors["ad_account"] = [
            _(
                "%(account)s cannot boost posts of %(channel)s: choose a Sandbox Ads account "
                "on the same network."
            )
            % {"account": ad_account.name, "channel": channel.name}
        ]
    if errors or amount is None:
        raise ValidationFailed(errors)
    review = needs_approval(actor.workspace, amount, ad_account.currency)
    now = clock.now()
    with transaction.atomic():
        boost = Boost.objects.create(
            workspace_id=ws,
            post=post,
            channel=channel,
            ad_account=ad_account,
            budget=amount,
            days=day_count,
            audience=cleaned,
            status=BoostStatus.IN_REVIEW if review else BoostStatus.QUEUED,
            next_try_at=None if review else now,
            created_by=actor.user,
        )
        audit_record(
            workspace=actor.workspace,
            actor=actor.user,
            action="paid.boost_requested",
            target=boost,
            amount=str(amount),
            currency=ad_account.currency,
            days=day_count,
            post=post.pk,
            approval=review,
        )
        if review:
            approvals.request_submit(
                actor=actor,
                kind=KIND,
                obj=boost,
                workflow=spend_workflow(actor.workspace),
                plan={"mode": "now"},
            )
        else:
            _enqueue(boost.pk)
    return boost


def boost_cancel(*, actor: Membership, boost: Boost) -> Boost:
    """Withdraw a boost waiting for approval (nothing was spent)."""
    if not actor.has_perm(Perm.SPEND):
        raise PermissionDenied(_("Your role in this workspace does not allow spending."))
    if boost.workspace_id != actor.workspace_id:
        raise NotFound()
    with transaction.atomic():
        if not Boost.objects.filter(pk=boost.pk, status=BoostStatus.IN_REVIEW).update(
            status=BoostStatus.CANCELLED
        ):
            boost.refresh_from_db(fields=["status"])
            raise Conflict(
                _("Only a boost waiting for approval can be cancelled; this one is: %(s)s.")
                % {"s": boost.get_status_display()}
            )
        approvals.request_cancel(
            kind=KIND, object_id=boost.pk, actor=actor.user, reason=_("The boost was cancelled.")
        )
        audit_record(
            workspace=actor.workspace, actor=actor.user, action="paid.boost_cancelled", target=boost
        )
    boost.status = BoostStatus.CANCELLED
    return boost


def on_approved(boost: Boost) -> str:
    """The last approval: queue it for the ad network (unless it left review meanwhile)."""
    now = clock.now()
    if not Boost.objects.filter(pk=boost.pk, status=BoostStatus.IN_REVIEW).update(
        status=BoostStatus.QUEUED, approved_at=now, next_try_at=now
    ):
        return _("Approved, but the boost was no longer waiting: nothing was spent.")
    _enqueue(boost.pk)
    return _("Approved: the boost is being created on the ad network.")


def on_returned(boost: Boost) -> None:
    """Rejected, or changes requested: it goes back, nothing is spent."""
    Boost.objects.filter(pk=boost.pk, status=BoostStatus.IN_REVIEW).update(
        status=BoostStatus.RETURNED
    )


@dataclass(frozen=True)
class ApprovalNote:
    """Who approved (or returned) a boost, and when."""

    event: str
    who: str
    at: datetime
    comment: str


def approval_notes(boost_ids: list[int]) -> dict[int, ApprovalNote]:
    """The latest decision on each boost's spend, by boost id (one query)."""
    found = (
        ApprovalEvent.objects.filter(
            kind=KIND,
            object_id__in=boost_ids,
            event__in=[EventKind.APPROVED, EventKind.REJECTED, EventKind.CHANGES_REQUESTED],
        )
        .select_related("actor")
        .order_by("created_at", "id")
    )
    notes: dict[int, ApprovalNote] = {}
    for e in found:  # oldest first: the latest stays
        who = e.actor.display_name if e.actor is not None else e.actor_label
        notes[int(e.object_id)] = ApprovalNote(
            event=e.event, who=who or "—", at=e.created_at, comment=e.comment
        )
    return notes


def approval_note(boost: Boost) -> ApprovalNote | None:
    """The decision on the boost's spend, from the approvals engine's events."""
    return approval_notes([boost.pk]).get(boost.pk)
