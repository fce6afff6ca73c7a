"""One member's workload signals as table cells, built in Python: the team health page
has a row per member (200 and more), and the same cells through the template engine (or
format_html, whose lazy-aware escaping is slow in bulk) cost more than the rest of the page
together (bench/team.py). Every value is escaped with the standard library's escape."""

from __future__ import annotations

from html import escape

from django import template
from django.utils.formats import number_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from roost.team.workload import MemberSignals, Signal

register = template.Library()


def _cell(code: str, signal: Signal, body: str) -> str:
    flag = escape(str(signal.flag))
    return (
        f'<td data-signal="{code}" data-flag="{flag}">{body} '
        f'<span class="flag flag-{flag}">{flag}</span></td>'
    )


def _hint(text: str) -> str:
    return f'<span class="hint">{escape(text)}</span>'


@register.simple_tag
def signal_cells(s: MemberSignals) -> SafeString:
    """The six signal cells of `s`: value, a hint, and the flag in words."""
    ratio, per_day, share = s.handled_ratio.value, s.handled_per_day, s.after_hours.value
    handled = "—"
    if ratio is not None:
        day = number_format(per_day) if per_day is not None else "—"
        handled = f"{escape(number_format(ratio))}× " + _hint(f"({day} {_('a day')})")
    waiting = escape(str(s.reviews_waiting))
    if s.oldest_review_hours is not None:
        waiting += " " + _hint(_("(oldest %(h)s h)") % {"h": s.oldest_review_hours})
    cells = [
        _cell(
            "open_items",
            s.open_items,
            escape(str(s.open_items.value)) + " " + _hint(_("(cap %(cap)s)") % {"cap": s.cap}),
        ),
        _cell("handled_ratio", s.handled_ratio, handled),
        _cell(
            "after_hours", s.after_hours, f"{round(share * 100)} %" if share is not None else "—"
        ),
        _cell("weekend_days", s.weekend_days, escape(str(s.weekend_days.value))),
        _cell("longest_run", s.longest_run, escape(str(s.longest_run.value))),
        _cell("bottleneck", s.bottleneck, waiting),
    ]
    return mark_safe("\n".join(cells))  # noqa: S308 - every value above is escaped
