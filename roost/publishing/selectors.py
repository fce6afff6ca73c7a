"""Reads for publishing, always scoped to a workspace (and to the member's channels)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Prefetch, Q, QuerySet

from roost.channels.selectors import channels_visible_to
from roost.core.exceptions import NotFound
from roost.publishing.models import Campaign, Delivery, MediaAsset, Post, Tag
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
