"""Readiness details: how many things are failing right now (channels whose polls fail,
inbox rules that cannot apply, webhook endpoints that do not answer…).

Each app registers a counter from its AppConfig.ready(); `/health/` reports the counts.
Counts only, never names: the health page is public.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import DatabaseError

log = logging.getLogger("roost.health")

_COUNTERS: dict[str, Callable[[], int]] = {}


def register(name: str, count: Callable[[], int]) -> None:
    """`count()` returns how many `name` are failing now (a cheap query)."""
    _COUNTERS[name] = count


def failing() -> dict[str, int | None]:
    """Every registered count, by name (None where the count itself could not be read)."""
    found: dict[str, int | None] = {}
    for name, count in sorted(_COUNTERS.items()):
        try:
            found[name] = count()
        except DatabaseError:
            log.exception("readiness: could not count failing %s", name)
            found[name] = None
    return found
