"""`{{ post.due_at|when }}` in every template (a builtin, no `load`): the moment in the
workspace's zone (set by `workspace_view`) and the reader's language, with its UTC offset
when the wall time happens twice. The rules live in roost.core.moments."""

from __future__ import annotations

from datetime import datetime

from django import template

from roost.core.moments import format_moment

register = template.Library()


@register.filter(expects_localtime=False)
def when(value: object, fmt: str = "SHORT_DATETIME_FORMAT") -> object:
    """`{{ x|when }}` or `{{ x|when:"DATETIME_FORMAT" }}`; anything but a datetime passes."""
    if isinstance(value, datetime):
        return format_moment(value, fmt)
    return value
