from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BriefingConfig(AppConfig):
    name = "roost.briefing"
    label = "briefing"
    verbose_name = _("Daily brief")
