"""Wall-clock times in a zone, done right across daylight-saving changes."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime, time, timedelta

from django.utils.translation import gettext as _

from roost.core.exceptions import ValidationFailed


def localize(wall: datetime, tz_name: str) -> datetime:
    """Interpret a naive wall-clock time in `tz_name`.

    A time that does not exist (clocks jump forward over it) is refused with a message; a
    time that happens twice (clocks go back) means its first occurrence.
    """
    tz = zoneinfo.ZoneInfo(tz_name)
    aware = wall.replace(tzinfo=tz, fold=0)
    # Round-trip through UTC: a wall time inside a gap comes back different.
    back = aware.astimezone(UTC).astimezone(tz)
    if back.replace(tzinfo=None) != wall:
        raise ValidationFailed(
            {
                "scheduled_at": [
                    _(
                        "%(time)s does not exist on %(day)s in %(tz)s: the clocks jump forward "
                        "then. Choose another time."
                    )
                    % {
                        "time": wall.strftime("%H:%M"),
                        "day": wall.strftime("%Y-%m-%d"),
                        "tz": tz_name,
                    }
                ]
            }
        )
    return aware


def next_slot_times(
    slots: list[tuple[int, time]], tz_name: str, after: datetime, weeks: int = 8
) -> list[datetime]:
    """Upcoming aware datetimes of weekly slots (weekday, wall time) after `after`, in order.
    Slots that fall into a daylight-saving gap that week are skipped."""
    tz = zoneinfo.ZoneInfo(tz_name)
    start: date = after.astimezone(tz).date()
    found = []
    for offset in range(weeks * 7 + 1):
        day = start + timedelta(days=offset)
        for weekday, wall in slots:
            if day.weekday() != weekday:
                continue
            try:
                moment = localize(datetime.combine(day, wall), tz_name)
            except ValidationFailed:
                continue
            if moment > after:
                found.append(moment)
    return sorted(found)
