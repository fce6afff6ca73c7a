"""Polling: fetch each channel's inbox (network calls concurrently, outside transactions),
then store what came in."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from roost.channels.models import Channel, ChannelStatus
from roost.channels.services import channel_mark_unauthorized, connector_for
from roost.core import clock
from roost.inbox.models import InboxCursor
from roost.inbox.services.ingest import Ingested, ingest
from roost.networks.base import InboxConnector, InboxPage, Outcome, Result

log = logging.getLogger("roost.inbox")


def _fetch(channel: Channel, cursor: str | None) -> tuple[Result, InboxPage]:
    try:
        connector = connector_for(channel)
        if not isinstance(connector, InboxConnector):
            return Result(Outcome.REJECTED, reason="no inbox"), InboxPage()
        return connector.fetch_inbox(cursor)
    except Exception as exc:  # a connector bug must not stop the other channels
        log.exception("channel %s: inbox poll failed", channel.pk)
        return Result(Outcome.RETRYABLE, reason=str(exc)), InboxPage()


def poll_channels(channels: list[Channel], concurrency: int = 8) -> dict[int, Ingested]:
    cursors = dict(
        InboxCursor.objects.filter(channel__in=channels).values_list("channel_id", "cursor")
    )
    with ThreadPoolExecutor(max(1, min(concurrency, len(channels)))) as pool:
        fetched = list(pool.map(lambda c: _fetch(c, cursors.get(c.pk) or None), channels))
    done: dict[int, Ingested] = {}
    for channel, (result, page) in zip(channels, fetched, strict=True):
        if result.outcome is Outcome.UNAUTHORIZED:
            channel_mark_unauthorized(channel_id=channel.pk, reason=result.reason)
            continue
        if result.outcome is not Outcome.OK:
            InboxCursor.objects.update_or_create(
                channel=channel,
                defaults={"last_error": result.reason[:500], "polled_at": clock.now()},
            )
            continue
        done[channel.pk] = ingest(channel, page)
    return done


def poll_all() -> dict[int, Ingested]:
    channels = list(Channel.objects.filter(status=ChannelStatus.ACTIVE).select_related("workspace"))
    return poll_channels(channels)
