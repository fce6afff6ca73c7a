"""Ad accounts kept by hand: create, rename (MANAGE_BUDGETS), and fetch-and-authorize
(VIEW_PAID)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from roost.core.exceptions import NotFound, ValidationFailed
from roost.paid import currencies
from roost.paid.models import AdAccount, AdSource
from roost.workspaces.access import require
from roost.workspaces.models import Membership
from roost.workspaces.roles import Perm
from roost.workspaces.services import audit_record

NAME_MAX = 100
EXTERNAL_MAX = 100
# Kept by hand: every source but the Sandbox (connected through its own page).
HAND_SOURCES = (AdSource.META, AdSource.LINKEDIN, AdSource.GOOGLE, AdSource.TIKTOK, AdSource.API)


@dataclass(frozen=True)
class AccountInput:
    name: str
    source: str
    external_id: str = ""
    currency: str = ""


def access_ad_account(
    actor: Membership, ad_account_id: int, perm: Perm = Perm.VIEW_PAID
) -> AdAccount:
    """An ad account of the actor's workspace, checked for `perm`."""
    require(actor, perm)
    found = AdAccount.objects.filter(workspace_id=actor.workspace_id, pk=ad_account_id).first()
    if found is None:
        raise NotFound(_("No such ad account in this workspace."))
    return found


def _name(actor: Membership, name: str, account: AdAccount | None) -> str:
    name = name.strip()
    if not name:
        raise ValidationFailed({"name": [_("Give the ad account a name.")]})
    if len(name) > NAME_MAX:
        raise ValidationFailed({"name": [_("At most %(n)d characters.") % {"n": NAME_MAX}]})
    clash = AdAccount.objects.filter(workspace_id=actor.workspace_id, name=name)
    if account is not None:
        clash = clash.exclude(pk=account.pk)
    if clash.exists():
        raise ValidationFailed({"name": [_("This workspace already has an ad account so named.")]})
    return name


@transaction.atomic
def ad_account_create(*, actor: Membership, data: AccountInput) -> AdAccount:
    """A new ad account whose figures arrive as CSV exports or through the API."""
    require(actor, Perm.MANAGE_BUDGETS)
    errors: dict[str, list[str]] = {}
    try:
        name = _name(actor, data.name, None)
    except ValidationFailed as exc:
        errors.update(exc.errors)
        name = ""
    if data.source not in HAND_SOURCES:
        errors["source"] = [_("Choose Meta, LinkedIn, Google, TikTok or API.")]
    external_id = data.external_id.strip()
    if len(external_id) > EXTERNAL_MAX:
        errors["external_id"] = [_("At most %(n)d characters.") % {"n": EXTERNAL_MAX}]
    elif (
        external_id
        and AdAccount.objects.filter(
            workspace_id=actor.workspace_id, source=data.source, external_id=external_id
        ).exists()
    ):
        errors["external_id"] = [_("This account is already in the workspace.")]
    currency = currencies.normalize(data.currency)
    if currency is None:
        errors["currency"] = [
            _("“%(v)s” is not an ISO 4217 currency code (like EUR, USD, PLN).")
            % {"v": data.currency.strip()[:10]}
        ]
    if errors:
        raise ValidationFailed(errors)
    assert currency is not None
    try:
        with transaction.atomic():
            account = AdAccount.objects.create(
                workspace_id=actor.workspace_id,
                name=name,
                source=data.source,
                external_id=external_id,
                currency=currency,
            )
    except IntegrityError:  # a concurrent create took the name or the id
        raise ValidationFailed(
            {"name": [_("This ad account is already in the workspace.")]}
        ) from None
    audit_record(
        workspace=actor.workspace,
        actor=actor.user,
        action="paid.ad_account_created",
        target=account,
        name=account.name,
        source=account.source,
        currency=account.currency,
    )
    return account


@transaction.atomic
def ad_account_rename(*, actor: Membership, account: AdAccount, name: str) -> AdAccount:
    """Give an ad account another name (its source, id and currency stay)."""
    require(actor, Perm.MANAGE_BUDGETS)
    if account.workspace_id != actor.workspace_id:
        raise NotFound()
    before = account.name
    account.name = _name(actor, name, account)
    if account.name == before:
        return account
    try:
        with transaction.atomic():
            account.save(update_fields=["name"])
    except IntegrityError:
        raise ValidationFailed(
            {"name": [_("This workspace already has an ad account so named.")]}
        ) from None
    audit_record(
        workspace=actor.workspace,
        actor=actor.user,
        action="paid.ad_account_renamed",
        target=account,
        before=before,
        name=account.name,
    )
    return account
