"""Recurring jobs without a scheduler process: each worker asks "is it my turn?"."""

from __future__ import annotations

import contextlib
from collections.abc import Collection
from datetime import datetime, timedelta

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


def not_due(names: Collection[str], now: datetime) -> set[str]:
    """Which of these jobs are certainly not due at `now` (one read, no write: a scheduler
    ticking often claims only the jobs that may be due)."""
    return set(
        PeriodicJob.objects.filter(name__in=names, next_run_at__gt=now).values_list(
            "name", flat=True
        )
    )
