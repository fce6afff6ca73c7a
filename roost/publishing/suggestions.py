"""Suggested times to publish, for compose and queue slots.

Publishing knows nothing of how the suggestions are made: an app above (analytics, with its
best-time model) registers a suggester from its AppConfig.ready(). The same shape as
`roost.channels.hooks`: the lower app owns the registry, the higher app fills it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.utils import formats

if TYPE_CHECKING:
    from roost.channels.models import Channel

log = logging.getLogger("roost.publishing")


@dataclass(frozen=True)
class Suggestion:
    at: datetime  # aware; the next such moment after the time asked about
    channel_id: int
    why: str  # for people: "2.1× this channel's average engagement rate, 34 posts"


Suggester = Callable[[Collection[int], datetime], list[Suggestion]]
_SUGGESTERS: list[Suggester] = []


def register_time_suggester(fn: Suggester) -> None:
    """Add a source of suggestions (once; registering again is harmless)."""
    if fn not in _SUGGESTERS:
        _SUGGESTERS.append(fn)


def suggest_times(channel_ids: Collection[int], after: datetime) -> list[Suggestion]:
    """Suggested moments after `after` for the channels, from every registered suggester,
    in each suggester's order. A suggester that fails is logged and skipped: a suggestion
    is never worth a broken compose page."""
    out: list[Suggestion] = []
    if not channel_ids:
        return out
    for fn in _SUGGESTERS:
        try:
            out.extend(fn(channel_ids, after))
        except Exception:  # see the docstring: a suggestion is never worth an error page
            log.exception("A time suggester failed")
    return out


SUGGESTED_CHANNELS = 10  # a page asks for suggestions for at most this many channels
SUGGESTIONS_SHOWN = 6


def suggestions_for_display(channels: Sequence[Channel], after: datetime) -> list[dict[str, Any]]:
    """Suggested times for these channels as compose and queue slots show them: the
    wall-clock value compose's time field takes, in each channel's own zone."""
    by_id = {c.pk: c for c in channels[:SUGGESTED_CHANNELS]}
    out = []
    for s in suggest_times(list(by_id), after)[:SUGGESTIONS_SHOWN]:
        channel = by_id.get(s.channel_id)
        if channel is None:
            continue
        local = s.at.astimezone(ZoneInfo(channel.tz_name)).replace(tzinfo=None)
        out.append(
            {
                "channel": channel,
                "value": local.strftime("%Y-%m-%dT%H:%M"),
                "label": formats.date_format(local, "D j M, H:i"),
                "day": formats.date_format(local, "l"),
                "weekday": local.weekday(),
                "time": local.strftime("%H:%M"),
                "why": s.why,
            }
        )
    return out
