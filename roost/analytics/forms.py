from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from roost.analytics.selectors import Period, last_days

MAX_DAYS = 731  # two years: the longest period a page or report covers


class PeriodForm(forms.Form):
    """Which days to show: the last 7/28/90 days, or from–to (workspace zone)."""

    RANGES = (
        ("7", _("Last 7 days")),
        ("28", _("Last 28 days")),
        ("90", _("Last 90 days")),
        ("custom", _("Custom")),
    )
    range = forms.ChoiceField(label=_("Period"), choices=RANGES, required=False)
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("range") == "custom":
            start, end = data.get("start"), data.get("end")
            if start is None or end is None:
                raise ValidationError(_("A custom period needs both a start and an end day."))
            if end < start:
                raise ValidationError(_("The period ends before it starts."))
            if (end - start).days + 1 > MAX_DAYS:
                raise ValidationError(_("A period can cover at most %(n)s days.") % {"n": MAX_DAYS})
        return data

    def period(self) -> Period:
        """The chosen period; the last 28 days when nothing (valid) was chosen."""
        if self.is_bound and self.is_valid():
            choice = self.cleaned_data.get("range") or "28"
            if choice == "custom":
                return Period(self.cleaned_data["start"], self.cleaned_data["end"])
            return last_days(self.today, int(choice))
        return last_days(self.today, 28)

    @property
    def initial_range(self) -> str:
        return self.data.get("range", "28") if self.is_bound else "28"
