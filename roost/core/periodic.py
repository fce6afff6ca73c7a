"""Recurring jobs without a scheduler process: each worker asks "is it my turn?"."""

from __future__ import annotations

import contextlib
from datetime import timedelta

from django.db import IntegrityError, transaction

from roost.core import clock
from roost.core.models import PeriodicJob


def claim_turn(name: str, every: timedelta) -> bool:
    """True for exactly one caller per period, across all workers."""
    now = clock.now()
    # Another worker may create it at the same moment: its row serves as well.
    with contextlib.suppress(IntegrityError), transaction.atomic():
        PeriodicJob.objects.get_or_create(name=name, defaults={"next_run_at": now})
    return bool(
        PeriodicJob.objects.filter(name=name, next_run_at__lte=now).update(next_run_at=now + every)
    )
