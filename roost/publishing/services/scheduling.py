"""When posts go out: now, at a time (in each channel's time zone), or in the channel's
next free queue slot. Reschedule and cancel. Post status follows its deliveries."""

from __future__ import annotations

import enum
import zoneinfo
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from roost.channels.models import Channel, ChannelStatus
from roost.core import clock
from roost.core.exceptions import Conflict, ValidationFailed
from roost.core.validation import check_moment
from roost.publishing.models import Delivery, DeliveryStatus, Post, PostStatus, QueueSlot
from roost.publishing.services.times import localize, next_slot_times
from roost.workspaces.access import require
from roost.workspaces.models import Membership
from roost.workspaces.roles import Perm
from roost.workspaces.services import audit_record

# Deliveries that (re)scheduling may move; the others have gone, or are going, out.
MOVABLE = [
    DeliveryStatus.PENDING,
    DeliveryStatus.SCHEDULED,
    DeliveryStatus.CANCELLED,
    DeliveryStatus.FAILED,
    DeliveryStatus.WAITING_RECONNECT,
]
ACTIVE = [DeliveryStatus.SCHEDULED, DeliveryStatus.SENDING, DeliveryStatus.WAITING_RECONNECT]
# A time this close to now still counts as "now" (the form took a moment to submit).
GRACE = timedelta(seconds=60)


class Mode(enum.StrEnum):
    NOW = "now"
    AT = "at"
    QUEUE = "queue"


def due_times(
    channels: Iterable[Channel], mode: Mode, at: datetime | None, now: datetime
) -> dict[int, datetime]:
    """When each channel's delivery is due. A naive `at` is a wall-clock time read in each
    channel's own time zone (the workspace's unless the channel overrides it)."""
    channels = list(channels)
    if mode is Mode.NOW:
        return {c.pk: now for c in channels}
    if mode is Mode.AT:
        if at is None:
            raise ValidationFailed({"scheduled_at": [_("Choose a date and time.")]})
        # Before any time-zone arithmetic: year 1 or 9999 would overflow it.
        check_moment(at, "scheduled_at")
        due = {c.pk: at if at.tzinfo else localize(at, c.tz_name) for c in channels}
        late = [c for c in channels if due[c.pk] < now - GRACE]
        if late:
            tz = late[0].tz_name
            shown = due[late[0].pk].astimezone(zoneinfo.ZoneInfo(tz))
            raise ValidationFailed(
                {
                    "scheduled_at": [
                        _("%(time)s (%(tz)s) is in the past. Choose a later time.")
                        % {"time": shown.strftime("%Y-%m-%d %H:%M"), "tz": tz}
                    ]
                }
            )
        return due
    return {c.pk: next_free_slot(c, now) for c in channels}


def next_free_slot(channel: Channel, now: datetime) -> datetime:
    slots = [(s.weekday, s.time) for s in QueueSlot.objects.filter(channel=channel)]
    if not slots:
        raise ValidationFailed(
            {
                "scheduled_at": [
                    _("%(channel)s has no queue slots yet: add some in its settings.")
                    % {"channel": channel.name}
                ]
            }
        )
    upcoming = next_slot_times(slots, channel.tz_name, now)
    if not upcoming:  # pragma: no cover - slots always recur within the window
        raise ValidationFailed({"scheduled_at": [_("No free queue slot in the next weeks.")]})
    taken = set(
        Delivery.objects.filter(
            channel=channel, status__in=ACTIVE, due_at__gte=upcoming[0], due_at__lte=upcoming[-1]
        ).values_list("due_at", flat=True)
    )
    for moment in upcoming:
        if moment not in taken:
            return moment
    raise ValidationFailed(
        {
            "scheduled_at": [
                _("%(channel)s's queue is full for the next weeks.") % {"channel": channel.name}
            ]
        }
    )


def post_schedule(
    *,
    actor: Membership,
    post: Post,
    mode: Mode | str,
    at: datetime | None = None,
    resubmit: bool = False,
) -> Post:
    """Schedule (or reschedule) every channel of the post — or, where an approval workflow
    applies to this member, send it for review with this plan. A cancelled post goes back
    into review only when the member says so (`resubmit`)."""
    from roost.publishing.services.review import post_submit_or_schedule

    require(actor, Perm.COMPOSE)
    try:
        mode = Mode(mode)
    except ValueError:  # the API passes the client's word through
        raise ValidationFailed({"mode": [_("Choose draft, now, a time, or the queue.")]}) from None
    channels = [
        d.channel for d in Delivery.objects.filter(post=post).select_related("channel__workspace")
    ]
    due_times(channels, mode, at, clock.now())  # refuse a bad time before anything else
    post_submit_or_schedule(actor=actor, post=post, mode=mode.value, at=at, resubmit=resubmit)
    post.refresh_from_db()
    return post


def schedule_deliveries(
    *, post: Post, mode: Mode | str, at: datetime | None = None, by: Any = None
) -> Post:
    """The scheduling itself, for callers that checked permission their own way (the
    approval engine carrying out an approved plan)."""
    try:
        mode = Mode(mode)
    except ValueError:  # the API passes the client's word through
        raise ValidationFailed({"mode": [_("Choose draft, now, a time, or the queue.")]}) from None
    now = clock.now()
    deliveries = list(Delivery.objects.filter(post=post).select_related("channel__workspace"))
    if not deliveries:
        raise ValidationFailed({"channels": [_("Choose at least one channel.")]})
    if any(d.status in (DeliveryStatus.SENDING, DeliveryStatus.PUBLISHED) for d in deliveries):
        raise Conflict(_("This post is already publishing or published."))
    gone = [d.channel.name for d in deliveries if d.channel.status == ChannelStatus.DISCONNECTED]
    if gone:
        raise ValidationFailed(
            {"channels": [_("%(channels)s is disconnected.") % {"channels": ", ".join(gone)}]}
        )
    due = due_times([d.channel for d in deliveries], mode, at, now)
    with transaction.atomic():
        for d in deliveries:
            waiting = d.channel.status == ChannelStatus.NEEDS_RECONNECT
            moved = Delivery.objects.filter(pk=d.pk, status__in=MOVABLE).update(
                status=DeliveryStatus.WAITING_RECONNECT if waiting else DeliveryStatus.SCHEDULED,
                due_at=due[d.channel_id],
                next_attempt_at=due[d.channel_id],
                attempts=0,
                error=_("Waiting for %(channel)s to be reconnected.") % {"channel": d.channel.name}
                if waiting
                else "",
            )
            if not moved:
                raise Conflict(_("This post started publishing meanwhile."))
        post.scheduled_at = min(due.values())
        post.status = PostStatus.SCHEDULED
        post.updated_at = now
        post.save(update_fields=["scheduled_at", "status", "updated_at"])
        audit_record(
            workspace=post.workspace,
            actor=by,
            action="post.scheduled",
            target=post,
            mode=mode.value,
            due={str(k): v.isoformat() for k, v in sorted(due.items())},
        )
    return post


def post_cancel(*, actor: Membership, post: Post) -> Post:
    """Take a post off the schedule; it stays, cancelled, and can be scheduled again. A
    review under way is withdrawn with it: a late approval must not put it back on."""
    from roost.approvals import services as approvals

    require(actor, Perm.COMPOSE)
    with transaction.atomic():
        Delivery.objects.filter(
            post=post,
            status__in=[
                DeliveryStatus.PENDING,
                DeliveryStatus.SCHEDULED,
                DeliveryStatus.WAITING_RECONNECT,
            ],
        ).update(status=DeliveryStatus.CANCELLED, error="")
        withdrawn = approvals.request_cancel(
            kind="post",
            object_id=post.pk,
            actor=actor.user,
            reason=_("The post was cancelled."),
        )
        post_refresh_status([post.pk])
        post.refresh_from_db()
        audit_record(
            workspace=actor.workspace,
            actor=actor.user,
            action="post.cancelled",
            target=post,
            review_withdrawn=bool(withdrawn),
        )
    return post


def posts_mark_publishing(post_ids: Iterable[int]) -> None:
    """Posts that just had a delivery claimed for sending are "Publishing" — the first rule
    of post_refresh_status, which holds whatever their other deliveries say, so the
    publisher's claim sets it without counting them."""
    Post.objects.filter(pk__in=set(post_ids)).exclude(status=PostStatus.PUBLISHING).update(
        status=PostStatus.PUBLISHING
    )


def post_refresh_status(post_ids: Iterable[int]) -> None:
    """Derive each post's status from its deliveries (drafts and reviews stay as they are)."""
    ids = list(set(post_ids))
    if not ids:
        return
    counts = (
        Delivery.objects.filter(post_id__in=ids)
        .values("post_id")
        .annotate(
            total=Count("id"),
            published=Count("id", filter=Q(status=DeliveryStatus.PUBLISHED)),
            failed=Count("id", filter=Q(status=DeliveryStatus.FAILED)),
            sending=Count("id", filter=Q(status=DeliveryStatus.SENDING)),
            cancelled=Count("id", filter=Q(status=DeliveryStatus.CANCELLED)),
            pending=Count("id", filter=Q(status=DeliveryStatus.PENDING)),
        )
    )
    by_status: dict[str, list[int]] = {}
    for row in counts:
        total, done = row["total"], row["published"]
        if row["pending"] == total:
            continue
        status: str
        if row["sending"]:  # (posts_mark_publishing applies this rule alone)
            status = PostStatus.PUBLISHING
        elif done == total:
            status = PostStatus.PUBLISHED
        elif row["cancelled"] == total:
            status = PostStatus.CANCELLED
        elif done + row["failed"] + row["cancelled"] == total:
            status = PostStatus.PARTIAL if done else PostStatus.FAILED
        else:
            status = PostStatus.PUBLISHING if done or row["failed"] else PostStatus.SCHEDULED
        by_status.setdefault(status, []).append(row["post_id"])
    for value, pks in by_status.items():
        Post.objects.filter(pk__in=pks).exclude(status=value).update(status=value)


def deliveries_on_reconnected(channel: Channel) -> int:
    """The channel works again: deliveries that waited for the reconnect go back to the
    queue, due now. Returns how many."""
    return Delivery.objects.filter(channel=channel, status=DeliveryStatus.WAITING_RECONNECT).update(
        status=DeliveryStatus.SCHEDULED, next_attempt_at=clock.now(), error=""
    )


def deliveries_on_disconnected(channel: Channel) -> int:
    """The channel was disconnected: deliveries not yet sent to it are cancelled with a
    reason, and their posts follow them (drafts stay drafts). Returns how many."""
    scheduled_posts = list(
        Delivery.objects.filter(
            channel=channel,
            status__in=[DeliveryStatus.SCHEDULED, DeliveryStatus.WAITING_RECONNECT],
        ).values_list("post_id", flat=True)
    )
    cancelled = Delivery.objects.filter(
        channel=channel,
        status__in=[
            DeliveryStatus.PENDING,
            DeliveryStatus.SCHEDULED,
            DeliveryStatus.WAITING_RECONNECT,
        ],
    ).update(status=DeliveryStatus.CANCELLED, error=_("The channel was disconnected."))
    post_refresh_status(scheduled_posts)
    return cancelled
