from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublishingConfig(AppConfig):
    name = "roost.publishing"
    label = "publishing"
    verbose_name = _("Publishing")

    def ready(self) -> None:
        from roost.publishing import (
            approval,  # noqa: F401  (registers posts as approvable)
            hooks,
        )

        hooks.register()  # what publishing does when a channel disconnects or reconnects
