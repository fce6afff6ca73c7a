"""Paid campaigns: create and change (MANAGE_BUDGETS), and fetch-and-authorize (VIEW_PAID)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from roost.core.exceptions import NotFound, ValidationFailed
from roost.paid.models import AdAccount, Objective, PaidCampaign
from roost.publishing.models import Campaign
from roost.workspaces.access import require
from roost.workspaces.models import Membership
from roost.workspaces.roles import Perm
from roost.workspaces.services import audit_record

NAME_MAX = 200
EXTERNAL_MAX = 200
# The largest amount the database holds (14 digits, 2 decimals): just under 10^12.
BUDGET_MAX = Decimal("999999999999.99")
CENTS = Decimal("0.01")
FLIGHT_MAX_DAYS = 3 * 366  # three years


@dataclass(frozen=True)
class PaidCampaignInput:
    ad_account_id: int | None
    name: str
    objective: str = Objective.TRAFFIC
    total_budget: Decimal | None = None
    daily_budget: Decimal | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    campaign_id: int | None = None  # the organic campaign
    external_id: str = ""


def _amount(value: Decimal | None, field: str, errors: dict[str, list[str]]) -> Decimal | None:
    if value is None:
        return None
    try:
        amount = Decimal(value)
        if not amount.is_finite():
            raise InvalidOperation
    except (InvalidOperation, TypeError, ValueError):
        errors[field] = [_("Enter an amount, e.g. 1500.00.")]
        return None
    if amount <= 0:
        errors[field] = [_("The budget must be more than 0.")]
    elif amount > BUDGET_MAX:
        errors[field] = [_("At most %(max)s.") % {"max": BUDGET_MAX}]
    elif amount != amount.quantize(CENTS):
        errors[field] = [_("At most two decimal places.")]
    else:
        return amount.quantize(CENTS)
    return None


def _validated(
    actor: Membership, data: PaidCampaignInput, existing: PaidCampaign | None
) -> dict[str, object]:
    errors: dict[str, list[str]] = {}
    ws = actor.workspace_id
    account = (
        AdAccount.objects.filter(workspace_id=ws, pk=data.ad_account_id).first()
        if data.ad_account_id is not None
        else None
    )
    if account is None:
        errors["ad_account_id"] = [_("Choose an ad account of this workspace.")]
    name = data.name.strip()
    if not name:
        errors["name"] = [_("Give the campaign a name.")]
    elif len(name) > NAME_MAX:
        errors["name"] = [_("At most %(n)d characters.") % {"n": NAME_MAX}]
    if data.objective not in Objective.values:
        errors["objective"] = [_("Choose one of the objectives.")]
    total = _amount(data.total_budget, "total_budget", errors)
    daily = _amount(data.daily_budget, "daily_budget", errors)
    if data.total_budget is None and data.daily_budget is None:
        errors["total_budget"] = [_("Give a total budget, a daily budget or both.")]
    if total is not None and daily is not None and daily > total:
        errors["daily_budget"] = [_("The daily budget cannot be more than the total budget.")]
    if data.starts_on is None:
        errors["starts_on"] = [_("Give the first day of the flight.")]
    if data.ends_on is None:
        errors["ends_on"] = [_("Give the last day of the flight.")]
    if data.starts_on and data.ends_on:
        if data.ends_on < data.starts_on:
            errors["ends_on"] = [_("The last day cannot be before the first day.")]
        elif (data.ends_on - data.starts_on).days + 1 > FLIGHT_MAX_DAYS:
            errors["ends_on"] = [_("A flight lasts at most three years.")]
    if (
        data.campaign_id is not None
        and not Campaign.objects.filter(workspace_id=ws, pk=data.campaign_id).exists()
    ):
        errors["campaign_id"] = [_("No such campaign in this workspace.")]
    external = data.external_id.strip()
    if len(external) > EXTERNAL_MAX:
        errors["external_id"] = [_("At most %(n)d characters.") % {"n": EXTERNAL_MAX}]
    elif external and account is not None:
        clash = PaidCampaign.objects.filter(ad_account=account, external_id=external)
        if existing is not None:
            clash = clash.exclude(pk=existing.pk)
        if clash.exists():
            errors["external_id"] = [_("Another campaign of this account has that id.")]
    if errors:
        raise ValidationFailed(errors)
    return {
        "ad_account": account,
        "name": name,
        "objective": data.objective,
        "total_budget": total,
        "daily_budget": daily,
        "starts_on": data.starts_on,
        "ends_on": data.ends_on,
        "campaign_id": data.campaign_id,
        "external_id": external,
    }


def _saved(campaign: PaidCampaign) -> PaidCampaign:
    try:
        with transaction.atomic():
            campaign.save()
    except IntegrityError:  # a concurrent save took the id
        raise ValidationFailed(
            {"external_id": [_("Another campaign of this account has that id.")]}
        ) from None
    return campaign


def _facts(c: PaidCampaign) -> dict[str, object]:
    return {
        "name": c.name,
        "currency": c.ad_account.currency,
        "total_budget": str(c.total_budget) if c.total_budget is not None else "",
        "daily_budget": str(c.daily_budget) if c.daily_budget is not None else "",
        "starts_on": c.starts_on.isoformat() if c.starts_on else "",
        "ends_on": c.ends_on.isoformat() if c.ends_on else "",
    }


@transaction.atomic
def paid_campaign_create(*, actor: Membership, data: PaidCampaignInput) -> PaidCampaign:
    """A new paid campaign with its budget and flight, in its ad account's currency."""
    require(actor, Perm.MANAGE_BUDGETS)
    fields = _validated(actor, data, None)
    campaign = _saved(
        PaidCampaign(workspace_id=actor.workspace_id, created_by=actor.user, **fields)
    )
    audit_record(
        workspace=actor.workspace,
        actor=actor.user,
        action="paid.campaign_created",
        target=campaign,
        **_facts(campaign),
    )
    return campaign


@transaction.atomic
def paid_campaign_update(
    *, actor: Membership, campaign: PaidCampaign, data: PaidCampaignInput
) -> PaidCampaign:
    """Change a paid campaign's plan (its figures stay)."""
    require(actor, Perm.MANAGE_BUDGETS)
    if campaign.workspace_id != actor.workspace_id:
        raise NotFound()
    fields = _validated(actor, data, campaign)
    before = _facts(campaign)
    for key, value in fields.items():
        setattr(campaign, key, value)
    _saved(campaign)
    audit_record(
        workspace=actor.workspace,
        actor=actor.user,
        action="paid.campaign_updated",
        target=campaign,
        before=before,
        **_facts(campaign),
    )
    return campaign


def access_paid_campaign(
    actor: Membership, paid_campaign_id: int, perm: Perm = Perm.VIEW_PAID
) -> PaidCampaign:
    """A paid campaign of the actor's workspace, checked for `perm`."""
    require(actor, perm)
    found = (
        PaidCampaign.objects.filter(workspace_id=actor.workspace_id, pk=paid_campaign_id)
        .select_related("ad_account", "campaign")
        .first()
    )
    if found is None:
        raise NotFound(_("No such paid campaign in this workspace."))
    return found
