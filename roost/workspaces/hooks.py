"""What other apps do when someone joins through an invite (roost.team starts their
onboarding plan). An explicit call from `invite_accept`, in its transaction, not a signal;
apps register from their AppConfig.ready()."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from roost.workspaces.models import Invite, Membership

Handler = Callable[["Invite", "Membership"], None]
_ACCEPTED: list[Handler] = []


def on_invite_accepted(handler: Handler) -> None:
    """Register `handler(invite, membership)` (once; registering again is harmless)."""
    if handler not in _ACCEPTED:
        _ACCEPTED.append(handler)


def invite_accepted(invite: Invite, membership: Membership) -> None:
    """Tell every registered app that `invite` was accepted into `membership`."""
    for handler in _ACCEPTED:
        handler(invite, membership)
