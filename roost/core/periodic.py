"""Recurring jobs without a scheduler process: each worker asks "is it my turn?"."""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError

from roost.core import clock
from roost.core.models import PeriodicJob


def claim_turn(name: str, every: timedelta) -> bool:
    """True for exactly one caller per period, across all workers."""
    now = clock.now()
    try:
        PeriodicJob.objects.get_or_create(name=name, defaults={"next_run_at": now})
    except IntegrityError:  # another worker created it a moment ago
        pass
    return bool(
        PeriodicJob.objects.filter(name=name, next_run_at__lte=now).update(next_run_at=now + every)
    )
