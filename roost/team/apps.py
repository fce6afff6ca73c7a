from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TeamConfig(AppConfig):
    name = "roost.team"
    label = "team"
    verbose_name = _("Team operations")

    def ready(self) -> None:
        from roost.team import hooks

        hooks.register()
