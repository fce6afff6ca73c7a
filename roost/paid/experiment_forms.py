"""The A/B test pages' forms: plan a test, start it."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from roost.paid.models import ExperimentKind, ExperimentMetric
from roost.paid.services.experiments import (
    BUDGET_MAX,
    DAYS_MAX,
    HYPOTHESIS_MAX,
    LABELS,
    NAME_MAX,
    TEXT_MAX,
    ExperimentInput,
    StartInput,
)
from roost.publishing.forms import local_moment

ALPHAS = (("0.05", "5%"), ("0.01", "1%"), ("0.1", "10%"))
POWERS = (("0.8", "80%"), ("0.9", "90%"))


class ExperimentForm(forms.Form):
    """A planned test. Rates are typed as percentages and kept as shares."""

    name = forms.CharField(label=_("Name"), max_length=NAME_MAX)
    kind = forms.ChoiceField(label=_("Kind"), choices=ExperimentKind.choices)
    metric = forms.ChoiceField(label=_("What counts as better"), choices=ExperimentMetric.choices)
    hypothesis = forms.CharField(
        label=_("Hypothesis"),
        required=False,
        max_length=HYPOTHESIS_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What you expect and why, e.g. “a question first gets more clicks”."),
    )
    baseline_pct = forms.DecimalField(
        label=_("Today's rate (%)"),
        min_value=Decimal("0.01"),
        max_value=Decimal("99.99"),
        decimal_places=2,
        initial=Decimal("2"),
        help_text=_("The metric's usual rate, e.g. 2 for a click-through rate of 2%."),
    )
    min_effect_pct = forms.DecimalField(
        label=_("Smallest lift worth finding (%)"),
        min_value=Decimal("1"),
        max_value=Decimal("1000"),
        decimal_places=1,
        initial=Decimal("20"),
        help_text=_("Relative: 20 means from 2% to 2.4%. Smaller lifts need more people."),
    )
    alpha = forms.ChoiceField(label=_("False alarms allowed"), choices=ALPHAS, initial="0.05")
    power = forms.ChoiceField(label=_("Chance to find a real lift"), choices=POWERS, initial="0.8")
    ad_account = forms.TypedChoiceField(
        label=_("Ad account (paid tests)"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args: Any, accounts: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["ad_account"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", _("— none (organic) —")), *accounts]
        for i, label in enumerate(LABELS):
            self.fields[f"variant_{label.lower()}"] = forms.CharField(
                label=_("Version %(label)s") % {"label": label},
                required=i < 2,
                max_length=TEXT_MAX,
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text=_("The control: what you post today.") if i == 0 else "",
            )

    def variant_fields(self) -> list[forms.BoundField]:
        return [self[f"variant_{label.lower()}"] for label in LABELS]

    def plan_numbers(self) -> dict[str, Any] | None:
        """The planning fields alone (for the live sample size), or None if not all valid."""
        keys = ("baseline_pct", "min_effect_pct", "alpha", "power")
        if not self.is_bound:  # the page as first shown: the plan of the initial values
            data: dict[str, Any] = {k: self.fields[k].initial for k in keys}
        elif any(k in self.errors for k in keys):
            return None
        else:
            data = self.cleaned_data
        if any(data.get(k) in (None, "") for k in keys):
            return None
        variants = sum(
            1 for label in LABELS if (data.get(f"variant_{label.lower()}") or "").strip()
        )
        return {
            "baseline_rate": float(data["baseline_pct"]) / 100,
            "min_effect": float(data["min_effect_pct"]) / 100,
            "alpha": float(data["alpha"]),
            "power": float(data["power"]),
            "variants": max(variants, 2),
        }

    def to_input(self) -> ExperimentInput:
        data = self.cleaned_data
        return ExperimentInput(
            name=data["name"],
            kind=data["kind"],
            metric=data["metric"],
            hypothesis=data["hypothesis"],
            variants=[data.get(f"variant_{label.lower()}", "") for label in LABELS],
            baseline_rate=float(data["baseline_pct"]) / 100,
            min_effect=float(data["min_effect_pct"]) / 100,
            alpha=float(data["alpha"]),
            power=float(data["power"]),
            ad_account_id=data["ad_account"],
        )


class StartForm(forms.Form):
    """Organic: the channel and the first post's time. Paid: budget, days, countries."""

    channel = forms.TypedChoiceField(
        label=_("Channel"), coerce=int, required=False, empty_value=None
    )
    first_at = forms.CharField(
        label=_("First post (date and time)"),
        required=False,
        widget=forms.TextInput(attrs={"type": "datetime-local"}),
        help_text=_("The other versions follow at the same hour on the next days."),
    )
    budget = forms.DecimalField(
        label=_("Budget"),
        required=False,
        min_value=Decimal("1"),
        max_value=BUDGET_MAX,
        decimal_places=2,
    )
    days = forms.IntegerField(label=_("Days"), required=False, min_value=1, max_value=DAYS_MAX)
    countries = forms.CharField(
        label=_("Countries (optional)"),
        required=False,
        max_length=200,
        help_text=_("Two-letter codes separated by commas, e.g. PL, DE."),
    )

    def __init__(self, *args: Any, channels: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["channel"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", _("— choose —")), *channels]

    def clean_first_at(self) -> datetime | None:
        return local_moment(self.cleaned_data.get("first_at") or "")

    def to_input(self) -> StartInput:
        data = self.cleaned_data
        return StartInput(
            channel_id=data["channel"],
            first_at=data["first_at"],
            budget=data["budget"],
            days=data["days"],
            countries=[c for c in (data["countries"] or "").split(",") if c.strip()],
        )
