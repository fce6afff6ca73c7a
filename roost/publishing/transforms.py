"""Text transforms applied to what one delivery sends, just before it is published.

Publishing knows nothing of what a transform does: an app above (analytics, with its
short links) registers one from its AppConfig.ready(). The same shape as
`roost.publishing.suggestions`: the lower app owns the registry, the higher app fills it.

A transform receives the delivery (post and channel loaded) and the texts of its parts
(the first part, then the thread's further parts) and returns the texts to send. It runs
in the publisher's own thread when deliveries are claimed (`publish_inputs`), where the
database may be used, never in the threads that call the networks. It must be safe to run
twice for the same delivery (a retried delivery is transformed again).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from roost.publishing.models import Delivery

log = logging.getLogger("roost.publishing")

TextTransform = Callable[["Delivery", Sequence[str]], list[str]]
_TRANSFORMS: list[TextTransform] = []


def register_text_transform(fn: TextTransform) -> None:
    """Add a transform (once; registering again is harmless)."""
    if fn not in _TRANSFORMS:
        _TRANSFORMS.append(fn)


def has_text_transforms() -> bool:
    return bool(_TRANSFORMS)


def apply_text_transforms(delivery: Delivery, parts: Sequence[str]) -> list[str]:
    """`parts` after every registered transform, in registration order. A transform that
    fails (or changes the number of parts) is logged and skipped: the post goes out as
    written rather than not at all."""
    out = list(parts)
    for fn in _TRANSFORMS:
        try:
            changed = fn(delivery, out)
        except Exception:  # see the docstring: never worth a failed delivery
            log.exception("A text transform failed for delivery %s", delivery.pk)
            continue
        if len(changed) != len(out):
            log.error("A text transform changed the parts of delivery %s; ignored", delivery.pk)
            continue
        out = list(changed)
    return out
