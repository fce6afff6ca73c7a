"""Publishing's handlers for channel events (`roost.channels.hooks`), and the events
publishing itself announces to the apps above it.

Channels know nothing of posts; publishing tells them what becomes of its deliveries when
a channel is reconnected or disconnected. `register()` is called once at start-up.

Publishing knows nothing of the apps above it (analytics follows what was published): an
app registers `on_published(handler)` from its AppConfig.ready(), and the publisher calls
`published(ids)` once the outcomes are committed. A handler that fails is logged; it never
undoes or stops publishing, nor the other handlers. Likewise an app may register
`on_engagement(reader)`: what the post page shows in its "Engagement" column.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from django.db import transaction

from roost.channels import hooks as channel_hooks

log = logging.getLogger("roost.publishing")

# A handler gets the ids of deliveries that were just published (some may have lost their
# claim meanwhile: a handler reads their status itself) and returns how many it handled.
PublishedHandler = Callable[[Sequence[int]], int]
_PUBLISHED: list[PublishedHandler] = []


def on_published(handler: PublishedHandler) -> None:
    """Call `handler` with the ids of deliveries after they are published (registering
    again is harmless)."""
    if handler not in _PUBLISHED:
        _PUBLISHED.append(handler)


def published(delivery_ids: Sequence[int]) -> None:
    """Tell every registered app that these deliveries were published, after the current
    transaction commits (at once outside one)."""
    if delivery_ids and _PUBLISHED:
        transaction.on_commit(partial(_announce, list(delivery_ids)))


def _announce(delivery_ids: list[int]) -> None:
    for handler in list(_PUBLISHED):
        try:
            handler(delivery_ids)
        except Exception:
            log.exception("a published-deliveries handler failed (%s)", handler)


def register() -> None:
    """Register publishing's channel handlers (idempotent)."""
    from roost.publishing.services.scheduling import (
        deliveries_on_disconnected,
        deliveries_on_reconnected,
    )

    channel_hooks.on_reconnected(deliveries_on_reconnected)
    channel_hooks.on_disconnected(deliveries_on_disconnected)


# A reader gets delivery ids and returns, for those it knows, a short line for people
# ("12 likes · 3 reposts") about how each delivery is doing.
EngagementReader = Callable[[Sequence[int]], dict[int, str]]
_ENGAGEMENT: list[EngagementReader] = []


def on_engagement(reader: EngagementReader) -> None:
    """Add a source of the post page's engagement lines (registering again is harmless)."""
    if reader not in _ENGAGEMENT:
        _ENGAGEMENT.append(reader)


def engagement_of(delivery_ids: Sequence[int]) -> dict[int, str]:
    """The engagement line of each delivery that has one (a reader that fails is logged
    and skipped: a count is never worth an error page)."""
    found: dict[int, str] = {}
    if not delivery_ids:
        return found
    for reader in _ENGAGEMENT:
        try:
            for delivery_id, line in reader(delivery_ids).items():
                found.setdefault(delivery_id, line)
        except Exception:
            log.exception("an engagement reader failed (%s)", reader)
    return found


# A post-actions provider gets the member looking and posts as (id, status) pairs, and
# returns, for those it has something for, the actions it offers on them as (label, path)
# — e.g. paid's "Boost" on published posts. The post page and the calendar's cards show
# them. A provider must not query per post (the calendar shows many).
PostAction = tuple[str, str]
PostRef = tuple[int, str]
PostActionsProvider = Callable[[Any, Sequence[PostRef]], dict[int, list[PostAction]]]
_POST_ACTIONS: list[PostActionsProvider] = []


def on_post_actions(provider: PostActionsProvider) -> None:
    """Add a source of actions on posts (registering again is harmless)."""
    if provider not in _POST_ACTIONS:
        _POST_ACTIONS.append(provider)


def post_actions(member: Any, posts: Sequence[PostRef]) -> dict[int, list[PostAction]]:
    """The actions other apps offer on each post, by post id (a provider that fails is
    logged and skipped: an extra link is never worth an error page)."""
    found: dict[int, list[PostAction]] = {}
    if not posts:
        return found
    for provider in _POST_ACTIONS:
        try:
            for post_id, actions in provider(member, posts).items():
                found.setdefault(post_id, []).extend(actions)
        except Exception:
            log.exception("a post-actions provider failed (%s)", provider)
    return found
