from __future__ import annotations

from datetime import timedelta

from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class PaidConfig(AppConfig):
    name = "roost.paid"
    label = "paid"
    verbose_name = _("Paid media")

    def ready(self) -> None:
        from roost.core import jobs
        from roost.paid.tasks import sync_ad_accounts

        # Sandbox Ads figures (roost/paid/services/sync.py).
        jobs.register(
            "paid.sync",
            lambda: timedelta(minutes=settings.ROOST_PAID_SYNC_MINUTES),
            sync_ad_accounts,
        )
        # A/B tests (roost/paid/services/experiment_data.py): fresh counts and decisions,
        # and the split tests' per-ad figures from each sync.
        from roost.paid.services.experiment_data import on_ad_insights as experiment_insights
        from roost.paid.services.sync import on_ad_insights
        from roost.paid.tasks import check_experiments

        jobs.register("paid.experiments", timedelta(minutes=15), check_experiments)
        on_ad_insights(experiment_insights)
