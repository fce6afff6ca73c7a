from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaidConfig(AppConfig):
    name = "roost.paid"
    label = "paid"
    verbose_name = _("Paid media")

    def ready(self) -> None:
        pass
