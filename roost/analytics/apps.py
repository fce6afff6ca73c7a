from __future__ import annotations

from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "roost.analytics"
    label = "analytics"
    verbose_name = _("Analytics")

    def ready(self) -> None:
        from roost.analytics import besttime
        from roost.analytics.report_tasks import send_due_reports
        from roost.core import jobs
        from roost.publishing import suggestions

        # Best times as suggestions in compose and queue slots (publishing owns the registry).
        suggestions.register_time_suggester(besttime.suggest)
        # Scheduled reports are due on the hour (workspace zone): look every five minutes.
        jobs.register("analytics.reports", timedelta(minutes=5), send_due_reports)
