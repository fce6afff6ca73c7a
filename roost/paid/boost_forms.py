"""The boost form: shapes only; the rules (who, how much, which audience) are the service's."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from roost.channels.models import Channel
from roost.paid.models import AdAccount
from roost.paid.services import boosts


class BoostForm(forms.Form):
    channel = forms.TypedChoiceField(label=_("Channel"), coerce=int)
    ad_account = forms.TypedChoiceField(label=_("Ad account"), coerce=int)
    budget = forms.DecimalField(
        label=_("Budget"),
        min_value=0.01,
        max_value=boosts.MAX_BUDGET,
        decimal_places=2,
        max_digits=10,
        help_text=_("In the ad account's currency, for the whole boost."),
    )
    days = forms.IntegerField(
        label=_("Duration in days"), min_value=1, max_value=boosts.MAX_DAYS, initial=7
    )
    countries = forms.CharField(
        label=_("Countries"),
        required=False,
        max_length=300,
        help_text=_("Two-letter codes, separated by commas (PL, DE). Empty: everywhere."),
    )
    age_min = forms.IntegerField(
        label=_("Youngest age"), min_value=boosts.AGE_MIN, max_value=boosts.AGE_MAX, initial=18
    )
    age_max = forms.IntegerField(
        label=_("Oldest age"), min_value=boosts.AGE_MIN, max_value=boosts.AGE_MAX, initial=65
    )
    interests = forms.CharField(
        label=_("Interests"),
        required=False,
        max_length=600,
        help_text=_("Up to 10, separated by commas."),
    )

    def __init__(
        self, *args: Any, channels: list[Channel], accounts: list[AdAccount], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = [(c.pk, c.name) for c in channels]  # type: ignore[attr-defined]
        self.fields["ad_account"].choices = [  # type: ignore[attr-defined]
            (a.pk, f"{a.name} ({a.currency})") for a in accounts
        ]

    def audience(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "countries": data.get("countries") or "",
            "age_min": data.get("age_min"),
            "age_max": data.get("age_max"),
            "interests": [i for i in (data.get("interests") or "").split(",") if i.strip()],
        }
