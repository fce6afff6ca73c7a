"""Service levels: first-response and completion times against the workspace's targets,
counted in business hours when the workspace sets them."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from roost.core import clock
from roost.inbox.models import InboxSettings, Message, MessageStatus


def business_seconds(start: datetime, end: datetime, hours: dict[str, list[str]], tz: str) -> float:
    """Seconds between start and end that fall inside business hours (all of them when no
    hours are set). `hours` maps weekday "0".."6" (Monday first) to ["09:00", "17:00"]."""
    if end <= start:
        return 0.0
    if not hours:
        return (end - start).total_seconds()
    zone = zoneinfo.ZoneInfo(tz)
    total = 0.0
    day = start.astimezone(zone).date()
    last = end.astimezone(zone).date()
    while day <= last:
        window = hours.get(str(day.weekday()))
        if window:
            opens = datetime.combine(day, time.fromisoformat(window[0]), zone)
            closes = datetime.combine(day, time.fromisoformat(window[1]), zone)
            overlap = min(closes, end) - max(opens, start)
            total += max(overlap.total_seconds(), 0.0)
        day += timedelta(days=1)
    return total


@dataclass(frozen=True)
class Sla:
    state: str  # "ok", "at_risk", "breached", "met"
    seconds: float  # business seconds so far (or until the first response)
    target: float


def first_response(
    message: Message, settings: InboxSettings, tz: str, now: datetime | None = None
) -> Sla:
    now = now or clock.now()
    target = settings.first_response_minutes * 60.0
    end = message.first_response_at or now
    spent = business_seconds(message.received_at, end, settings.business_hours, tz)
    if message.first_response_at is not None or message.status == MessageStatus.COMPLETE:
        return Sla("met" if spent <= target else "breached", spent, target)
    if spent > target:
        return Sla("breached", spent, target)
    return Sla("at_risk" if spent > 0.75 * target else "ok", spent, target)
