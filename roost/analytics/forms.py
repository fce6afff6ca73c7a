from __future__ import annotations

from datetime import date
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from roost.analytics.selectors import Period, last_days
from roost.core.forms import check_custom_period

MAX_DAYS = 731  # two years: the longest period a page or report covers


class PeriodForm(forms.Form):
    """Which days to show: the last 7/28/90 days, or from–to (workspace zone)."""

    RANGES = (
        ("7", _("Last 7 days")),
        ("28", _("Last 28 days")),
        ("90", _("Last 90 days")),
        ("custom", _("Custom")),
    )
    range = forms.ChoiceField(label=_("Period"), choices=RANGES, required=False, initial="28")
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
        check_custom_period(data, MAX_DAYS)
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


class GoalForm(forms.Form):
    """A goal: a KPI, a target, a period and a scope (the workspace, a channel or a
    campaign). The service checks everything again; the form says it first, in words."""

    kpi = forms.ChoiceField(
        label=_("KPI"), error_messages={"invalid_choice": _("Choose a KPI from the list.")}
    )
    target = forms.FloatField(
        label=_("Target"),
        error_messages={
            "required": _("Enter a target."),
            "invalid": _("Enter the target as a number, like 5000 or 2.5."),
        },
    )
    start = forms.DateField(
        label=_("From"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("Choose the first day."), "invalid": _("Enter a date.")},
    )
    end = forms.DateField(
        label=_("To"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("Choose the last day."), "invalid": _("Enter a date.")},
    )
    channel = forms.TypedChoiceField(
        label=_("Channel"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": _("Choose a channel of this workspace.")},
    )
    campaign = forms.TypedChoiceField(
        label=_("Campaign"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": _("Choose a campaign of this workspace.")},
    )

    def __init__(
        self, *args: Any, channels: list[Any], campaigns: list[Any], **kwargs: Any
    ) -> None:
        from roost.analytics import kpis

        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["kpi"]).choices = [("", _("Choose a KPI"))] + [
            (k.key, f"{k.name} ({k.ref})") for k in kpis.all_current()
        ]
        cast(forms.ChoiceField, self.fields["channel"]).choices = [("", _("All channels"))] + [
            (str(c.pk), c.name) for c in channels
        ]
        cast(forms.ChoiceField, self.fields["campaign"]).choices = [("", _("No campaign"))] + [
            (str(c.pk), c.name) for c in campaigns
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("The period ends before it starts."))
            elif (end - start).days + 1 > MAX_DAYS:
                self.add_error(
                    "end", _("A goal's period can cover at most %(n)s days.") % {"n": MAX_DAYS}
                )
        target = data.get("target")
        if target is not None:
            if target < 0:
                self.add_error("target", _("A target cannot be negative."))
            elif target > 1e12:
                self.add_error("target", _("A target can be at most 1,000,000,000,000."))
        if data.get("channel") is not None and data.get("campaign") is not None:
            self.add_error("campaign", _("Choose a channel or a campaign, not both."))
        return data


# == ROI ==


class RoiSettingsForm(forms.Form):
    """The workspace's ROI assumptions (checked again by services.roi.roi_settings_save)."""

    value_per_lead = forms.CharField(label=_("Value per lead"), max_length=30)
    value_per_click = forms.CharField(label=_("Value per click"), max_length=30)
    currency = forms.ChoiceField(label=_("Currency"))
    shorten_links = forms.BooleanField(
        label=_("Shorten links in posts (Roost short links count clicks)"), required=False
    )

    def __init__(self, *args: Any, currencies: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["currency"]).choices = [(c, c) for c in currencies]


class CampaignCostForm(forms.Form):
    campaign = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**62)
    production_cost = forms.CharField(label=_("Production cost"), max_length=30)


class ConversionImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file of conversions"))


# == reports ==


def _section_choices() -> list[tuple[str, str]]:
    from roost.analytics import reports

    return reports.choices()


class ReportForm(PeriodForm):
    """A report: sections and a period. No section chosen: all of them."""

    sections = forms.MultipleChoiceField(
        label=_("Sections"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("%(value)s is not a section Roost knows.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["sections"]).choices = _section_choices()

    def chosen_sections(self) -> list[str]:
        if self.is_bound and self.is_valid() and self.cleaned_data.get("sections"):
            return list(self.cleaned_data["sections"])
        return [key for key, _label in _section_choices()]


WEEKDAYS = (
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
)


class ScheduleForm(forms.Form):
    """A report e-mailed every week or month (the service checks everything again)."""

    name = forms.CharField(
        label=_("Name"), max_length=120, error_messages={"required": _("Give the schedule a name.")}
    )
    sections = forms.MultipleChoiceField(
        label=_("Sections"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one section."),
            "invalid_choice": _("%(value)s is not a section Roost knows."),
        },
    )
    period_days = forms.IntegerField(
        label=_("Days covered"),
        min_value=1,
        max_value=MAX_DAYS,
        initial=7,
        help_text=_("The report covers this many days up to the day before it is sent."),
    )
    frequency = forms.ChoiceField(
        label=_("How often"), choices=(("weekly", _("Weekly")), ("monthly", _("Monthly")))
    )
    weekday = forms.TypedChoiceField(
        label=_("Day of the week (weekly)"), choices=WEEKDAYS, coerce=int, initial=0
    )
    day_of_month = forms.IntegerField(
        label=_("Day of the month (monthly)"),
        min_value=1,
        max_value=31,
        initial=1,
        help_text=_("In shorter months, the last day."),
    )
    hour = forms.IntegerField(
        label=_("Hour (workspace time zone)"), min_value=0, max_value=23, initial=8
    )
    members = forms.TypedMultipleChoiceField(
        label=_("Members"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose members of this workspace.")},
    )
    emails = forms.CharField(
        label=_("Other e-mail addresses"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line, or separated by commas."),
    )

    def __init__(self, *args: Any, members: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["sections"]).choices = _section_choices()
        cast(forms.MultipleChoiceField, self.fields["members"]).choices = [
            (m.pk, f"{m.user.name or m.user.email} <{m.user.email}>") for m in members
        ]

    def email_list(self) -> list[str]:
        raw = self.cleaned_data.get("emails") or ""
        return [e.strip() for e in raw.replace(",", "\n").splitlines() if e.strip()]


class ShareForm(forms.Form):
    name = forms.CharField(label=_("Name (optional)"), required=False, max_length=120)
    days = forms.IntegerField(
        label=_("Link works for (days)"),
        min_value=1,
        max_value=90,
        initial=14,
        error_messages={"required": _("Choose for how many days the link works (1 to 90).")},
    )
