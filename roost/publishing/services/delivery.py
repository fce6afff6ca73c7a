"""The publisher's database side: claim due deliveries, record outcomes, recover.

Claims are conditional updates (the same code on SQLite and PostgreSQL): a row moves from
SCHEDULED to SENDING only if it is still SCHEDULED, so two workers never both hold it. The
network call happens outside any transaction; its outcome is written in a short one, and
only by the claim's holder. A delivery whose holder died is put back with `in_doubt` set,
so the next try asks the network (find_existing) before sending again.
"""

from __future__ import annotations

import json
import logging
import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Field, Q, QuerySet
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _

from roost.channels.models import Channel, ChannelStatus
from roost.channels.services import channel_mark_unauthorized
from roost.core import clock
from roost.core.models import WorkerHeartbeat
from roost.networks.base import Outcome, Result
from roost.notifications.services import notify
from roost.publishing import hooks, transforms
from roost.publishing.content import channel_text, channel_thread
from roost.publishing.models import Delivery, DeliveryStatus, MediaAsset, PostMedia, PostVariant
from roost.publishing.services.pause import held_condition, paused_q
from roost.publishing.services.scheduling import post_refresh_status, posts_mark_publishing

log = logging.getLogger("roost.publisher")


def _due(now: datetime) -> QuerySet[Delivery]:
    """Deliveries due at `now` on channels that may publish, oldest first."""
    # Channels that must not publish now are few: leave them out by id, so the query reads
    # one index on deliveries (no join for the planner to get wrong after a bulk load).
    # Paused ones too (the crisis switch), so an idle publisher does not keep trying to
    # claim what is held; the claim's UPDATE checks the pause again (see claim_due).
    blocked = list(
        Channel.objects.filter(
            Q(status=ChannelStatus.NEEDS_RECONNECT) | Q(rate_limited_until__gt=now) | paused_q()
        )
        .values_list("id", flat=True)
        .distinct()
    )
    return (
        Delivery.objects.filter(status=DeliveryStatus.SCHEDULED, next_attempt_at__lte=now)
        .exclude(channel_id__in=blocked)
        .order_by("next_attempt_at", "id")
    )


def any_due(now: datetime | None = None) -> bool:
    """Whether a claim would find something: a read, so an idle publisher's polls take no
    write lock (on SQLite every write transaction waits for the one writer)."""
    return _due(now or clock.now()).exists()


def _candidates(now: datetime, limit: int) -> list[int]:
    """The ids a claim tries to take (a read; the UPDATE decides)."""
    # PostgreSQL: rows another worker is claiming right now are skipped, not waited
    # for (without SKIP LOCKED the second worker waited for the first one's commit and
    # then found its candidates taken). SQLite has one writer at a time and ignores it.
    return list(
        _due(now)
        .select_for_update(skip_locked=True, of=("self",))
        .values_list("id", flat=True)[:limit]
    )


def claim_due(*, worker_id: str, limit: int, now: datetime | None = None) -> list[Delivery]:
    """Take up to `limit` due deliveries for this worker, oldest first. One write
    transaction: the claim and its posts' status ("Publishing"); inside a caller's
    transaction it joins that one (the publisher records the last outcomes in the same)."""
    now = now or clock.now()
    token = uuid.uuid4().hex
    with transaction.atomic():
        candidates = _candidates(now, limit)
        if not candidates:
            return []
        # The claim itself leaves paused workspaces and channels out: a pause committed
        # after the candidates were read still holds them (the condition is evaluated by
        # the UPDATE). A delivery claimed before the pause is in flight and finishes.
        Delivery.objects.filter(pk__in=candidates, status=DeliveryStatus.SCHEDULED).exclude(
            held_condition()
        ).update(
            status=DeliveryStatus.SENDING,
            claim_token=token,
            claimed_by=worker_id,
            claimed_at=now,
            attempts=F("attempts") + 1,
            first_attempt_at=Coalesce(F("first_attempt_at"), now),
        )
        claimed = list(
            Delivery.objects.filter(claim_token=token, status=DeliveryStatus.SENDING)
            # Only what a try needs: the author and the workspace are read on a failure
            # alone, the variants and media by publish_inputs (two queries for the batch).
            .select_related("post__campaign", "channel")
            .defer("metrics")
        )
        posts_mark_publishing(d.post_id for d in claimed)
    return claimed


@dataclass(frozen=True)
class PublishInputs:
    """A delivery's variants (text by channel id) and media, read for a batch at once."""

    variants: dict[int, str]
    assets: list[MediaAsset]
    threads: dict[int, list[str]] = field(default_factory=dict)  # channels' own threads


def publish_inputs(deliveries: list[Delivery]) -> dict[int, PublishInputs]:
    """What each delivery's request is built from beyond its post, by delivery id: two
    queries per batch (prefetch_related made a queryset per delivery and relation)."""
    post_ids = {d.post_id for d in deliveries}
    variants: dict[int, dict[int, str]] = defaultdict(dict)
    threads: dict[int, dict[int, list[str]]] = defaultdict(dict)
    for post_id, channel_id, text, thread in PostVariant.objects.filter(
        post_id__in=post_ids
    ).values_list("post_id", "channel_id", "text", "thread"):
        variants[post_id][channel_id] = text
        if thread is not None:
            threads[post_id][channel_id] = thread
    assets: dict[int, list[MediaAsset]] = defaultdict(list)
    for pm in (
        PostMedia.objects.filter(post_id__in=post_ids)
        .select_related("asset")
        .order_by("position", "id")
    ):
        assets[pm.post_id].append(pm.asset)
    out = {
        d.pk: PublishInputs(
            variants=variants.get(d.post_id, {}),
            assets=assets.get(d.post_id, []),
            threads=threads.get(d.post_id, {}),
        )
        for d in deliveries
    }
    if transforms.has_text_transforms():
        _transform(deliveries, out)
    return out


def _transform(deliveries: list[Delivery], inputs: dict[int, PublishInputs]) -> None:
    """Replace each delivery's inputs by its own texts after the registered text
    transforms (e.g. analytics' short links), as a variant and thread of its channel
    alone; the post itself is not changed."""
    batch = []
    for d in deliveries:
        i = inputs[d.pk]
        first = channel_text(d.post, d.channel_id, i.variants)
        batch.append((d, [first, *channel_thread(d.post, d.channel_id, i.threads)]))
    for (d, before), after in zip(batch, transforms.apply_text_transforms(batch), strict=True):
        if after == before:
            continue
        i = inputs[d.pk]
        inputs[d.pk] = PublishInputs(
            variants={**i.variants, d.channel_id: after[0]},
            assets=i.assets,
            threads={**i.threads, d.channel_id: after[1:]},
        )


def backoff(attempt: int) -> float:
    """Exponential backoff with full jitter: up to 5 s, 10 s, 20 s … capped at 15 minutes."""
    ceiling = min(
        settings.ROOST_PUBLISH_BACKOFF_CAP, settings.ROOST_PUBLISH_BACKOFF_BASE * 2 ** (attempt - 1)
    )
    return random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not security


# Every field an outcome may change: written in one set-based UPDATE per batch.
OUTCOME_FIELDS = [
    "status",
    "remote_id",
    "remote_url",
    "part_ids",
    "published_at",
    "error",
    "in_doubt",
    "next_attempt_at",
    "attempts",
    "claim_token",
    "claimed_by",
    "claimed_at",
    "called_at",
]


def _apply(d: Delivery, result: Result, called_at: datetime | None, now: datetime) -> str:
    """Set the delivery's fields for this outcome; returns the follow-up to do, if any."""
    d.claim_token, d.claimed_by, d.claimed_at, d.called_at = "", "", None, called_at
    outcome = result.outcome
    if outcome is Outcome.OK and result.published is not None:
        p = result.published
        d.status = DeliveryStatus.PUBLISHED
        d.remote_id, d.remote_url = p.remote_id[:500], p.url[:500]
        d.part_ids, d.published_at, d.error, d.in_doubt = list(p.part_ids), now, "", False
        return ""
    d.error = result.reason[:1000]
    if outcome is Outcome.RATE_LIMITED:
        wait = result.retry_after if result.retry_after is not None else 60.0
        d.status = DeliveryStatus.SCHEDULED
        d.next_attempt_at = now + timedelta(seconds=max(wait, 1.0))
        d.attempts = max(d.attempts - 1, 0)  # waiting as told is not a failed try
        return "rate_limited"
    if outcome is Outcome.UNAUTHORIZED:
        d.status = DeliveryStatus.WAITING_RECONNECT
        return "unauthorized"
    if outcome is Outcome.REJECTED:
        d.status = DeliveryStatus.FAILED
        return "failed"
    # RETRYABLE, or an OK that carries nothing (should not happen)
    if d.attempts >= settings.ROOST_PUBLISH_MAX_ATTEMPTS:
        d.status = DeliveryStatus.FAILED
        d.error = (
            _("Gave up after %(n)s tries: %(reason)s") % {"n": d.attempts, "reason": result.reason}
        )[:1000]
        return "failed"
    d.status = DeliveryStatus.SCHEDULED
    d.next_attempt_at = now + timedelta(seconds=backoff(d.attempts))
    d.in_doubt = True  # a timeout may hide a post that landed
    return ""


def _field(name: str) -> Field[Any, Any]:
    field = Delivery._meta.get_field(name)
    assert isinstance(field, Field)
    return field


def _published_sql() -> str:
    """One delivery's "published" outcome, guarded by its claim. Names come from the model
    (no input reaches the statement's text); values are parameters."""
    columns = ["status", "remote_id", "remote_url", "part_ids", "published_at", "called_at"]
    sets = ", ".join(f"{_field(c).column} = %s" for c in columns)
    cleared = "error = '', in_doubt = %s, claim_token = '', claimed_by = '', claimed_at = NULL"
    return (
        f"UPDATE {Delivery._meta.db_table} SET {sets}, {cleared} "  # noqa: S608
        "WHERE id = %s AND claim_token = %s AND status = %s"
    )


def _published_unnest_sql() -> str:
    """The batch's "published" outcomes in one PostgreSQL statement, each row still guarded
    by its claim. Names come from the model; values are parameters (one array each)."""
    table, c = Delivery._meta.db_table, {n: _field(n).column for n in OUTCOME_FIELDS}
    return (
        f"UPDATE {table} AS d SET {c['status']} = %s, {c['remote_id']} = v.remote_id, "  # noqa: S608
        f"{c['remote_url']} = v.remote_url, {c['part_ids']} = v.part_ids::jsonb, "
        f"{c['published_at']} = %s, {c['called_at']} = v.called_at, {c['error']} = '', "
        f"{c['in_doubt']} = false, {c['claim_token']} = '', {c['claimed_by']} = '', "
        f"{c['claimed_at']} = NULL "
        "FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[], "
        "%s::timestamptz[]) AS v(id, token, remote_id, remote_url, part_ids, called_at) "
        f"WHERE d.id = v.id AND d.{c['claim_token']} = v.token AND d.{c['status']} = %s"
    )


def _as_columns(
    published: list[tuple[Delivery, Result, datetime | None]], now: datetime
) -> list[Any]:
    columns: list[list[Any]] = [[], [], [], [], [], []]
    for d, result, called_at in published:
        p = result.published
        assert p is not None
        for column, value in zip(
            columns,
            (
                d.pk,
                d.claim_token,
                p.remote_id[:500],
                p.url[:500],
                json.dumps(list(p.part_ids)),
                called_at,
            ),
            strict=True,
        ):
            column.append(value)
    return [DeliveryStatus.PUBLISHED.value, now, *columns, DeliveryStatus.SENDING.value]


def _as_rows(
    published: list[tuple[Delivery, Result, datetime | None]], now: datetime
) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    for d, result, called_at in published:
        p = result.published
        assert p is not None
        rows.append(
            (
                DeliveryStatus.PUBLISHED.value,
                p.remote_id[:500],
                p.url[:500],
                _prep("part_ids", list(p.part_ids)),
                _prep("published_at", now),
                _prep("called_at", called_at),
                False,
                d.pk,
                d.claim_token,
                DeliveryStatus.SENDING.value,
            )
        )
    return rows


def _prep(name: str, value: object) -> Any:
    return _field(name).get_db_prep_value(value, connection)


def record_many(items: list[tuple[Delivery, Result, datetime | None]]) -> int:
    """Write the outcomes of many tries at once, each only if this worker still holds its
    claim, and their posts' status, in one transaction. Published ones (nearly all) go in
    one batched statement; the rest one by one, with their follow-ups. Returns how many
    were written."""
    if not items:
        return 0
    now = clock.now()
    published: list[tuple[Delivery, Result, datetime | None]] = []
    others: list[tuple[Delivery, Result, datetime | None]] = []
    for item in items:  # one pass (comparing items would compare model instances)
        ok = item[1].outcome is Outcome.OK and item[1].published is not None
        (published if ok else others).append(item)
    written = 0
    with transaction.atomic():
        if published:
            with connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    # One statement for the batch: a round trip per row cost ~1 ms each.
                    cursor.execute(_published_unnest_sql(), _as_columns(published, now))
                else:  # SQLite is in-process: a prepared statement per row is cheap
                    cursor.executemany(_published_sql(), _as_rows(published, now))
                written += max(cursor.rowcount, 0)
            if written < len(published):
                log.warning(
                    "%s deliveries: claim lost before the outcome was written",
                    len(published) - written,
                )
        for d, result, called_at in others:
            written += _record_other(d, result, called_at, now)
        post_refresh_status(d.post_id for d, _r, _c in items)
        if published:  # after the commit: the apps above follow what was published
            hooks.published([d.pk for d, _r, _c in published])
    return written


def _record_other(d: Delivery, result: Result, called_at: datetime | None, now: datetime) -> int:
    held = Delivery.objects.filter(
        pk=d.pk, claim_token=d.claim_token, status=DeliveryStatus.SENDING
    )
    follow_up = _apply(d, result, called_at, now)
    count = held.update(**{name: getattr(d, name) for name in OUTCOME_FIELDS})
    if not count:
        log.warning("delivery %s: claim lost before the outcome was written", d.pk)
        return 0
    if follow_up == "rate_limited":
        Channel.objects.filter(pk=d.channel_id).update(rate_limited_until=d.next_attempt_at)
    elif follow_up == "unauthorized":
        channel_mark_unauthorized(channel_id=d.channel_id, reason=result.reason)
    elif follow_up == "failed":
        _notify_failure(d, d.error)
    return 1


def record(delivery: Delivery, result: Result, called_at: datetime | None) -> bool:
    """Write the outcome of one try, if this worker still holds the claim."""
    return record_many([(delivery, result, called_at)]) == 1


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
    stale = Delivery.objects.filter(status=DeliveryStatus.SENDING).filter(
        Q(claimed_at__lt=now - lease)
        | (~Q(claimed_by__in=alive) & Q(claimed_at__lt=now - stale_after))
    )
    # Nearly always nothing is stale: a read decides, so the sweep takes no write lock.
    if not stale.exists():
        return 0
    with transaction.atomic():
        count = stale.update(
            status=DeliveryStatus.SCHEDULED,
            in_doubt=True,
            next_attempt_at=now,
            claim_token="",
            claimed_by="",
            claimed_at=None,
        )
    if count:
        log.warning("recovered %s deliveries left mid-flight", count)
    return count
