from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InboxConfig(AppConfig):
    name = "roost.inbox"
    label = "inbox"
    verbose_name = _("Inbox")

    def ready(self) -> None:
        from roost.core import readiness, references
        from roost.inbox import approval  # noqa: F401  (registers replies as approvable)
        from roost.inbox.models import InboxRule
        from roost.inbox.services.rules import rules_on_removed
        from roost.inbox.services.webhooks import failing_endpoints

        for kind in ("member", "group", "channel"):
            references.on_removed(kind, rules_on_removed)
        readiness.register(
            "inbox_rules", lambda: InboxRule.objects.filter(active=True, failures__gt=0).count()
        )
        readiness.register("webhook_endpoints", failing_endpoints)
