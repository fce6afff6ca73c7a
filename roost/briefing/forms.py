from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from roost.analytics.forms import WEEKDAYS
from roost.workspaces.models import Membership


class SettingsForm(forms.Form):
    enabled = forms.BooleanField(
        label=_("Build and send the brief every working day"), required=False
    )
    morning_time = forms.TimeField(
        label=_("Time of the stand-up"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("In the workspace's time zone."),
    )
    working_days = forms.TypedMultipleChoiceField(
        label=_("Working days"),
        choices=WEEKDAYS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    emails = forms.CharField(
        label=_("Also e-mail these addresses"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One address per line. Members ask for it themselves on the brief's page."),
    )
    webhook_url = forms.CharField(
        label=_("Incoming webhook (Slack or Microsoft Teams)"),
        required=False,
        max_length=500,
        widget=forms.URLInput(attrs={"placeholder": "https://hooks.slack.com/services/…"}),
        help_text=_('Leave empty to keep the one set; the brief is posted as {"text": …}.'),
    )
    remove_webhook = forms.BooleanField(label=_("Remove the webhook"), required=False)

    def email_list(self) -> list[str]:
        return [e for e in self.cleaned_data.get("emails", "").split() if e.strip()]


class ActionItemForm(forms.Form):
    text = forms.CharField(label=_("Action"), max_length=300)
    assignee = forms.TypedChoiceField(label=_("Who"), coerce=int, required=False, empty_value=None)
    due = forms.DateField(
        label=_("Due"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, members: list[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", _("Nobody yet")), *((m.pk, m.user.display_name) for m in members)]
