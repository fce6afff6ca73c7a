"""The publisher's database side: claim due deliveries, record outcomes, recover.

Claims are conditional updates (the same code on SQLite and PostgreSQL): a row moves from
SCHEDULED to SENDING only if it is still SCHEDULED, so two workers never both hold it. The
network call happens outside any transaction; its outcome is written in a short one, and
only by the claim's holder. A delivery whose holder died is put back with `in_doubt` set,
so the next try asks the network (find_existing) before sending again.
"""

from __future__ import annotations

import logging
import random
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _

from roost.channels.models import Channel, ChannelStatus
from roost.channels.services import channel_mark_unauthorized
from roost.core import clock
from roost.core.models import WorkerHeartbeat
from roost.networks.base import Outcome, Result
from roost.notifications.services import notify
from roost.publishing.models import Delivery, DeliveryStatus
from roost.publishing.services.scheduling import post_refresh_status

log = logging.getLogger("roost.publisher")


def claim_due(*, worker_id: str, limit: int, now: datetime | None = None) -> list[Delivery]:
    """Take up to `limit` due deliveries for this worker, oldest first."""
    now = now or clock.now()
    candidates = list(
        Delivery.objects.filter(status=DeliveryStatus.SCHEDULED, next_attempt_at__lte=now)
        .filter(channel__status=ChannelStatus.ACTIVE)
        .filter(
            Q(channel__rate_limited_until__isnull=True) | Q(channel__rate_limited_until__lte=now)
        )
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:limit]
    )
    if not candidates:
        return []
    token = uuid.uuid4().hex
    Delivery.objects.filter(pk__in=candidates, status=DeliveryStatus.SCHEDULED).update(
        status=DeliveryStatus.SENDING,
        claim_token=token,
        claimed_by=worker_id,
        claimed_at=now,
        attempts=F("attempts") + 1,
        first_attempt_at=Coalesce(F("first_attempt_at"), now),
    )
    claimed = list(
        Delivery.objects.filter(claim_token=token, status=DeliveryStatus.SENDING)
        .select_related("post__campaign", "post__author", "channel__workspace")
        .prefetch_related("post__variants", "post__postmedia_set__asset")
    )
    post_refresh_status(d.post_id for d in claimed)
    return claimed


def backoff(attempt: int) -> float:
    """Exponential backoff with full jitter: up to 5 s, 10 s, 20 s … capped at 15 minutes."""
    ceiling = min(
        settings.ROOST_PUBLISH_BACKOFF_CAP, settings.ROOST_PUBLISH_BACKOFF_BASE * 2 ** (attempt - 1)
    )
    return random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not security


def record(delivery: Delivery, result: Result, called_at: datetime | None) -> bool:
    """Write the outcome of one try, if this worker still holds the claim."""
    now = clock.now()
    held = Delivery.objects.filter(
        pk=delivery.pk, claim_token=delivery.claim_token, status=DeliveryStatus.SENDING
    )
    release = {"claim_token": "", "claimed_by": "", "claimed_at": None, "called_at": called_at}
    outcome = result.outcome
    if outcome is Outcome.OK and result.published is not None:
        p = result.published
        written = held.update(
            status=DeliveryStatus.PUBLISHED,
            remote_id=p.remote_id[:500],
            remote_url=p.url[:500],
            part_ids=list(p.part_ids),
            published_at=now,
            error="",
            in_doubt=False,
            **release,
        )
    elif outcome is Outcome.RATE_LIMITED:
        wait = result.retry_after if result.retry_after is not None else 60.0
        until = now + timedelta(seconds=max(wait, 1.0))
        Channel.objects.filter(pk=delivery.channel_id).update(rate_limited_until=until)
        written = held.update(
            status=DeliveryStatus.SCHEDULED,
            next_attempt_at=until,
            attempts=F("attempts") - 1,  # waiting as told is not a failed try
            error=result.reason[:1000],
            **release,
        )
    elif outcome is Outcome.UNAUTHORIZED:
        written = held.update(
            status=DeliveryStatus.WAITING_RECONNECT, error=result.reason[:1000], **release
        )
        if written:
            channel_mark_unauthorized(channel_id=delivery.channel_id, reason=result.reason)
    elif outcome is Outcome.REJECTED:
        written = held.update(status=DeliveryStatus.FAILED, error=result.reason[:1000], **release)
        if written:
            _notify_failure(delivery, result.reason)
    else:  # RETRYABLE, or an OK that carries nothing (should not happen)
        if delivery.attempts >= settings.ROOST_PUBLISH_MAX_ATTEMPTS:
            reason = _("Gave up after %(n)s tries: %(reason)s") % {
                "n": delivery.attempts,
                "reason": result.reason,
            }
            written = held.update(status=DeliveryStatus.FAILED, error=reason[:1000], **release)
            if written:
                _notify_failure(delivery, reason)
        else:
            written = held.update(
                status=DeliveryStatus.SCHEDULED,
                next_attempt_at=now + timedelta(seconds=backoff(delivery.attempts)),
                in_doubt=True,  # a timeout may hide a post that landed
                error=result.reason[:1000],
                **release,
            )
    if not written:
        log.warning("delivery %s: claim lost before the outcome was written", delivery.pk)
    return bool(written)


def _notify_failure(delivery: Delivery, reason: str) -> None:
    post = delivery.post
    if post.author_id is None:
        return
    notify(
        workspace=delivery.channel.workspace,
        recipients=[post.author],
        kind="post.failed",
        key=f"delivery:{delivery.pk}:failed",
        text=_("Your post could not be published to %(channel)s: %(reason)s")
        % {"channel": delivery.channel.name, "reason": reason},
        url=reverse("publishing:post", args=[delivery.channel.workspace.slug, post.pk]),
    )


def recover_stale(now: datetime | None = None) -> int:
    """Put back deliveries left SENDING by a worker that died (no fresh heartbeat) or that
    held them past the lease. They come back `in_doubt`: the next try asks the network."""
    now = now or clock.now()
    stale_after = timedelta(seconds=settings.ROOST_WORKER_STALE_SECONDS)
    alive = list(
        WorkerHeartbeat.objects.filter(last_seen__gte=now - stale_after).values_list(
            "worker_id", flat=True
        )
    )
    lease = timedelta(seconds=settings.ROOST_PUBLISH_LEASE_SECONDS)
    with transaction.atomic():
        count = (
            Delivery.objects.filter(status=DeliveryStatus.SENDING)
            .filter(
                Q(claimed_at__lt=now - lease)
                | (~Q(claimed_by__in=alive) & Q(claimed_at__lt=now - stale_after))
            )
            .update(
                status=DeliveryStatus.SCHEDULED,
                in_doubt=True,
                next_attempt_at=now,
                claim_token="",
                claimed_by="",
                claimed_at=None,
            )
        )
    if count:
        log.warning("recovered %s deliveries left mid-flight", count)
    return count
