"""Paid settings (reporting currency, boost approval threshold) and explicit conversion
rates (MANAGE_BUDGETS)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from roost.core import clock
from roost.core.exceptions import NotFound, ValidationFailed
from roost.paid.currencies import normalize
from roost.paid.models import CurrencyRate, PaidSettings
from roost.paid.money import paid_settings
from roost.workspaces.access import require
from roost.workspaces.models import Membership
from roost.workspaces.roles import Perm
from roost.workspaces.services import audit_record

THRESHOLD_MAX = Decimal("999999999999.99")
RATE_MAX = Decimal("9999999999.99999999")
RATE_PLACES = Decimal("0.00000001")


def _decimal(value: object) -> Decimal | None:
    try:
        found = Decimal(str(value).strip())
    except (InvalidOperation, TypeError, ValueError):
        return None
    return found if found.is_finite() else None


@transaction.atomic
def paid_settings_save(
    *, actor: Membership, currency: str, approval_threshold: Decimal | str
) -> PaidSettings:
    """Set the reporting currency and the boost approval threshold (in that currency)."""
    require(actor, Perm.MANAGE_BUDGETS)
    errors: dict[str, list[str]] = {}
    code = normalize(currency)
    if code is None:
        errors["currency"] = [_("Enter an ISO 4217 currency code, e.g. EUR.")]
    threshold = _decimal(approval_threshold)
    if threshold is None:
        errors["approval_threshold"] = [_("Enter an amount, e.g. 100.00.")]
    elif threshold < 0 or threshold > THRESHOLD_MAX:
        errors["approval_threshold"] = [_("Between 0 and %(max)s.") % {"max": THRESHOLD_MAX}]
    elif threshold != threshold.quantize(Decimal("0.01")):
        errors["approval_threshold"] = [_("At most two decimal places.")]
    if errors:
        raise ValidationFailed(errors)
    assert code is not None and threshold is not None
    found = paid_settings(actor.workspace)
    before = {"currency": found.currency, "approval_threshold": str(found.approval_threshold)}
    found.currency = code
    found.approval_threshold = threshold
    found.updated_at = clock.now()
    found.save()
    # A rate of the reporting currency into itself is always 1: a stored one would mislead.
    CurrencyRate.objects.filter(workspace=actor.workspace, currency=code).delete()
    audit_record(
        workspace=actor.workspace,
        actor=actor.user,
        action="paid.settings_saved",
        before=before,
        currency=code,
        approval_threshold=str(threshold),
    )
    return found


@transaction.atomic
def currency_rate_set(*, actor: Membership, currency: str, rate: Decimal | str) -> CurrencyRate:
    """1 `currency` = `rate` units of the reporting currency (> 0)."""
    require(actor, Perm.MANAGE_BUDGETS)
    errors: dict[str, list[str]] = {}
    reporting = paid_settings(actor.workspace).currency
    code = normalize(currency)
    if code is None:
        errors["currency"] = [_("Enter an ISO 4217 currency code, e.g. USD.")]
    elif code == reporting:
        errors["currency"] = [_("That is the reporting currency: its rate is always 1.")]
    value = _decimal(rate)
    if value is None:
        errors["rate"] = [_("Enter a number, e.g. 0.92.")]
    elif value <= 0 or value > RATE_MAX:
        errors["rate"] = [
            _("The rate must be more than 0 and at most %(max)s.") % {"max": RATE_MAX}
        ]
    elif value != value.quantize(RATE_PLACES):
        errors["rate"] = [_("At most eight decimal places.")]
    if errors:
        raise ValidationFailed(errors)
    assert code is not None and value is not None
    found, _created = CurrencyRate.objects.update_or_create(
        workspace=actor.workspace,
        currency=code,
        defaults={"rate": value, "updated_by": actor.user, "updated_at": clock.now()},
    )
    audit_record(
        workspace=actor.workspace,
        actor=actor.user,
        action="paid.rate_set",
        target=found,
        currency=code,
        rate=str(value),
        reporting=reporting,
    )
    return found


@transaction.atomic
def currency_rate_delete(*, actor: Membership, currency: str) -> None:
    """Forget a rate: that currency's spend is left out of totals again (and named)."""
    require(actor, Perm.MANAGE_BUDGETS)
    code = normalize(currency) or ""
    deleted, _rows = CurrencyRate.objects.filter(workspace=actor.workspace, currency=code).delete()
    if not deleted:
        raise NotFound(_("No rate for that currency."))
    audit_record(
        workspace=actor.workspace, actor=actor.user, action="paid.rate_deleted", currency=code
    )
