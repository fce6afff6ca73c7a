"""A moment as a person reads it: the active time zone and the active language's format
(roost/formats/), with the UTC offset when the wall time alone is ambiguous.

02:30 on the last Sunday of October in Europe/Warsaw happens twice, so it reads
"Oct 25, 2026, 02:30 (UTC+02:00)" and, an hour later, "… 02:30 (UTC+01:00)". Templates
use it as `{{ moment|when }}` (roost.web.templatetags.roost_time, a builtin).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _


def utc_offset(delta: timedelta) -> str:
    """`+02:00` for two hours east of UTC, `-03:30` for Newfoundland."""
    minutes = int(delta.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, minutes = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{minutes:02d}"


def is_ambiguous(local: datetime) -> bool:
    """Whether this wall time occurs twice in its zone (the hour the clocks go back)."""
    wall = local.replace(tzinfo=None)
    tz = local.tzinfo
    first, second = wall.replace(tzinfo=tz, fold=0), wall.replace(tzinfo=tz, fold=1)
    return first.utcoffset() != second.utcoffset()


def format_moment(value: datetime, fmt: str = "SHORT_DATETIME_FORMAT") -> str:
    """An aware datetime in the active zone and language, with its offset when ambiguous."""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    shown = date_format(local, fmt)
    offset = local.utcoffset()
    if offset is not None and is_ambiguous(local):
        return _("%(moment)s (UTC%(offset)s)") % {"moment": shown, "offset": utc_offset(offset)}
    return shown
