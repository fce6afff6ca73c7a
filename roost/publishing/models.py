"""Posts, their per-channel variants, media, campaigns, queue slots, and deliveries
(one per post and channel: the unit the publisher claims, sends and records)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from roost.channels.models import Channel
from roost.core import clock
from roost.workspaces.models import Workspace


class Campaign(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="campaigns")
    name = models.CharField(_("name"), max_length=100)
    utm_source = models.CharField(_("utm_source"), max_length=100, blank=True)
    utm_medium = models.CharField(_("utm_medium"), max_length=100, blank=True)
    utm_campaign = models.CharField(_("utm_campaign"), max_length=100, blank=True)
    utm_term = models.CharField(_("utm_term"), max_length=100, blank=True)
    utm_content = models.CharField(_("utm_content"), max_length=100, blank=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="campaign_name_once")
        ]

    def __str__(self) -> str:
        return self.name

    def utm(self) -> dict[str, str]:
        pairs = {
            "utm_source": self.utm_source,
            "utm_medium": self.utm_medium,
            "utm_campaign": self.utm_campaign,
            "utm_term": self.utm_term,
            "utm_content": self.utm_content,
        }
        return {k: v for k, v in pairs.items() if v}


class Tag(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(_("name"), max_length=50)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="tag_name_once")]

    def __str__(self) -> str:
        return self.name


# The stored file's extension, from the type Pillow detected in the bytes.
MEDIA_EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
}


# Thumbnails fit in this square: sharp at twice the size pages show them (library: 160 px).
THUMB_SIDE = 320


def media_path(instance: MediaAsset, filename: str) -> str:
    """A random name whose extension follows the sniffed type, never the client's name."""
    ext = MEDIA_EXTENSIONS.get(instance.mime_type, "bin")
    return f"media/{instance.workspace_id}/{uuid.uuid4().hex}.{ext}"


class MediaAsset(models.Model):
    """An image in the workspace's media library, checked on upload."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="media")
    file = models.FileField(upload_to=media_path)
    original_name = models.CharField(max_length=255)
    mime_type = models.CharField(max_length=50)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField()
    alt_text = models.TextField(_("alt text"), blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def thumb_size(self) -> tuple[int, int]:
        """The thumbnail's width and height (within a pixel of Pillow's): pages set them on
        <img> so the layout does not jump while images load."""
        scale = min(1.0, THUMB_SIDE / max(self.width, self.height, 1))
        return max(1, round(self.width * scale)), max(1, round(self.height * scale))

    @property
    def thumb_width(self) -> int:
        return self.thumb_size[0]

    @property
    def thumb_height(self) -> int:
        return self.thumb_size[1]


class PostStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    SCHEDULED = "scheduled", _("Scheduled")
    PUBLISHING = "publishing", _("Publishing")
    PUBLISHED = "published", _("Published")
    PARTIAL = "partial", _("Partly published")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class Post(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="posts"
    )
    text = models.TextField(_("text"), blank=True)
    # Further parts of a thread (text only); the first part is `text` with `media`.
    thread = models.JSONField(_("thread"), default=list, blank=True)
    media = models.ManyToManyField(MediaAsset, through="PostMedia", blank=True, related_name="+")
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="posts"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="posts")
    options = models.JSONField(default=dict, blank=True)  # visibility, content warning, …
    status = models.CharField(max_length=20, choices=PostStatus.choices, default=PostStatus.DRAFT)
    scheduled_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["scheduled_at", "id"]
        indexes = [models.Index(fields=["workspace", "scheduled_at"])]

    def __str__(self) -> str:
        return self.text[:60] or f"Post {self.pk}"

    @property
    def review_at_risk(self) -> bool:
        """Still in review with its planned time less than two hours away (or past)."""
        return (
            self.status == PostStatus.IN_REVIEW
            and self.scheduled_at is not None
            and self.scheduled_at <= clock.now() + timedelta(hours=2)
        )


class PostMedia(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE)
    asset = models.ForeignKey(MediaAsset, on_delete=models.PROTECT)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["post", "asset"], name="media_once_per_post")
        ]

    def __str__(self) -> str:
        return f"{self.post_id}:{self.position}"


class PostVariant(models.Model):
    """The post as one channel gets it. `text` empty means: follow the main text; `thread`
    None means: follow the main thread, a list (even empty) is this channel's own."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="variants")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(blank=True)
    # A Polish channel gets Polish further parts (or none), not the English thread.
    thread = models.JSONField(_("thread"), null=True, blank=True, default=None)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "channel"], name="variant_once_per_channel")
        ]

    def __str__(self) -> str:
        return f"{self.post_id}@{self.channel_id}"

    @property
    def customized(self) -> bool:
        return bool(self.text) or self.thread is not None


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Not scheduled")  # a draft or a post in review
    SCHEDULED = "scheduled", _("Scheduled")
    SENDING = "sending", _("Publishing")
    PUBLISHED = "published", _("Published")
    FAILED = "failed", _("Failed")
    WAITING_RECONNECT = "waiting_reconnect", _("Waiting for reconnect")
    CANCELLED = "cancelled", _("Cancelled")


class Delivery(models.Model):
    """One post to one channel, exactly once."""

    # No index of its own: one_delivery_per_channel (post, channel) serves lookups by post.
    # Every claim and outcome rewrites the row and so each of its indexes; fewer is faster.
    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="deliveries", db_index=False
    )
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(
        max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    # Stable across retries: the network (or find_existing) recognises a repeat by it.
    # Unique by a constraint, not unique=True: on PostgreSQL the field would also get a
    # LIKE index (varchar_pattern_ops) that nothing uses.
    idempotency_key = models.CharField(max_length=64)
    due_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    first_attempt_at = models.DateTimeField(null=True, blank=True)
    # A claim: which worker holds it, since when, under which token.
    claim_token = models.CharField(max_length=32, blank=True)
    claimed_by = models.CharField(max_length=64, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # The last try may have landed (a crash or timeout mid-call): ask the network first.
    in_doubt = models.BooleanField(default=False)
    remote_id = models.CharField(max_length=500, blank=True)
    remote_url = models.URLField(max_length=500, blank=True)
    part_ids = models.JSONField(default=list, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    called_at = models.DateTimeField(null=True, blank=True)  # start of the last network call
    error = models.CharField(max_length=1000, blank=True)
    metrics = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "channel"], name="one_delivery_per_channel"),
            models.UniqueConstraint(fields=["idempotency_key"], name="one_delivery_per_key"),
        ]
        indexes = [
            # The claim's order (next_attempt_at, id): PostgreSQL reads the first due rows
            # in index order and stops (SQLite's indexes end with the rowid anyway).
            models.Index(fields=["status", "next_attempt_at", "id"]),
            models.Index(fields=["status", "claimed_at"]),
        ]
        verbose_name_plural = "deliveries"

    def __str__(self) -> str:
        return f"{self.post_id}→{self.channel_id} {self.status}"

    @property
    def earlier_try_at(self) -> datetime | None:
        """When an earlier try of this delivery began; None on its first try. A claim sets
        `first_attempt_at` to the claim's own time only when no try came before, so the
        first try is the one whose first attempt is this claim. Connectors ask the network
        what landed only after an earlier try (a first try costs one request)."""
        if self.first_attempt_at is None or self.first_attempt_at == self.claimed_at:
            return None
        return self.first_attempt_at


class QueueSlot(models.Model):
    """A weekly time at which the channel's queue publishes, in the channel's time zone."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="queue_slots")
    weekday = models.PositiveSmallIntegerField()  # Monday = 0
    time = models.TimeField()

    class Meta:
        ordering = ["weekday", "time"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "weekday", "time"], name="slot_once")
        ]

    def __str__(self) -> str:
        return f"{self.weekday} {self.time:%H:%M}"


class CalendarFeed(models.Model):
    """The secret address of a workspace's calendar feed (ICS). Only a hash of the secret is
    kept: the address is shown once, when it is created or replaced."""

    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=clock.now)

    def __str__(self) -> str:
        return f"calendar feed of {self.workspace_id}"


class PublishingPause(models.Model):
    """The crisis switch: while open (no `ended_at`) nothing is sent to the workspace's
    channels (`channel` empty) or to one channel. The publisher's claim excludes them."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="publishing_pauses"
    )
    channel = models.ForeignKey(
        Channel, null=True, blank=True, on_delete=models.CASCADE, related_name="pauses"
    )
    reason = models.CharField(_("reason"), max_length=500)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(default=clock.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            # At most one open pause per workspace, and one per channel (two constraints:
            # NULL channels never collide in a unique index).
            models.UniqueConstraint(
                fields=["workspace"],
                condition=models.Q(ended_at__isnull=True, channel__isnull=True),
                name="one_open_workspace_pause",
            ),
            models.UniqueConstraint(
                fields=["channel"],
                condition=models.Q(ended_at__isnull=True, channel__isnull=False),
                name="one_open_channel_pause",
            ),
        ]

    def __str__(self) -> str:
        scope = f"channel {self.channel_id}" if self.channel_id else "all channels"
        return f"pause of {scope} in {self.workspace_id}"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None
