"""Creating a boost on the ad network exactly once (the shape of publishing's delivery).

A worker claims a boost with a conditional update — QUEUED (and due) to CREATING, with
its lease in `claimed_at` — so two workers never both hold it. The network call runs
outside any transaction, with the boost's idempotency key; its answer is written in a
short transaction, only while the same claim still holds. A boost left CREATING past its
lease (the worker died mid-call) is claimed again; every try after the first asks the
network (`find_boost`) before sending, so a boost that landed is never sent twice.
"""

from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from roost.channels.services import channel_connector, channel_mark_unauthorized
from roost.core import clock
from roost.networks.base import AdCreated, AdsConnector, BoostRequest, Outcome, Result
from roost.notifications.services import notify
from roost.paid.models import Boost, BoostStatus, Objective, PaidCampaign
from roost.publishing.models import Delivery, DeliveryStatus

log = logging.getLogger("roost.paid.boosts")

LEASE = timedelta(minutes=5)  # a network call never takes this long: its holder died
MAX_ATTEMPTS = 6
BACKOFF_BASE = 30.0  # seconds; doubled per try, capped
BACKOFF_CAP = 30 * 60.0


def backoff(attempt: int) -> float:
    """Exponential backoff with jitter: about 30 s, 1 min, 2 min … capped at 30 minutes."""
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** max(attempt - 1, 0))
    return random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not security


def _claimable(now: datetime) -> Q:
    """Due queued boosts, and boosts whose holder's lease ran out."""
    due = Q(status=BoostStatus.QUEUED) & (Q(next_try_at__isnull=True) | Q(next_try_at__lte=now))
    stranded = Q(status=BoostStatus.CREATING, claimed_at__lt=now - LEASE)
    return due | stranded


def due_ids(now: datetime | None = None, limit: int = 500) -> list[int]:
    """Boosts a worker may claim now (a read: the claim decides)."""
    now = now or clock.now()
    return list(
        Boost.objects.filter(_claimable(now))
        .order_by("next_try_at", "id")
        .values_list("id", flat=True)[:limit]
    )


def boost_claim(boost_id: int, now: datetime | None = None) -> Boost | None:
    """Take the boost for this worker, or None when it is not due or someone holds it."""
    now = now or clock.now()
    taken = (
        # The lease's time is also the claim's token: the outcome is written only where
        # claimed_at still holds it.
        Boost.objects.filter(_claimable(now), pk=boost_id).update(
            status=BoostStatus.CREATING, claimed_at=now, attempts=F("attempts") + 1
        )
    )
    if not taken:
        return None
    return Boost.objects.select_related("post", "channel", "ad_account__channel").get(pk=boost_id)


def _request(boost: Boost) -> BoostRequest:
    remote = (
        Delivery.objects.filter(
            post_id=boost.post_id, channel_id=boost.channel_id, status=DeliveryStatus.PUBLISHED
        )
        .values_list("remote_id", flat=True)
        .first()
    )
    return BoostRequest(
        idempotency_key=str(boost.idempotency_key),
        account_id=boost.ad_account.external_id,
        post_remote_id=remote or "",
        budget=str(boost.budget),
        days=boost.days,
        audience=_audience(boost.audience),
        name=_("Boost %(id)s") % {"id": boost.pk},
    )


def _audience(stored: dict[str, Any]) -> dict[str, Any]:
    """The audience as the ads capability names it: countries are "locations"."""
    sent: dict[str, Any] = {
        "age_min": stored.get("age_min", 13),
        "age_max": stored.get("age_max", 65),
    }
    if stored.get("countries"):
        sent["locations"] = list(stored["countries"])
    if stored.get("interests"):
        sent["interests"] = list(stored["interests"])
    return sent


def call_network(boost: Boost) -> tuple[Result, AdCreated | None]:
    """The network call(s) of one try, outside any transaction: a retry asks first."""
    channel = boost.ad_account.channel
    if channel is None:
        return Result(
            Outcome.REJECTED, reason=_("The ad account has no channel to reach it.")
        ), None
    with channel_connector(channel) as connector:
        if not isinstance(connector, AdsConnector):
            reason = _("%(network)s cannot run ads.") % {"network": channel.network}
            return Result(Outcome.REJECTED, reason=reason), None
        if boost.attempts > 1:  # an earlier try may have landed before its answer was lost
            result, found = connector.find_boost(str(boost.idempotency_key))
            if not result.ok or found is not None:
                return result, found
        return connector.create_boost(_request(boost))


def boost_run(boost_id: int) -> str:
    """Claim, call, record: one try at creating the boost. Safe to run twice."""
    boost = boost_claim(boost_id)
    if boost is None:
        return "not claimed"
    try:
        result, created = call_network(boost)
    except Exception:  # a bug, not the network: the lease runs out and a sweep retries
        log.exception("boost %s: the network call failed", boost.pk)
        raise
    return record(boost, result, created)


def _campaign(boost: Boost, created: AdCreated, today_: datetime) -> PaidCampaign:
    """The paid campaign the boost's figures land in (one per remote campaign)."""
    start = today_.date()
    daily = (boost.budget / boost.days).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    text = " ".join(boost.post.text.split())[:80]
    campaign, _made = PaidCampaign.objects.get_or_create(
        ad_account=boost.ad_account,
        external_id=created.campaign_id[:200],
        defaults={
            "workspace_id": boost.workspace_id,
            "name": (_("Boost: %(text)s") % {"text": text or boost.pk})[:200],
            "objective": Objective.ENGAGEMENT,
            "total_budget": boost.budget,
            "daily_budget": daily,
            "starts_on": start,
            "ends_on": start + timedelta(days=boost.days - 1),
            "campaign_id": boost.post.campaign_id,
            "created_by_id": boost.created_by_id,
        },
    )
    return campaign


def record(boost: Boost, result: Result, created: AdCreated | None) -> str:
    """Write a try's outcome, only if this worker still holds the claim. Returns it."""
    now = clock.now()
    held = Boost.objects.filter(
        pk=boost.pk, status=BoostStatus.CREATING, claimed_at=boost.claimed_at
    )
    with transaction.atomic():
        if result.outcome is Outcome.OK and created is not None:
            if not held.update(
                status=BoostStatus.ACTIVE,
                remote_id=created.remote_id[:200],
                started_at=now,
                claimed_at=None,
                next_try_at=None,
                error="",
            ):
                return _lost(boost)
            campaign = _campaign(boost, created, now)
            Boost.objects.filter(pk=boost.pk).update(paid_campaign=campaign)
            return BoostStatus.ACTIVE
        reason = result.reason[:1000] or str(result.outcome)
        if result.outcome is Outcome.RATE_LIMITED:
            wait = max(result.retry_after or 60.0, 1.0)
            changes = {
                "status": BoostStatus.QUEUED,
                "next_try_at": now + timedelta(seconds=wait),
                "attempts": F("attempts") - 1,  # waiting as told is not a failed try
            }
        elif result.outcome in (Outcome.REJECTED, Outcome.UNAUTHORIZED):
            changes = {"status": BoostStatus.FAILED, "next_try_at": None}
        elif boost.attempts >= MAX_ATTEMPTS:  # RETRYABLE (or an OK carrying nothing)
            reason = _("Gave up after %(n)s tries: %(reason)s") % {
                "n": boost.attempts,
                "reason": reason,
            }
            changes = {"status": BoostStatus.FAILED, "next_try_at": None}
        else:
            changes = {
                "status": BoostStatus.QUEUED,
                "next_try_at": now + timedelta(seconds=backoff(boost.attempts)),
            }
        if not held.update(claimed_at=None, error=reason[:1000], **changes):
            return _lost(boost)
        if result.outcome is Outcome.UNAUTHORIZED and boost.ad_account.channel_id:
            channel_mark_unauthorized(channel_id=boost.ad_account.channel_id, reason=reason)
        if changes["status"] == BoostStatus.FAILED:
            _tell_failed(boost, reason)
        return str(changes["status"])


def _lost(boost: Boost) -> str:
    log.warning("boost %s: claim lost before the outcome was written", boost.pk)
    return "claim lost"


def _tell_failed(boost: Boost, reason: str) -> None:
    from django.urls import reverse

    if boost.created_by_id is None:
        return
    notify(
        workspace=boost.post.workspace,
        recipients=[boost.created_by],
        kind="boost.failed",
        key=f"boost:{boost.pk}:failed",
        text=_("Your boost could not be created: %(reason)s") % {"reason": reason},
        url=reverse("paid:boost", args=[boost.post.workspace.slug, boost.pk]),
    )
