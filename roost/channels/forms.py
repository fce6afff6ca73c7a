from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from roost.networks.registry import Network


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
