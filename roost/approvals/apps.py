from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    name = "roost.approvals"
    label = "approvals"
    verbose_name = _("Approvals")

    def ready(self) -> None:
        from roost.approvals.services import workflows_on_removed
        from roost.approvals.tasks import escalate_overdue
        from roost.core import jobs, references

        for kind in ("member", "group", "channel", "campaign"):
            references.on_removed(kind, workflows_on_removed)
        jobs.register("approvals.escalate", timedelta(minutes=1), escalate_overdue)
