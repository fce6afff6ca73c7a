"""Working hours: the format stored on MemberProfile.working_hours, read and checked in
one place (the workload signals count activity outside them; the profile form writes them).

Format: {"0": ["09:00", "17:00"], …} — weekday (0 = Monday … 6 = Sunday) to the start and
end of the working day in the workspace's time zone; a weekday that is missing is a day
off. Empty: Monday to Friday, 09:00–17:00."""

from __future__ import annotations

from datetime import time
from typing import Any

from django.utils.translation import gettext as _

from roost.core.exceptions import ValidationFailed

Hours = dict[int, tuple[time, time]]

DEFAULT: Hours = {day: (time(9), time(17)) for day in range(5)}


def _clock(value: Any) -> time | None:
    if not isinstance(value, str) or len(value) != 5 or value[2] != ":":
        return None
    hh, mm = value[:2], value[3:]
    if not (hh.isdigit() and mm.isdigit()) or int(hh) > 23 or int(mm) > 59:
        return None
    return time(int(hh), int(mm))


def clean_hours(data: Any) -> Hours:
    """The working hours in `data`, or ValidationFailed naming the first problem."""
    if data in (None, {}):
        return dict(DEFAULT)
    if not isinstance(data, dict):
        raise ValidationFailed({"working_hours": [_("Working hours must be a weekly table.")]})
    found: Hours = {}
    for key, span in data.items():
        if not (isinstance(key, str) and key in {"0", "1", "2", "3", "4", "5", "6"}):
            raise ValidationFailed(
                {"working_hours": [_("“%(day)s” is not a weekday (0 to 6).") % {"day": key}]}
            )
        pair = span if isinstance(span, list | tuple) and len(span) == 2 else None
        start, end = (_clock(pair[0]), _clock(pair[1])) if pair else (None, None)
        if start is None or end is None:
            raise ValidationFailed(
                {"working_hours": [_("Give the hours as HH:MM, e.g. 09:00 and 17:00.")]}
            )
        if end <= start:
            raise ValidationFailed(
                {"working_hours": [_("A working day must end after it starts.")]}
            )
        found[int(key)] = (start, end)
    return found


def hours_of(data: Any) -> Hours:
    """The working hours stored in `data` (stored data was checked; a broken value reads
    as the default rather than stopping anyone's page)."""
    try:
        return clean_hours(data)
    except ValidationFailed:
        return dict(DEFAULT)


def to_json(hours: Hours) -> dict[str, list[str]]:
    """Hours as stored on MemberProfile.working_hours."""
    return {
        str(day): [start.strftime("%H:%M"), end.strftime("%H:%M")]
        for day, (start, end) in sorted(hours.items())
    }


def is_working_time(hours: Hours, weekday: int, at: time) -> bool:
    """Within the working day of `weekday` (start inclusive, end exclusive)."""
    span = hours.get(weekday)
    return span is not None and span[0] <= at < span[1]
