"""A delivery's latest counts in one line for people ("12 likes · 3 reposts · 1 reply"),
for the post page (publishing asks through `hooks.on_engagement`). Counts a network does
not provide are left out, not shown as 0."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.utils.translation import ngettext

from roost.analytics.models import PostMetrics

Phrase = Callable[[int], str]
PHRASES: tuple[tuple[str, Phrase], ...] = (
    ("likes", lambda n: ngettext("%(n)s like", "%(n)s likes", n) % {"n": n}),
    ("reposts", lambda n: ngettext("%(n)s repost", "%(n)s reposts", n) % {"n": n}),
    ("replies", lambda n: ngettext("%(n)s reply", "%(n)s replies", n) % {"n": n}),
    ("quotes", lambda n: ngettext("%(n)s quote", "%(n)s quotes", n) % {"n": n}),
    ("bookmarks", lambda n: ngettext("%(n)s bookmark", "%(n)s bookmarks", n) % {"n": n}),
    ("impressions", lambda n: ngettext("%(n)s impression", "%(n)s impressions", n) % {"n": n}),
    ("reach", lambda n: ngettext("%(n)s person reached", "%(n)s people reached", n) % {"n": n}),
    ("clicks", lambda n: ngettext("%(n)s click", "%(n)s clicks", n) % {"n": n}),
    ("video_views", lambda n: ngettext("%(n)s video view", "%(n)s video views", n) % {"n": n}),
)


def line_of(values: dict[str, int | None]) -> str:
    """The counts that are available, in display order."""
    parts = []
    for name, phrase in PHRASES:
        value = values.get(name)
        if value is not None:
            parts.append(phrase(value))
    return " · ".join(parts)


def engagement_lines(delivery_ids: Sequence[int]) -> dict[int, str]:
    """The line of each delivery read at least once (one query)."""
    rows = PostMetrics.objects.filter(delivery_id__in=list(delivery_ids), snapshots__gt=0)
    return {pm.delivery_id: line for pm in rows if (line := line_of(pm.values()))}
