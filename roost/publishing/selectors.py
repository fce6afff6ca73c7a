"""Reads for publishing, always scoped to a workspace (and to the member's channels)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connections
from django.db.models import Count, F, IntegerField, Max, Prefetch, Q, QuerySet, Window
from django.db.models.expressions import RawSQL
from django.db.models.functions import RowNumber, Substr

from roost.channels.selectors import channels_visible_to
from roost.core.exceptions import NotFound
from roost.publishing.models import (
    Campaign,
    Delivery,
    DeliveryStatus,
    MediaAsset,
    Post,
    PostMedia,
    PostStatus,
    PublishingPause,
    Tag,
)
from roost.publishing.services.pause import held_condition
from roost.workspaces.models import Membership


@dataclass
class PostFilter:
    channel_ids: list[int] = field(default_factory=list)
    campaign_ids: list[int] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    author_ids: list[int] = field(default_factory=list)


def posts_visible_to(membership: Membership) -> QuerySet[Post]:
    """Posts of the workspace; a member limited to some channels sees posts that go to at
    least one of them (and their own drafts)."""
    qs = Post.objects.filter(workspace_id=membership.workspace_id)
    if not membership.all_channels:
        allowed = channels_visible_to(membership).values("pk")
        qs = qs.filter(
            Q(deliveries__channel__in=allowed) | Q(author_id=membership.user_id)
        ).distinct()
    return qs


def posts_in_range(
    membership: Membership,
    start: datetime,
    end: datetime,
    filters: PostFilter | None = None,
    include_unscheduled: bool = False,
) -> QuerySet[Post]:
    """Posts planned between start and end (a fixed number of queries, whatever the count)."""
    qs = posts_visible_to(membership).filter(scheduled_at__gte=start, scheduled_at__lt=end)
    if include_unscheduled:
        qs = posts_visible_to(membership).filter(
            Q(scheduled_at__gte=start, scheduled_at__lt=end) | Q(scheduled_at__isnull=True)
        )
    f = filters or PostFilter()
    if f.channel_ids:
        qs = qs.filter(deliveries__channel_id__in=f.channel_ids)
    if f.campaign_ids:
        qs = qs.filter(campaign_id__in=f.campaign_ids)
    if f.tags:
        qs = qs.filter(tags__name__in=f.tags)
    if f.statuses:
        qs = qs.filter(status__in=f.statuses)
    if f.author_ids:
        qs = qs.filter(author_id__in=f.author_ids)
    return (
        qs.distinct()
        .select_related("author", "campaign")
        .prefetch_related(
            Prefetch(
                "deliveries",
                queryset=Delivery.objects.select_related("channel").order_by("channel__name"),
            ),
            "tags",
        )
        .order_by("scheduled_at", "id")
    )


# Enough characters of a post's text for a calendar card's excerpt (cut again in Python,
# at a word, with an ellipsis): the full text never leaves the database for a card.
EXCERPT_CHARS = 120
CARD_FIELDS = ("id", "status", "scheduled_at", "excerpt")


def _filtered(
    membership: Membership, f: PostFilter | None, when: Q, include_unscheduled: bool = False
) -> QuerySet[Post]:
    """The member's posts matching the filters and `when`, each once. A join that could
    repeat a post (channel access, channel or tag filters) stays inside a subquery, so the
    outer query may count and rank posts without DISTINCT."""
    f = f or PostFilter()
    qs = posts_visible_to(membership).filter(
        when | Q(scheduled_at__isnull=True) if include_unscheduled else when
    )
    if f.campaign_ids:
        qs = qs.filter(campaign_id__in=f.campaign_ids)
    if f.statuses:
        qs = qs.filter(status__in=f.statuses)
    if f.author_ids:
        qs = qs.filter(author_id__in=f.author_ids)
    if f.channel_ids:
        qs = qs.filter(deliveries__channel_id__in=f.channel_ids)
    if f.tags:
        qs = qs.filter(tags__name__in=f.tags)
    if membership.all_channels and not f.channel_ids and not f.tags:
        return qs
    return Post.objects.filter(pk__in=qs.values("pk"))


def _bucket(bounds: Sequence[datetime]) -> RawSQL:
    """The index i of the period [bounds[i], bounds[i+1]) holding a post's scheduled_at (the
    query keeps to bounds[0] … bounds[-1]): plain comparisons of the stored UTC times, the
    days (or hours) being cut in the workspace's zone by whoever makes `bounds`.

    A balanced tree of CASEs: about log2(periods) comparisons a row (8 for a week's 168
    hours) and one parameter per bound. Written as SQL because the ORM spent more time
    building a 168-branch Case(When(...)) than the database spent running the query."""
    db = connections[Post.objects.db]
    column = f"{db.ops.quote_name(Post._meta.db_table)}.{db.ops.quote_name('scheduled_at')}"
    values = [db.ops.adapt_datetimefield_value(b) for b in bounds]

    def tree(lo: int, hi: int) -> tuple[str, list[Any]]:
        if lo == hi:
            return str(lo), []
        mid = (lo + hi + 1) // 2  # the first period of the upper half starts at bounds[mid]
        below, below_params = tree(lo, mid - 1)
        above, above_params = tree(mid, hi)
        sql = f"CASE WHEN {column} < %s THEN {below} ELSE {above} END"
        return sql, [values[mid], *below_params, *above_params]

    sql, params = tree(0, len(bounds) - 2)
    # Only quoted identifiers and integer literals are written into the SQL; every time is
    # a parameter.
    return RawSQL(sql, params, output_field=IntegerField())  # noqa: S611


def calendar_cards(
    membership: Membership,
    bounds: Sequence[datetime],
    filters: PostFilter | None,
    per_bucket: int,
) -> tuple[list[dict[str, Any]], dict[int, int]]:
    """The first `per_bucket` posts (by time) of each period between consecutive `bounds`,
    as light rows (CARD_FIELDS plus "bucket"), and how many posts each period holds.

    Two queries whatever the number of posts: the database numbers the posts within each
    period and counts them (window functions) and returns only the ids to show; then
    their fields. Ranking bare ids sorts far less than ranking whole rows (a 15,000-post
    month: about half the time on SQLite)."""
    when = Q(scheduled_at__gte=bounds[0], scheduled_at__lt=bounds[-1])
    bucket = _bucket(bounds)
    order = [F("scheduled_at").asc(), F("id").asc()]
    ranked = (
        _filtered(membership, filters, when)
        .annotate(
            bucket=bucket,
            rank=Window(RowNumber(), partition_by=[bucket], order_by=order),
            total=Window(Count("id"), partition_by=[bucket]),
        )
        .filter(rank__lte=per_bucket)
        .order_by()  # no need to sort what comes back: its fields are fetched in order
        .values_list("id", "bucket", "total")
    )
    picked: dict[int, int] = {}
    totals: dict[int, int] = {}
    for pk, index, total in ranked:
        picked[pk] = index
        totals[index] = total
    if not picked:
        return [], {}
    rows = list(
        Post.objects.filter(pk__in=list(picked))
        .annotate(excerpt=Substr("text", 1, EXCERPT_CHARS))
        .order_by("scheduled_at", "id")
        .values(*CARD_FIELDS)
    )
    for row in rows:
        row["bucket"] = picked[row["id"]]
    return rows, totals


def calendar_page(
    membership: Membership,
    start: datetime,
    end: datetime,
    filters: PostFilter | None,
    offset: int,
    limit: int,
    include_unscheduled: bool = False,
) -> tuple[list[dict[str, Any]], int]:
    """One page of the posts planned between start and end (by time; posts without a time
    last when included), as light rows, and how many there are in all. Two queries."""
    when = Q(scheduled_at__gte=start, scheduled_at__lt=end)
    qs = _filtered(membership, filters, when, include_unscheduled)
    total = qs.count()
    rows = list(
        qs.annotate(excerpt=Substr("text", 1, EXCERPT_CHARS))
        .order_by(F("scheduled_at").asc(nulls_last=True), "id")
        .values(*CARD_FIELDS)[offset : offset + limit]
    )
    return rows, total


def card_channels(post_ids: Sequence[int]) -> dict[int, list[tuple[str, str]]]:
    """(name, network) of each post's channels, by name, for the cards shown."""
    found: dict[int, list[tuple[str, str]]] = {}
    rows = (
        Delivery.objects.filter(post_id__in=list(post_ids))
        .order_by("channel__name", "channel_id")
        .values_list("post_id", "channel__name", "channel__network")
    )
    for post_id, name, network in rows:
        found.setdefault(post_id, []).append((name, network))
    return found


def channels_without_queue_slots(membership: Membership, channel_ids: Sequence[int]) -> list[Any]:
    """Of these channels the member may use, those with no queue slot yet, by name."""
    return list(
        channels_visible_to(membership)
        .filter(pk__in=list(channel_ids), queue_slots__isnull=True)
        .order_by("name", "id")
        .only("id", "name")
    )


def card_media(post_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """Each post's first image (id and alt text), for the cards shown: one query."""
    found: dict[int, dict[str, Any]] = {}
    rows = (
        PostMedia.objects.filter(post_id__in=list(post_ids))
        .order_by("post_id", "position", "id")
        .values("post_id", "asset_id", "asset__alt_text")
    )
    for row in rows:
        found.setdefault(row["post_id"], dict(row))
    return found


def post_detail(membership: Membership, post_id: int) -> Post | None:
    return (
        posts_visible_to(membership)
        .filter(pk=post_id)
        .select_related("author", "campaign")
        .prefetch_related(
            Prefetch(
                "deliveries",
                queryset=Delivery.objects.select_related("channel").order_by("channel__name"),
            ),
            "variants",
            "tags",
            "postmedia_set__asset",
        )
        .first()
    )


def media_library(membership: Membership) -> QuerySet[MediaAsset]:
    return MediaAsset.objects.filter(workspace_id=membership.workspace_id).order_by("-created_at")


def access_media(membership: Membership, media_id: int) -> MediaAsset:
    """One image of the member's workspace library (the library is workspace-wide)."""
    asset = media_library(membership).filter(pk=media_id).first()
    if asset is None:
        raise NotFound()
    return asset


def campaigns(membership: Membership) -> QuerySet[Campaign]:
    return Campaign.objects.filter(workspace_id=membership.workspace_id).order_by("name")


def tags(membership: Membership) -> QuerySet[Tag]:
    return Tag.objects.filter(workspace_id=membership.workspace_id).order_by("name")


def deliveries_failed_since(
    membership: Membership, since: datetime, limit: int
) -> tuple[list[Delivery], int]:
    """Deliveries of the member's posts that failed (planned or tried since `since`), the
    latest first: the first `limit` and how many there are. Two queries."""
    qs = Delivery.objects.filter(
        Q(due_at__gte=since) | Q(called_at__gte=since),
        post__in=posts_visible_to(membership).values("pk"),
        status=DeliveryStatus.FAILED,
    )
    found = list(
        qs.select_related("post", "channel").order_by(F("due_at").desc(nulls_last=True), "-id")[
            :limit
        ]
    )
    return found, qs.count()


def posts_published_since(
    membership: Membership, since: datetime, limit: int
) -> tuple[list[Post], int]:
    """The member's posts that went out (on at least one channel) since `since`, the
    latest first, each with `out_at`: the first `limit` and how many there are."""
    qs = (
        Post.objects.filter(
            pk__in=posts_visible_to(membership).values("pk"),
            status__in=[PostStatus.PUBLISHED, PostStatus.PARTIAL],
        )
        .annotate(
            out_at=Max(
                "deliveries__published_at",
                filter=Q(deliveries__status=DeliveryStatus.PUBLISHED),
            )
        )
        .filter(out_at__gte=since)
    )
    found: list[Post] = list(qs.select_related("author").order_by("-out_at", "-id")[:limit])
    return found, qs.count()


@dataclass(frozen=True)
class PauseState:
    """Whether the workspace's publishing is paused (the crisis switch), and which of its
    channels are paused on their own."""

    paused: bool  # the whole workspace
    reason: str = ""
    since: datetime | None = None
    by: str = ""  # who paused it (their name)
    channel_ids_paused: frozenset[int] = frozenset()
    # The channel pauses: (channel id, channel name, reason, since, by), oldest first.
    channels: tuple[tuple[int, str, str, datetime, str], ...] = ()

    @property
    def any(self) -> bool:
        return self.paused or bool(self.channel_ids_paused)


NOT_PAUSED = PauseState(paused=False)


def pause_state(workspace_id: int) -> PauseState:
    """The open pauses of the workspace, in one query."""
    pauses = list(
        PublishingPause.objects.filter(workspace_id=workspace_id, ended_at__isnull=True)
        .select_related("channel", "started_by")
        .order_by("started_at", "id")
    )
    if not pauses:
        return NOT_PAUSED
    whole = next((p for p in pauses if p.channel_id is None), None)

    def who(p: PublishingPause) -> str:
        return p.started_by.display_name if p.started_by else ""

    channels = tuple(
        (p.channel_id, p.channel.name, p.reason, p.started_at, who(p))
        for p in pauses
        if p.channel_id is not None and p.channel is not None
    )
    return PauseState(
        paused=whole is not None,
        reason=whole.reason if whole else "",
        since=whole.started_at if whole else None,
        by=who(whole) if whole else "",
        channel_ids_paused=frozenset(c[0] for c in channels),
        channels=channels,
    )


def posts_due_during(workspace_id: int, start: datetime, end: datetime) -> QuerySet[Post]:
    """Posts of the workspace with a delivery planned in [start, end) that is waiting,
    going or gone out (not drafts, not cancelled): e.g. "posts scheduled during a spike"."""
    return (
        Post.objects.filter(
            workspace_id=workspace_id,
            pk__in=Delivery.objects.filter(
                channel__workspace_id=workspace_id, due_at__gte=start, due_at__lt=end
            )
            .exclude(status__in=[DeliveryStatus.PENDING, DeliveryStatus.CANCELLED])
            .values("post_id"),
        )
        .select_related("author")
        .order_by("scheduled_at", "id")
    )


def held_by_pause(post_ids: Sequence[int]) -> dict[int, set[int]]:
    """Of these posts, the deliveries a pause holds back (waiting, on a paused channel or
    workspace), by post id: one query, whatever the count."""
    if not post_ids:
        return {}
    held: dict[int, set[int]] = {}
    rows = Delivery.objects.filter(post_id__in=list(post_ids), status=DeliveryStatus.SCHEDULED)
    for post_id, delivery_id in rows.filter(held_condition()).values_list("post_id", "id"):
        held.setdefault(post_id, set()).add(delivery_id)
    return held
