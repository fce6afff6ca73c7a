"""Text transforms applied to what one delivery sends, just before it is published.

Publishing knows nothing of what a transform does: an app above (analytics, with its
short links) registers one from its AppConfig.ready(). The same shape as
`roost.publishing.suggestions`: the lower app owns the registry, the higher app fills it.

A transform receives a batch — each delivery (post and channel loaded) with the texts of
its parts (the first part, then the thread's further parts) — and returns the texts to
send, in the same order. Batches keep the publisher's cost per claim constant (one query
per transform, not per delivery, when nothing is to change). It runs in the publisher's
own thread when deliveries are claimed (`publish_inputs`), where the database may be
used, never in the threads that call the networks. It must be safe to run twice for the
same delivery (a retried delivery is transformed again).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from roost.publishing.models import Delivery

log = logging.getLogger("roost.publishing")

Batch = Sequence[tuple["Delivery", list[str]]]
TextTransform = Callable[[Batch], list[list[str]]]
_TRANSFORMS: list[TextTransform] = []


def register_text_transform(fn: TextTransform) -> None:
    """Add a transform (once; registering again is harmless)."""
    if fn not in _TRANSFORMS:
        _TRANSFORMS.append(fn)


def has_text_transforms() -> bool:
    return bool(_TRANSFORMS)


def apply_text_transforms(batch: Batch) -> list[list[str]]:
    """The parts of each delivery in `batch` after every registered transform, in
    registration order. A transform that fails (or changes how many deliveries or parts
    there are) is logged and skipped: posts go out as written rather than not at all."""
    out = [list(parts) for _d, parts in batch]
    deliveries = [d for d, _parts in batch]
    for fn in _TRANSFORMS:
        try:
            changed = fn(list(zip(deliveries, out, strict=True)))
        except Exception:  # see the docstring: never worth a failed delivery
            log.exception("A text transform failed for deliveries %s", [d.pk for d in deliveries])
            continue
        if len(changed) != len(out) or any(
            len(new) != len(old) for new, old in zip(changed, out, strict=True)
        ):
            log.error("A text transform changed the number of parts; ignored")
            continue
        out = [list(parts) for parts in changed]
    return out
