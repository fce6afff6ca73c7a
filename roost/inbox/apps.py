from datetime import timedelta

from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class InboxConfig(AppConfig):
    name = "roost.inbox"
    label = "inbox"
    verbose_name = _("Inbox")

    def ready(self) -> None:
        from roost.core import jobs, readiness, references
        from roost.inbox import approval  # noqa: F401  (registers replies as approvable)
        from roost.inbox.models import InboxRule
        from roost.inbox.services.rules import rules_on_removed
        from roost.inbox.services.webhooks import failing_endpoints
        from roost.inbox.tasks import poll_inboxes, send_webhooks, sweep_presence

        for kind in ("member", "group", "channel"):
            references.on_removed(kind, rules_on_removed)
        readiness.register(
            "inbox_rules", lambda: InboxRule.objects.filter(active=True, failures__gt=0).count()
        )
        readiness.register("webhook_endpoints", failing_endpoints)

        def poll_period() -> timedelta:
            return timedelta(seconds=settings.ROOST_INBOX_POLL_SECONDS)

        jobs.register("inbox.poll", poll_period, poll_inboxes)
        jobs.register("inbox.webhooks", poll_period, send_webhooks)  # retries that came due
        jobs.register("inbox.presence_sweep", timedelta(hours=1), sweep_presence)
