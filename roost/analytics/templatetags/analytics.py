"""Figures as people read them: "not available" instead of a made-up 0, units, changes."""

from __future__ import annotations

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from roost.analytics.kpis import Unit

register = template.Library()


@register.filter
def kpi_value(value: float | None, unit: str) -> str:
    """A KPI's value in its unit; "not available" when the network does not provide it."""
    if value is None:
        return _("not available")
    if unit == Unit.PERCENT:
        return f"{number_format(value, 2)} %"
    if unit == Unit.RATIO:
        return number_format(value, 2)
    return number_format(round(value), 0, force_grouping=True)


@register.filter
def kpi_change(value: float | None, previous: float | None) -> str:
    """The change against the previous period, in percent ("" when it cannot be told)."""
    if value is None or previous is None or previous == 0:
        return ""
    change = (value - previous) * 100.0 / abs(previous)
    sign = "+" if change > 0 else ("−" if change < 0 else "±")
    return f"{sign}{number_format(abs(change), 1)} %"


@register.filter
def business_duration(seconds: float | None) -> str:
    """A duration in business time as people read it: "45 min", "3 h 20 min", "—"."""
    if seconds is None:
        return "—"
    minutes = round(seconds / 60)
    if minutes < 60:
        return _("%(n)s min") % {"n": minutes}
    return _("%(h)s h %(m)s min") % {"h": minutes // 60, "m": minutes % 60}


@register.filter
def metric_label(name: str) -> str:
    """A metric's name as people read it (the KPI registry's name for it)."""
    from roost.analytics import kpis

    try:
        return str(kpis.current(name).name)
    except LookupError:
        return name


@register.filter
def report_cell(value: object) -> str:
    """A report cell as text ("—" where there is nothing)."""
    from roost.analytics.reports import display

    return display(value)  # type: ignore[arg-type]
