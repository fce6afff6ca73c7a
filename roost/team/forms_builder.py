"""Forms of the shape-and-coverage pages: the company size and a member's team profile."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from roost.team.hours import DEFAULT, hours_of
from roost.team.models import CompanySize
from roost.team.profiles import Responsibility

WEEKDAYS = (
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
)


class SizeForm(forms.Form):
    company_size = forms.ChoiceField(
        label=_("Company size"), choices=CompanySize.choices, widget=forms.RadioSelect
    )


def _time_input() -> forms.TextInput:
    return forms.TextInput(attrs={"type": "time", "maxlength": 5, "size": 6})


class HoursForm(forms.Form):
    """One row per weekday: works that day (a checkbox), from and until (HH:MM)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for day, name in enumerate(WEEKDAYS):
            self.fields[f"day_{day}"] = forms.BooleanField(label=name, required=False)
            self.fields[f"start_{day}"] = forms.CharField(
                label=_("%(day)s from") % {"day": name},
                required=False,
                max_length=5,
                widget=_time_input(),
            )
            self.fields[f"end_{day}"] = forms.CharField(
                label=_("%(day)s until") % {"day": name},
                required=False,
                max_length=5,
                widget=_time_input(),
            )

    @staticmethod
    def initial_for(stored: Any) -> dict[str, Any]:
        hours = hours_of(stored) if stored else DEFAULT
        initial: dict[str, Any] = {}
        for day in range(7):
            span = hours.get(day)
            initial[f"day_{day}"] = span is not None
            start, end = span or DEFAULT[0]
            initial[f"start_{day}"] = start.strftime("%H:%M")
            initial[f"end_{day}"] = end.strftime("%H:%M")
        return initial

    def rows(self) -> list[tuple[Any, Any, Any]]:
        return [(self[f"day_{d}"], self[f"start_{d}"], self[f"end_{d}"]) for d in range(7)]

    def hours(self) -> dict[str, list[str]]:
        """The table as roost/team/hours.py reads it (checked by the service)."""
        data = self.cleaned_data
        return {
            str(d): [data.get(f"start_{d}") or "", data.get(f"end_{d}") or ""]
            for d in range(7)
            if data.get(f"day_{d}")
        }


class ProfileForm(HoursForm):
    reports_to = forms.ChoiceField(label=_("Reports to"), required=False)
    responsibilities = forms.MultipleChoiceField(
        label=_("Extra responsibilities (beyond their roles)"),
        choices=Responsibility.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, people: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice: Any = self.fields["reports_to"]
        choice.choices = [("", _("Nobody"))] + [(str(pk), name) for pk, name in people]
