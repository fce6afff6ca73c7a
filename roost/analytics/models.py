"""What posts and channels achieved, over time.

Three layers, so that dashboards read roll-ups and never scan history:
- `MetricSnapshot`: every reading of one delivery's counts (append-only history);
- `PostMetrics`: the latest reading per delivery (one row per post × channel);
- `ChannelDay`: per channel and day (in the workspace's zone), the sums of the latest
  counts of the posts published that day, and the channel's audience that day.

A count a network does not provide is NULL ("not available"), never 0. Counts may go
down (unlikes) and are stored as they are; roll-ups follow by adding the difference.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from roost.channels.models import Channel
from roost.core import clock
from roost.publishing.models import Campaign, Delivery, Post
from roost.workspaces.models import Membership, Workspace

# Every count Roost knows, in display order. Networks provide a subset (see
# roost.networks.base.Metrics); `link_clicks` are Roost's own short-link clicks.
METRICS = (
    "likes",
    "reposts",
    "replies",
    "quotes",
    "bookmarks",
    "impressions",
    "reach",
    "clicks",
    "video_views",
)
# Interactions: what "engagements" adds up (those the network provides).
ENGAGEMENTS = ("likes", "reposts", "replies", "quotes", "bookmarks")


class MetricSnapshot(models.Model):
    """One reading of one delivery's counts at `taken_at`. Never rewritten."""

    id = models.BigAutoField(primary_key=True)
    delivery = models.ForeignKey(
        Delivery, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    taken_at = models.DateTimeField(default=clock.now)
    likes = models.BigIntegerField(null=True, blank=True)
    reposts = models.BigIntegerField(null=True, blank=True)
    replies = models.BigIntegerField(null=True, blank=True)
    quotes = models.BigIntegerField(null=True, blank=True)
    bookmarks = models.BigIntegerField(null=True, blank=True)
    impressions = models.BigIntegerField(null=True, blank=True)
    reach = models.BigIntegerField(null=True, blank=True)
    clicks = models.BigIntegerField(null=True, blank=True)
    video_views = models.BigIntegerField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["delivery", "taken_at"])]

    def __str__(self) -> str:
        return f"delivery {self.delivery_id} at {self.taken_at:%Y-%m-%d %H:%M}"

    def values(self) -> dict[str, int | None]:
        return {name: getattr(self, name) for name in METRICS}


class PostMetrics(models.Model):
    """The latest counts of one delivery, and when to read them next."""

    delivery = models.OneToOneField(
        Delivery, on_delete=models.CASCADE, primary_key=True, related_name="analytics"
    )
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+", db_index=False)
    published_at = models.DateTimeField()
    day = models.DateField()  # published_at's date in the workspace's zone (the roll-up's day)
    likes = models.BigIntegerField(null=True, blank=True)
    reposts = models.BigIntegerField(null=True, blank=True)
    replies = models.BigIntegerField(null=True, blank=True)
    quotes = models.BigIntegerField(null=True, blank=True)
    bookmarks = models.BigIntegerField(null=True, blank=True)
    impressions = models.BigIntegerField(null=True, blank=True)
    reach = models.BigIntegerField(null=True, blank=True)
    clicks = models.BigIntegerField(null=True, blank=True)
    video_views = models.BigIntegerField(null=True, blank=True)
    engagements = models.BigIntegerField(default=0)  # sum of the ENGAGEMENTS provided
    link_clicks = models.BigIntegerField(default=0)  # Roost short links (analytics.links)
    snapshots = models.PositiveIntegerField(default=0)
    collected_at = models.DateTimeField(null=True, blank=True)
    next_collect_at = models.DateTimeField(null=True, blank=True)  # None: no more readings

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "published_at"]),
            models.Index(fields=["channel", "published_at"]),
            models.Index(fields=["next_collect_at"]),
        ]
        verbose_name_plural = "post metrics"

    def __str__(self) -> str:
        return f"delivery {self.delivery_id}: {self.engagements} engagements"

    def values(self) -> dict[str, int | None]:
        return {name: getattr(self, name) for name in METRICS}


class ChannelDay(models.Model):
    """One channel's day: its audience (a daily reading) and the sums of the latest counts
    of the posts it published that day (kept current as readings arrive)."""

    id = models.BigAutoField(primary_key=True)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField()
    followers = models.BigIntegerField(null=True, blank=True)
    following = models.BigIntegerField(null=True, blank=True)
    posts_total = models.BigIntegerField(null=True, blank=True)  # the account's post count
    posts = models.PositiveIntegerField(default=0)  # published by Roost that day, tracked here
    likes = models.BigIntegerField(null=True, blank=True)
    reposts = models.BigIntegerField(null=True, blank=True)
    replies = models.BigIntegerField(null=True, blank=True)
    quotes = models.BigIntegerField(null=True, blank=True)
    bookmarks = models.BigIntegerField(null=True, blank=True)
    impressions = models.BigIntegerField(null=True, blank=True)
    reach = models.BigIntegerField(null=True, blank=True)
    clicks = models.BigIntegerField(null=True, blank=True)
    video_views = models.BigIntegerField(null=True, blank=True)
    engagements = models.BigIntegerField(default=0)
    link_clicks = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "day"], name="one_row_per_channel_day")
        ]
        indexes = [models.Index(fields=["workspace", "day"])]

    def __str__(self) -> str:
        return f"channel {self.channel_id} on {self.day}"

    def values(self) -> dict[str, int | None]:
        return {name: getattr(self, name) for name in METRICS}


# == goals ==


class Goal(models.Model):
    """A KPI, a target and a period (days in the workspace's zone), for the workspace, one
    channel or one campaign. The KPI's version is kept: a goal is measured with the formula
    it was set with, also after the registry gains a newer one."""

    id = models.BigAutoField(primary_key=True)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    kpi_key = models.CharField(max_length=60)
    kpi_version = models.PositiveSmallIntegerField()
    target = models.FloatField()
    start = models.DateField()
    end = models.DateField()
    channel = models.ForeignKey(
        Channel, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now, editable=False)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["end", "pk"]
        indexes = [models.Index(fields=["workspace", "end"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="goal_ends_after_start"
            ),
            models.CheckConstraint(
                condition=models.Q(channel__isnull=True) | models.Q(campaign__isnull=True),
                name="goal_one_scope",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kpi_ref} ≥ {self.target:g} ({self.start}–{self.end})"

    @property
    def kpi_ref(self) -> str:
        return f"{self.kpi_key}@v{self.kpi_version}"


# == short links and ROI ==


class ShortLink(models.Model):
    """A Roost short link (`/l/<code>`): a redirect to `target` that counts clicks per post
    and channel. Nothing about the person clicking is stored: only the counter moves."""

    id = models.BigAutoField(primary_key=True)
    code = models.CharField(max_length=16, unique=True)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    # SET_NULL: a link in a post already out on a network keeps working after Roost's copy
    # of the post (or the channel) is removed; it is then counted on the link alone.
    post = models.ForeignKey(
        Post, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    channel = models.ForeignKey(
        Channel, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    delivery = models.ForeignKey(
        Delivery, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    target = models.CharField(max_length=2000)  # an http(s) URL (checked when created)
    clicks = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["workspace", "created_at"])]
        constraints = [
            # A retried delivery gets the same link for the same URL (see links.shorten_text).
            models.UniqueConstraint(fields=["delivery", "target"], name="one_link_per_delivery_url")
        ]

    def __str__(self) -> str:
        return f"/l/{self.code}"


class RoiSettings(models.Model):
    """A workspace's ROI assumptions, and whether links in posts become short links."""

    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    value_per_lead = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0.00"))
    value_per_click = models.DecimalField(
        max_digits=14, decimal_places=4, default=Decimal("0.0000")
    )
    currency = models.CharField(max_length=3, default="EUR")
    shorten_links = models.BooleanField(default=False)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name_plural = "ROI settings"

    def __str__(self) -> str:
        return f"ROI settings of workspace {self.workspace_id}"


class CampaignCost(models.Model):
    """The production cost of one campaign (paid spend comes from elsewhere: issue 14)."""

    campaign = models.OneToOneField(
        Campaign, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    production_cost = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0.00"))
    updated_at = models.DateTimeField(default=clock.now)

    def __str__(self) -> str:
        return f"campaign {self.campaign_id}: {self.production_cost}"


class ConversionSource(models.TextChoices):
    CSV = "csv", "CSV"
    API = "api", "API"


class Conversion(models.Model):
    """Conversions reported from outside (a shop, a CRM) for one day, optionally one
    campaign. `external_id` makes a re-import update the row instead of adding one."""

    id = models.BigAutoField(primary_key=True)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(
        Campaign, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    day = models.DateField()
    count = models.PositiveIntegerField(default=1)
    value = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0.00"))
    source = models.CharField(max_length=10, choices=ConversionSource.choices)
    external_id = models.CharField(max_length=100)
    created_at = models.DateTimeField(default=clock.now, editable=False)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-day", "-pk"]
        indexes = [models.Index(fields=["workspace", "day"])]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "external_id"], name="conversion_external_id_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.count} on {self.day}: {self.value}"


# == reports ==


class ReportFrequency(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")


class ReportSchedule(models.Model):
    """A report e-mailed as a PDF every week or month, at an hour of the workspace's zone,
    covering the `period_days` days before the day it is sent."""

    id = models.BigAutoField(primary_key=True)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=120)
    sections = models.JSONField(default=list)  # keys of roost.analytics.reports.SECTIONS
    period_days = models.PositiveSmallIntegerField(default=7)
    frequency = models.CharField(max_length=10, choices=ReportFrequency.choices)
    weekday = models.PositiveSmallIntegerField(default=0)  # 0 = Monday (weekly)
    day_of_month = models.PositiveSmallIntegerField(default=1)  # 1–31, capped at month end
    hour = models.PositiveSmallIntegerField(default=8)  # 0–23, workspace zone
    members = models.ManyToManyField(Membership, blank=True, related_name="+")
    emails = models.JSONField(default=list)  # outside addresses
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now, editable=False)
    next_run_at = models.DateTimeField()
    last_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["next_run_at"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.frequency})"


class ReportShare(models.Model):
    """A read-only link to a report (`/r/<token>/`) that needs no login. Only the token's
    hash is stored; the link stops working when it expires or is revoked."""

    id = models.BigAutoField(primary_key=True)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=120, blank=True)
    sections = models.JSONField(default=list)
    start = models.DateField()
    end = models.DateField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now, editable=False)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["workspace", "created_at"])]

    def __str__(self) -> str:
        return f"report link {self.pk} until {self.expires_at:%Y-%m-%d}"

    def is_active(self, now: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now
