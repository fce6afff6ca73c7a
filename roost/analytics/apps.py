from __future__ import annotations

from datetime import timedelta

from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "roost.analytics"
    label = "analytics"
    verbose_name = _("Analytics")

    def ready(self) -> None:
        from roost.analytics import besttime, lines
        from roost.analytics.report_tasks import send_due_reports
        from roost.analytics.services import links
        from roost.analytics.services.collection import deliveries_on_published
        from roost.analytics.tasks import collect_audience, collect_metrics
        from roost.core import jobs
        from roost.publishing import hooks as publishing_hooks
        from roost.publishing import suggestions, transforms

        # Best times as suggestions in compose and queue slots (publishing owns the registry).
        suggestions.register_time_suggester(besttime.suggest)
        # Short links in what a delivery sends, when the workspace shortens links.
        transforms.register_text_transform(links.shorten_parts)
        # Follow every delivery once it is published (publishing announces it).
        publishing_hooks.on_published(deliveries_on_published)
        # The post page's "Engagement" column reads the latest counts from here.
        publishing_hooks.on_engagement(lines.engagement_lines)
        jobs.register(
            "analytics.collect",
            lambda: timedelta(minutes=settings.ROOST_ANALYTICS_COLLECT_MINUTES),
            collect_metrics,
        )
        jobs.register(
            "analytics.audience",
            lambda: timedelta(hours=settings.ROOST_ANALYTICS_AUDIENCE_HOURS),
            collect_audience,
        )
        # Scheduled reports are due on the hour (workspace zone): look every five minutes.
        jobs.register("analytics.reports", timedelta(minutes=5), send_due_reports)
