from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    name = "roost.approvals"
    label = "approvals"
    verbose_name = _("Approvals")

    def ready(self) -> None:
        from roost.approvals.services import workflows_on_removed
        from roost.core import references

        for kind in ("member", "group", "channel", "campaign"):
            references.on_removed(kind, workflows_on_removed)
