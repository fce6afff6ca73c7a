"""What other apps do when a channel comes back or goes away.

Channels know nothing of the work queued on them. An app above (publishing: deliveries
waiting for a reconnect go back on the queue; deliveries scheduled to a disconnected channel
are cancelled) registers a handler here, and the channel service calls `reconnected()` or
`disconnected()` — an explicit call inside its own transaction, not a signal, so the
handlers' writes commit or roll back with the channel's. The same shape as
`roost.core.references` and `roost.approvals.registry`: the lower app owns the registry,
the higher app fills it from its AppConfig.ready().
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from roost.channels.models import Channel

log = logging.getLogger("roost.channels")

# A handler gets the channel (already saved in its new state) and returns how many of its
# own rows it changed, for the log.
Handler = Callable[["Channel"], int]
_RECONNECTED: list[Handler] = []
_DISCONNECTED: list[Handler] = []


def _add(handlers: list[Handler], handler: Handler) -> None:
    if handler not in handlers:
        handlers.append(handler)


def on_reconnected(handler: Handler) -> None:
    """Call `handler` when a channel that needed reconnecting is connected again (once;
    registering again is harmless)."""
    _add(_RECONNECTED, handler)


def on_disconnected(handler: Handler) -> None:
    """Call `handler` when someone disconnects a channel (once; registering again is
    harmless)."""
    _add(_DISCONNECTED, handler)


def _run(event: str, handlers: list[Handler], channel: Channel) -> int:
    changed = 0
    for handler in handlers:
        changed += handler(channel)
    if changed:
        log.info("channel %s %s: %d dependent rows changed", channel.pk, event, changed)
    return changed


def reconnected(channel: Channel) -> int:
    """Tell every registered app that `channel` works again. Returns the rows they changed."""
    return _run("reconnected", _RECONNECTED, channel)


def disconnected(channel: Channel) -> int:
    """Tell every registered app that `channel` was disconnected. Returns the rows they
    changed."""
    return _run("disconnected", _DISCONNECTED, channel)
