from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from roost.networks.registry import Network
from roost.workspaces.models import timezone_choices

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


class ConnectForm(forms.Form):
    """Built from the network's own connect fields."""

    def __init__(self, *args: Any, network: Network, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for f in network.connect_fields:
            widget: forms.Widget
            if f.kind == "password":
                widget = forms.PasswordInput(attrs={"autocomplete": "off"})
            elif f.kind == "url":
                widget = forms.URLInput()
            else:
                widget = forms.TextInput()
            self.fields[f.name] = forms.CharField(
                label=f.label, initial=f.default, help_text=f.help, required=False, widget=widget
            )


class MastodonStartForm(forms.Form):
    instance_url = forms.CharField(
        label=_("Instance address"),
        required=False,
        help_text=_("For example mastodon.social"),
    )


class ChannelSettingsForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, required=False)
    timezone = forms.ChoiceField(
        label=_("Time zone"),
        required=False,
        choices=lambda: [("", _("The workspace's time zone")), *timezone_choices()],
    )
    slots = forms.CharField(
        label=_("Queue slots"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One per line: weekday number (1 = Monday … 7 = Sunday) and time, e.g. “1 09:30”."
            " Or a time alone for every day."
        ),
    )
