from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from roost.publishing.publisher import Publisher


def _publisher(worker_id: str) -> Publisher:
    """The publisher loop for one worker (imported only where a worker runs)."""
    from roost.publishing.publisher import Publisher

    return Publisher(worker_id)


class PublishingConfig(AppConfig):
    name = "roost.publishing"
    label = "publishing"
    verbose_name = _("Publishing")

    def ready(self) -> None:
        from roost.core import jobs
        from roost.publishing import (
            approval,  # noqa: F401  (registers posts as approvable)
            hooks,
        )

        hooks.register()  # what publishing does when a channel disconnects or reconnects
        # Every worker runs the publisher loop (roost/publishing/publisher.py).
        jobs.register_service("publishing.publisher", _publisher)
