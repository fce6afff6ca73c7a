"""Moments as a person reads them: `{{ post.due_at|when }}` (a builtin, no `load`).

The active time zone (the workspace's, set by `workspace_view`) and the active language's
format (roost/formats/) in one place. A wall time that happens twice — 02:30 on the last
Sunday of October in Europe/Warsaw — is ambiguous on its own, so it carries its UTC offset:
"Oct 25, 2026, 02:30 (UTC+02:00)" then "… 02:30 (UTC+01:00)" an hour later.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

register = template.Library()


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


@register.filter(expects_localtime=False)
def when(value: object, fmt: str = "SHORT_DATETIME_FORMAT") -> object:
    """`{{ x|when }}` or `{{ x|when:"DATETIME_FORMAT" }}`; anything but a datetime passes."""
    if isinstance(value, datetime):
        return format_moment(value, fmt)
    return value
