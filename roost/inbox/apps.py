from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InboxConfig(AppConfig):
    name = "roost.inbox"
    label = "inbox"
    verbose_name = _("Inbox")

    def ready(self) -> None:
        from roost.inbox import approval  # noqa: F401  (registers replies as approvable)
