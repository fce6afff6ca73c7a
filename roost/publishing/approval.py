"""Posts as approvable things: the adapter the approval engine calls."""

from __future__ import annotations

import zoneinfo
from collections.abc import Collection
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from roost.approvals.registry import register
from roost.core.exceptions import RoostError
from roost.publishing.models import Delivery, DeliveryStatus, Post, PostStatus
from roost.publishing.selectors import posts_visible_to
from roost.workspaces.models import Membership
from roost.workspaces.roles import Perm


def snapshot(post: Post) -> dict[str, Any]:
    """What reviewers approve: the words, the images, where it goes."""
    taken: dict[str, Any] = {
        "text": post.text,
        "thread": list(post.thread),
        "variants": {str(v.channel_id): v.text for v in post.variants.all() if v.text},
        "media": [pm.asset_id for pm in post.postmedia_set.order_by("position")],
        "alt_texts": [pm.asset.alt_text for pm in post.postmedia_set.select_related("asset")],
        "channels": sorted(post.deliveries.values_list("channel_id", flat=True)),
    }
    # Channels' own threads, only when there are some (older snapshots have no such key).
    own = {str(v.channel_id): v.thread for v in post.variants.all() if v.thread is not None}
    if own:
        taken["variant_threads"] = own
    return taken


def changes_between(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    return {
        key: {"before": before.get(key), "after": after.get(key)}
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def plan_time(post: Post, plan: dict[str, Any]) -> datetime | None:
    if plan.get("mode") != "at" or not plan.get("at"):
        return None
    moment = datetime.fromisoformat(plan["at"])
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zoneinfo.ZoneInfo(post.workspace.timezone))
    return moment


class PostApprovable:
    kind = "post"

    def load(self, object_id: int) -> Post | None:
        return Post.objects.select_related("workspace", "author").filter(pk=object_id).first()

    def load_many(self, object_ids: Collection[int]) -> dict[int, Post]:
        return Post.objects.select_related("workspace", "author").in_bulk(list(object_ids))

    def workspace_id(self, obj: Post) -> int:
        return obj.workspace_id

    def visible_ids(
        self, member: Membership, object_ids: Collection[int] | QuerySet[Any]
    ) -> set[int]:
        """The posts the member may open: content rights, and the channel access of
        posts_visible_to (a post to at least one of their channels, or their own)."""
        if not member.has_perm(Perm.VIEW_CONTENT):
            return set()
        wanted = object_ids if isinstance(object_ids, QuerySet) else list(object_ids)
        found = posts_visible_to(member).filter(pk__in=wanted)
        return set(found.values_list("pk", flat=True))

    def title(self, obj: Post) -> str:
        text = obj.text.strip().replace("\n", " ")
        return (text[:77] + "…") if len(text) > 80 else (text or _("(post without text)"))

    def url(self, obj: Post) -> str:
        return reverse("publishing:post", args=[obj.workspace.slug, obj.pk])

    def snapshot(self, obj: Post) -> dict[str, Any]:
        return snapshot(obj)

    def scope(self, obj: Post) -> tuple[list[int], int | None]:
        return list(obj.deliveries.values_list("channel_id", flat=True)), obj.campaign_id

    def author(self, obj: Post) -> Any:
        return obj.author

    def planned_at(self, obj: Post, plan: dict[str, Any]) -> datetime | None:
        return plan_time(obj, plan)

    def on_submitted(self, obj: Post) -> None:
        Delivery.objects.filter(
            post=obj,
            status__in=[DeliveryStatus.SCHEDULED, DeliveryStatus.WAITING_RECONNECT],
        ).update(status=DeliveryStatus.PENDING)
        Post.objects.filter(pk=obj.pk).update(status=PostStatus.IN_REVIEW)
        obj.status = PostStatus.IN_REVIEW

    def on_approved(self, obj: Post, plan: dict[str, Any]) -> str:
        """Carry out the approved plan, unless the post left review meanwhile: a cancelled
        post stays cancelled (the message, recorded with the approval, says why)."""
        from roost.publishing.services.scheduling import schedule_deliveries

        status = Post.objects.filter(pk=obj.pk).values_list("status", flat=True).first()
        if status == PostStatus.CANCELLED:
            return _("Approved, but the post was cancelled meanwhile: it was not scheduled.")
        if status in (PostStatus.PUBLISHING, PostStatus.PUBLISHED, PostStatus.PARTIAL):
            return _("Approved, but the post has already gone out: nothing was scheduled.")
        mode = plan.get("mode") or "now"
        at = datetime.fromisoformat(plan["at"]) if plan.get("at") else None
        try:
            schedule_deliveries(post=obj, mode=mode, at=at, by=None)
        except RoostError as exc:
            Post.objects.filter(pk=obj.pk).update(status=PostStatus.DRAFT)
            detail = "; ".join(m for ms in getattr(exc, "errors", {}).values() for m in ms)
            return _("Approved, but it could not be scheduled: %(why)s") % {
                "why": detail or exc.message
            }
        if mode == "now":
            return _("It publishes now.")
        obj.refresh_from_db(fields=["scheduled_at"])
        return _("It is scheduled.")

    def campaigns(self, workspace_id: int) -> dict[int, str]:
        from roost.publishing.models import Campaign

        found = Campaign.objects.filter(workspace_id=workspace_id).order_by("name", "pk")
        return dict(found.values_list("pk", "name"))

    def review_details(self, obj: Post, snapshot: dict[str, Any]) -> dict[str, Any]:
        """Channel names, each channel's own text and the images (with alt) of the
        content under review, in a fixed number of queries."""
        from roost.channels.models import Channel
        from roost.publishing.models import MediaAsset

        channel_ids = [int(pk) for pk in snapshot.get("channels", [])]
        variant_ids = [int(pk) for pk in snapshot.get("variants", {})]
        names = dict(
            Channel.objects.filter(
                workspace_id=obj.workspace_id, pk__in=channel_ids + variant_ids
            ).values_list("pk", "name")
        )
        media_ids = [int(pk) for pk in snapshot.get("media", [])]
        assets = MediaAsset.objects.filter(workspace_id=obj.workspace_id).in_bulk(media_ids)
        alts = list(snapshot.get("alt_texts", []))
        images = []
        for i, pk in enumerate(media_ids):
            if pk in assets:
                alt = alts[i] if i < len(alts) else assets[pk].alt_text
                url = reverse("publishing:media_file", args=[obj.workspace.slug, pk])
                images.append({"url": url, "alt": alt})
        gone = _("(a channel no longer connected)")
        return {
            "channels": [names.get(pk, gone) for pk in channel_ids],
            "texts": [
                (names.get(int(pk), gone), text)
                for pk, text in sorted(
                    snapshot.get("variants", {}).items(), key=lambda kv: names.get(int(kv[0]), "")
                )
            ],
            "images": images,
        }

    def on_returned(self, obj: Post) -> None:
        Delivery.objects.filter(
            post=obj, status__in=[DeliveryStatus.SCHEDULED, DeliveryStatus.WAITING_RECONNECT]
        ).update(status=DeliveryStatus.PENDING)
        Post.objects.filter(pk=obj.pk).update(status=PostStatus.DRAFT)


register(PostApprovable())
