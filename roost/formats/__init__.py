"""Roost's date formats per language (settings.FORMAT_MODULE_PATH), over Django's own.

One place decides how a moment reads; each name not set here falls back to Django's
locale. Both languages use a 24-hour clock, like the time pickers and the calendar's
hours, and never an all-digit month/day order that a reader could take either way:
English spells the month ("Dec 2, 2026, 07:09"), Polish writes day.month.year
("02.12.2026, 07:09"). A wall time that happens twice (the autumn clock change) also
shows its UTC offset: see roost.core.moments (`{{ x|when }}` in templates).
"""
