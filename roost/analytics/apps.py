from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "roost.analytics"
    label = "analytics"
    verbose_name = _("Analytics")

    def ready(self) -> None:
        from roost.analytics import besttime
        from roost.analytics.services import links
        from roost.publishing import suggestions, transforms

        # Best times as suggestions in compose and queue slots (publishing owns the registry).
        suggestions.register_time_suggester(besttime.suggest)
        # Short links in what a delivery sends, when the workspace shortens links.
        transforms.register_text_transform(links.shorten_parts)
