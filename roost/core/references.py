"""What happens to references by id when their target goes away.

Some settings point at members, groups, channels or campaigns by id inside JSON (an inbox
rule's "assign to group 7", an approval workflow narrowed to channel 3), where no foreign
key can cascade or set null. The service that removes the target calls `removed()` — an
explicit call in the same transaction, not a signal — and every app that registered a
handler for that kind (from its AppConfig.ready()) cleans up its references or disables
what depended on them, with a reason a person can read. `core` knows no app: the apps
register here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

log = logging.getLogger("roost.references")

Kind = Literal["member", "group", "channel", "campaign"]


@dataclass(frozen=True)
class Removed:
    """One target that is going away (the call comes just before it is deleted)."""

    kind: Kind
    workspace_id: int
    pk: int
    reason: str  # in words, e.g. "The group “Sales” was deleted."
    actor: Any = None  # the user who removed it, for the audit; None for the system


Handler = Callable[[Removed], int]
_HANDLERS: dict[str, list[Handler]] = {}


def on_removed(kind: Kind, handler: Handler) -> None:
    """Register `handler` for targets of `kind` (once; registering again is harmless)."""
    handlers = _HANDLERS.setdefault(kind, [])
    if handler not in handlers:
        handlers.append(handler)


def removed(*, kind: Kind, workspace_id: int, pk: int, reason: str, actor: Any = None) -> int:
    """Tell every registered app that a target is going away. Returns how many of their
    settings were cleaned up or disabled."""
    event = Removed(kind=kind, workspace_id=workspace_id, pk=pk, reason=reason, actor=actor)
    changed = 0
    for handler in _HANDLERS.get(kind, []):
        changed += handler(event)
    if changed:
        log.info("%s %s removed: %d dependent settings changed", kind, pk, changed)
    return changed
