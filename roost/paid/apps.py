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
        from roost.analytics.roi import register_spend_notes, register_spend_source
        from roost.core import jobs
        from roost.paid import (
            approval,  # noqa: F401 - registers the boost adapter
            post_actions,
        )
        from roost.paid.roi_source import roi_notes, roi_spend
        from roost.paid.services.experiment_data import on_ad_insights as experiment_insights
        from roost.paid.services.sync import on_ad_insights
        from roost.paid.tasks import (
            check_experiments,
            check_pacing,
            sweep_boosts,
            sync_ad_accounts,
        )

        # Sandbox Ads figures (roost/paid/services/sync.py).
        jobs.register(
            "paid.sync",
            lambda: timedelta(minutes=settings.ROOST_PAID_SYNC_MINUTES),
            sync_ad_accounts,
        )
        # Pacing alerts (roost/paid/services/alerts.py).
        jobs.register("paid.pacing", timedelta(hours=1), check_pacing)
        register_spend_source(roi_spend)
        register_spend_notes(roi_notes)
        # Boosts due (queued, retries) and stranded (a worker died mid-call): every minute.
        jobs.register("paid.boosts", timedelta(minutes=1), sweep_boosts)
        post_actions.register()
        # A/B tests (roost/paid/services/experiment_data.py): fresh counts and decisions,
        # and the split tests' per-ad figures from each sync.
        jobs.register("paid.experiments", timedelta(minutes=15), check_experiments)
        on_ad_insights(experiment_insights)
