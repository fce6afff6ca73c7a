"""The calendar feed: a secret ICS address per workspace (created, replaced, looked up) and
the ICS document itself."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from roost.core import clock
from roost.core.tokens import hash_secret, new_secret
from roost.publishing.models import CalendarFeed, Delivery, Post, PostStatus
from roost.workspaces.access import require
from roost.workspaces.models import Membership, Workspace
from roost.workspaces.roles import Perm
from roost.workspaces.services import audit_record

TOKEN_PREFIX = "cal"
# Posts the feed carries: the ones that are, or were, on their way out.
FEED_STATUSES = [
    PostStatus.SCHEDULED,
    PostStatus.PUBLISHING,
    PostStatus.PUBLISHED,
    PostStatus.PARTIAL,
]
# How far back the feed reaches; everything ahead is in it.
FEED_HISTORY = timedelta(days=365)
# Calendar apps draw a zero-length event as a sliver; give each post a visible block.
EVENT_LENGTH = timedelta(minutes=15)
SUMMARY_CHARS = 60


def calendar_feed_rotate(*, actor: Membership) -> str:
    """Create the workspace's feed address, or replace it (the old one stops working).
    Returns the new secret; only its hash is stored."""
    require(actor, Perm.MANAGE_SETTINGS)
    secret = new_secret(TOKEN_PREFIX)
    with transaction.atomic():
        feed, created = CalendarFeed.objects.update_or_create(
            workspace=actor.workspace,
            defaults={"token_hash": hash_secret(secret), "created_at": clock.now()},
        )
        audit_record(
            workspace=actor.workspace,
            actor=actor.user,
            action="calendar_feed.created" if created else "calendar_feed.rotated",
            target=feed,
        )
    return secret


def calendar_feed_of(workspace: Workspace) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(workspace=workspace).first()


def feed_workspace(token: str) -> Workspace | None:
    """The workspace whose feed secret is `token`, if any."""
    if not token.startswith(f"{TOKEN_PREFIX}_"):
        return None
    feed = (
        CalendarFeed.objects.filter(token_hash=hash_secret(token))
        .select_related("workspace")
        .first()
    )
    return feed.workspace if feed else None


def feed_url(token: str) -> str:
    return settings.ROOST_BASE_URL.rstrip("/") + reverse("calendar:ics", args=[token])


def feed_posts(workspace: Workspace, now: datetime) -> QuerySet[Post]:
    """The posts the feed shows, in a fixed number of queries."""
    return (
        Post.objects.filter(
            workspace=workspace,
            status__in=FEED_STATUSES,
            scheduled_at__isnull=False,
            scheduled_at__gte=now - FEED_HISTORY,
        )
        .prefetch_related(
            Prefetch(
                "deliveries",
                queryset=Delivery.objects.select_related("channel").order_by("channel__name"),
            )
        )
        .order_by("scheduled_at", "id")
    )


def _one_line(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def event_uid(post: Post) -> str:
    """Stable for the post's whole life, so a moved post moves in the subscriber's calendar."""
    host = urlsplit(settings.ROOST_BASE_URL).hostname or "roost"
    return f"roost-post-{post.pk}@{host}"


def _channels_line(post: Post) -> str:
    names = []
    for delivery in post.deliveries.all():
        name = delivery.channel.name
        if delivery.channel.is_sandbox:
            name = f"{name} ({_('Sandbox')})"
        names.append(name)
    return ", ".join(names) or "—"


def build_ics(workspace: Workspace, posts: Iterable[Post], now: datetime) -> bytes:
    """An iCalendar document with one event per post, times in UTC."""
    base = settings.ROOST_BASE_URL.rstrip("/")
    with translation.override(workspace.language):
        cal = icalendar.Calendar()
        cal.add("prodid", "-//Roost//Content calendar//EN")
        cal.add("version", "2.0")
        cal.add("calscale", "GREGORIAN")
        cal.add("method", "PUBLISH")
        cal.add("x-wr-calname", _("Roost: %(workspace)s") % {"workspace": workspace.name})
        cal.add("x-wr-timezone", workspace.timezone)
        stamp = now.astimezone(UTC)
        for post in posts:
            if post.scheduled_at is None:  # pragma: no cover - the query excludes these
                continue
            start = post.scheduled_at.astimezone(UTC)
            event = icalendar.Event()
            event.add("uid", event_uid(post))
            event.add("dtstamp", stamp)
            event.add("dtstart", start)
            event.add("dtend", start + EVENT_LENGTH)
            event.add("last-modified", post.updated_at.astimezone(UTC))
            event.add("summary", _one_line(post.text, SUMMARY_CHARS) or _("Post without text"))
            event.add(
                "description",
                _("Channels: %(channels)s\nStatus: %(status)s")
                % {"channels": _channels_line(post), "status": post.get_status_display()},
            )
            event.add("url", base + reverse("publishing:post", args=[workspace.slug, post.pk]))
            cal.add_component(event)
        return cal.to_ical()
