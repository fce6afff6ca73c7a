from __future__ import annotations

from datetime import timedelta

from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class ListeningConfig(AppConfig):
    name = "roost.listening"
    label = "listening"
    verbose_name = _("Listening")

    def ready(self) -> None:
        from roost.core import jobs
        from roost.listening.tasks import check_alerts, collect_listening

        jobs.register(
            "listening.collect",
            lambda: timedelta(minutes=settings.ROOST_LISTENING_COLLECT_MINUTES),
            collect_listening,
        )
        # Spike alerts (roost/listening/services/alerts.py): look every five minutes.
        jobs.register("listening.alerts", timedelta(minutes=5), check_alerts)
