from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    name = "roost.channels"
    label = "channels"
    verbose_name = _("Channels")

    def ready(self) -> None:
        from roost.channels.services import failing_count
        from roost.core import readiness

        readiness.register("channels", failing_count)
