"""Forms of the paid campaign, settings and planning pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from roost.paid.models import AdAccount, Objective
from roost.paid.services.campaigns import BUDGET_MAX, NAME_MAX, PaidCampaignInput
from roost.publishing.models import Campaign

AMOUNT_ERRORS = {
    "invalid": _("Enter an amount, e.g. 1500.00."),
    "max_digits": _("At most 12 digits before the decimal point."),
    "max_decimal_places": _("At most two decimal places."),
    "max_whole_digits": _("At most 12 digits before the decimal point."),
}
DATE_ERRORS = {"invalid": _("Enter a date, like 2026-03-01.")}


def _amount(label: Any, required: bool = False) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=BUDGET_MAX,
        error_messages={
            **AMOUNT_ERRORS,
            "min_value": _("The budget must be more than 0."),
            "max_value": _("At most %(limit_value)s."),
        },
    )


class PaidCampaignForm(forms.Form):
    """A paid campaign's plan: account, name, objective, budgets, flight, organic link."""

    ad_account = forms.TypedChoiceField(
        label=_("Ad account"),
        coerce=int,
        error_messages={"invalid_choice": _("Choose an ad account of this workspace.")},
    )
    name = forms.CharField(label=_("Name"), max_length=NAME_MAX)
    objective = forms.ChoiceField(label=_("Objective"), choices=Objective.choices)
    total_budget = _amount(_("Total budget (in the account's currency)"))
    daily_budget = _amount(_("Daily budget (optional)"))
    starts_on = forms.DateField(
        label=_("First day"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages=DATE_ERRORS,
    )
    ends_on = forms.DateField(
        label=_("Last day"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages=DATE_ERRORS,
    )
    campaign = forms.TypedChoiceField(
        label=_("Organic campaign"),
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": _("No such campaign in this workspace.")},
    )
    external_id = forms.CharField(
        label=_("Campaign id at the ad network (optional)"),
        max_length=200,
        required=False,
        help_text=_("What imported rows are matched on."),
    )

    def __init__(
        self, *args: Any, accounts: list[AdAccount], campaigns: list[Campaign], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ad_account"].choices = [(a.pk, str(a)) for a in accounts]  # type: ignore[attr-defined]
        self.fields["campaign"].choices = [("", _("— none —"))] + [  # type: ignore[attr-defined]
            (c.pk, c.name) for c in campaigns
        ]

    def to_input(self) -> PaidCampaignInput:
        d = self.cleaned_data
        return PaidCampaignInput(
            ad_account_id=d["ad_account"],
            name=d["name"],
            objective=d["objective"],
            total_budget=d["total_budget"],
            daily_budget=d["daily_budget"],
            starts_on=d["starts_on"],
            ends_on=d["ends_on"],
            campaign_id=d["campaign"],
            external_id=d["external_id"],
        )


class SettingsForm(forms.Form):
    currency = forms.CharField(label=_("Reporting currency"), max_length=3, min_length=3)
    approval_threshold = forms.DecimalField(
        label=_("Boosts above this amount need approval (in the reporting currency)"),
        max_digits=14,
        decimal_places=2,
        min_value=0,
        error_messages={**AMOUNT_ERRORS, "min_value": _("At least 0.")},
    )


class RateForm(forms.Form):
    currency = forms.CharField(label=_("Currency"), max_length=3, min_length=3)
    rate = forms.DecimalField(
        label=_("1 unit is worth (in the reporting currency)"),
        max_digits=18,
        decimal_places=8,
        error_messages={
            "invalid": _("Enter a number, e.g. 0.92."),
            "max_digits": _("At most 10 digits before the decimal point."),
            "max_decimal_places": _("At most eight decimal places."),
            "max_whole_digits": _("At most 10 digits before the decimal point."),
        },
    )


class PlanningForm(forms.Form):
    """What budget reaches a goal: an account, a goal and (optionally) an objective."""

    ad_account = forms.TypedChoiceField(
        label=_("Ad account"),
        coerce=int,
        error_messages={"invalid_choice": _("Choose an ad account of this workspace.")},
    )
    goal = forms.IntegerField(
        label=_("Goal"),
        min_value=1,
        max_value=10**12,
        error_messages={
            "invalid": _("Enter a whole number, e.g. 100000."),
            "min_value": _("At least 1."),
            "max_value": _("At most 1,000,000,000,000."),
        },
    )
    unit = forms.ChoiceField(label=_("of"), choices=())
    objective = forms.ChoiceField(label=_("Objective (optional)"), required=False, choices=())

    def __init__(self, *args: Any, accounts: list[AdAccount], **kwargs: Any) -> None:
        from roost.paid.planning import UNITS

        super().__init__(*args, **kwargs)
        self.fields["ad_account"].choices = [(a.pk, str(a)) for a in accounts]  # type: ignore[attr-defined]
        self.fields["unit"].choices = [(k, u.label) for k, u in UNITS.items()]  # type: ignore[attr-defined]
        self.fields["objective"].choices = [("", _("Any objective")), *Objective.choices]  # type: ignore[attr-defined]
