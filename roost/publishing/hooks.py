"""Publishing's handlers for channel events (`roost.channels.hooks`).

Channels know nothing of posts; publishing tells them what becomes of its deliveries when
a channel is reconnected or disconnected. `register()` is called once at start-up.
"""

from __future__ import annotations

from roost.channels import hooks as channel_hooks


def register() -> None:
    """Register publishing's channel handlers (idempotent)."""
    from roost.publishing.services.scheduling import (
        deliveries_on_disconnected,
        deliveries_on_reconnected,
    )

    channel_hooks.on_reconnected(deliveries_on_reconnected)
    channel_hooks.on_disconnected(deliveries_on_disconnected)
