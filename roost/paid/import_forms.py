"""Forms of the ad-account and import pages (the services check everything again)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from roost.paid.importers.sources import MAPPINGS
from roost.paid.models import AdAccount, AdSource
from roost.paid.services.accounts import EXTERNAL_MAX, HAND_SOURCES, NAME_MAX


class AccountForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=NAME_MAX)
    source = forms.ChoiceField(
        label=_("Where its figures come from"),
        choices=[(s.value, s.label) for s in HAND_SOURCES],
    )
    external_id = forms.CharField(
        label=_("Account id at the source"),
        max_length=EXTERNAL_MAX,
        required=False,
        help_text=_("Optional, e.g. act_1234567890 (Meta) or 123-456-7890 (Google Ads)."),
    )
    currency = forms.CharField(
        label=_("Currency"),
        max_length=3,
        help_text=_("The account's currency as an ISO 4217 code: EUR, USD, PLN …"),
    )


class RenameForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=NAME_MAX)


class ImportForm(forms.Form):
    ad_account = forms.TypedChoiceField(label=_("Ad account"), coerce=int)
    source = forms.ChoiceField(
        label=_("Export from"),
        required=False,
        choices=[("", _("Detect from the columns"))] + [(k, m.label) for k, m in MAPPINGS.items()],
    )
    file = forms.FileField(
        label=_("CSV export"),
        help_text=_(
            "A CSV file as the ad platform exports it (UTF-8 or UTF-16, with or without "
            "title lines above the header)."
        ),
    )

    def __init__(self, *args: Any, accounts: list[AdAccount], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["ad_account"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [
            (a.pk, f"{a.name} ({a.currency})") for a in accounts if a.source != AdSource.SANDBOX
        ]
        # Named in the browser before sending (roost.js): a server refuses a huge upload by
        # closing the connection, which a browser shows as a reset rather than a message.
        limit = settings.ROOST_PAID_IMPORT_MAX_MB
        self.fields["file"].widget.attrs.update(
            {
                "data-max-bytes": str(limit * 1024 * 1024),
                "data-too-big": _(
                    "%(name)s is larger than %(limit)d MB, the most Roost imports. Export a "
                    "shorter period, or fewer columns, and import each file."
                )
                % {"name": "%(name)s", "limit": limit},
            }
        )
