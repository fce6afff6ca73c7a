"""Paid media: ad accounts, paid campaigns and their daily figures, boosts, A/B tests.

- `AdAccount`: where money is spent — an account on the Sandbox Ads (reached through a
  Sandbox channel's credentials), or one whose figures arrive as CSV exports (Meta,
  LinkedIn, Google, TikTok) or through the API. One currency per account, never mixed.
- `PaidCampaign`: a campaign on an ad account: objective, budgets, flight dates, the
  organic campaign it belongs to. `external_id` is the key imports match rows on.
- `AdDay`: one campaign's figures for one day (spend, impressions, reach, clicks,
  conversions, conversion value); unique per campaign and day, so re-importing the same
  rows changes nothing.
- `ImportRun`: one CSV upload, from preview to import (or failure).
- `Boost`: paid reach for a published post, through approvals above the threshold, created
  on the ad network exactly once (idempotency key + find before re-sending).
- `Experiment`, `Variant`, `VariantDay`: A/B tests, organic or paid, and their daily counts.
- `PaidSettings`, `CurrencyRate`: the reporting currency, the boost approval threshold,
  and explicit conversion rates into the reporting currency.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from roost.channels.models import Channel
from roost.core import clock
from roost.publishing.models import Campaign, Post
from roost.workspaces.models import Workspace


class AdSource(models.TextChoices):
    SANDBOX = "sandbox", _("Sandbox Ads")
    META = "meta", _("Meta Ads Manager")
    LINKEDIN = "linkedin", _("LinkedIn Campaign Manager")
    GOOGLE = "google", _("Google Ads")
    TIKTOK = "tiktok", _("TikTok Ads Manager")
    API = "api", _("API")


class AdAccount(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    source = models.CharField(_("source"), max_length=16, choices=AdSource.choices)
    # The account's id at the source ("act_123…"); "" for an account kept by hand.
    external_id = models.CharField(_("account id"), max_length=100, blank=True)
    currency = models.CharField(_("currency"), max_length=3)
    # Sandbox Ads: the channel whose credentials reach the ad network.
    channel = models.ForeignKey(
        Channel, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="ad_account_name_once"),
            models.UniqueConstraint(
                fields=["workspace", "source", "external_id"],
                condition=~Q(external_id=""),
                name="ad_account_external_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.currency})"


class Objective(models.TextChoices):
    AWARENESS = "awareness", _("Awareness")
    TRAFFIC = "traffic", _("Traffic")
    ENGAGEMENT = "engagement", _("Engagement")
    LEADS = "leads", _("Leads")
    SALES = "sales", _("Sales")
    VIDEO_VIEWS = "video_views", _("Video views")


class PaidCampaign(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    ad_account = models.ForeignKey(AdAccount, on_delete=models.CASCADE, related_name="campaigns")
    name = models.CharField(_("name"), max_length=200)
    # The campaign's id (or, when an export has none, its name) at the source: what
    # imports match rows on. "" for a campaign planned in Roost and not yet on a network.
    external_id = models.CharField(_("campaign id"), max_length=200, blank=True)
    objective = models.CharField(
        _("objective"), max_length=16, choices=Objective.choices, default=Objective.TRAFFIC
    )
    # In the ad account's currency. None: not planned (e.g. a campaign an import created).
    total_budget = models.DecimalField(
        _("total budget"), null=True, blank=True, max_digits=14, decimal_places=2
    )
    daily_budget = models.DecimalField(
        _("daily budget"), null=True, blank=True, max_digits=14, decimal_places=2
    )
    starts_on = models.DateField(_("first day"), null=True, blank=True)
    ends_on = models.DateField(_("last day"), null=True, blank=True)
    # The organic campaign it belongs to (its UTM tags and organic figures).
    campaign = models.ForeignKey(
        Campaign, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now, editable=False)
    # Pacing alerts: the last day one was sent, and the state it named (once a day, and
    # again only when the state changes).
    pacing_alerted_on = models.DateField(null=True, blank=True)
    pacing_alerted_state = models.CharField(max_length=16, blank=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["workspace", "ends_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["ad_account", "external_id"],
                condition=~Q(external_id=""),
                name="paid_campaign_external_once",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ImportStatus(models.TextChoices):
    PREVIEW = "preview", _("Previewed")
    IMPORTED = "imported", _("Imported")
    FAILED = "failed", _("Failed")


class ImportRun(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    ad_account = models.ForeignKey(AdAccount, on_delete=models.CASCADE, related_name="imports")
    source = models.CharField(max_length=16, choices=AdSource.choices)
    filename = models.CharField(max_length=255, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    # Where the uploaded file waits between preview and import (under MEDIA_ROOT).
    stored_path = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=16, choices=ImportStatus.choices)
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"import {self.pk} ({self.status})"


class AdDay(models.Model):
    """One campaign's figures for one day, in the ad account's currency."""

    # No index of their own: (workspace, day) and the unique (campaign, day) lead with them,
    # and every index is one more write per imported row.
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    campaign = models.ForeignKey(
        PaidCampaign, on_delete=models.CASCADE, related_name="days", db_index=False
    )
    day = models.DateField()
    spend = models.DecimalField(default=0, max_digits=14, decimal_places=2)
    impressions = models.BigIntegerField(default=0)
    reach = models.BigIntegerField(null=True, blank=True)  # not every export has it
    clicks = models.BigIntegerField(default=0)
    conversions = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    conversion_value = models.DecimalField(default=0, max_digits=14, decimal_places=2)
    # Where the figures came from: "import", "api", "sandbox".
    origin = models.CharField(max_length=16)
    import_run = models.ForeignKey(
        ImportRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["day"]
        indexes = [models.Index(fields=["workspace", "day"])]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "day"], name="ad_day_once"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.day}"


class BoostStatus(models.TextChoices):
    IN_REVIEW = "in_review", _("Waiting for approval")
    QUEUED = "queued", _("Approved, being created")
    CREATING = "creating", _("Being created on the ad network")
    ACTIVE = "active", _("Running")
    FAILED = "failed", _("Failed")
    RETURNED = "returned", _("Not approved")
    CANCELLED = "cancelled", _("Cancelled")


class Boost(models.Model):
    """Paid reach for one published post on one channel."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="+")
    ad_account = models.ForeignKey(AdAccount, on_delete=models.PROTECT, related_name="boosts")
    budget = models.DecimalField(
        _("budget"), max_digits=14, decimal_places=2
    )  # in the ad account's currency
    days = models.PositiveSmallIntegerField(_("duration in days"))
    # {"countries": ["PL", "DE"], "age_min": 18, "age_max": 65, "interests": ["coffee"]}
    audience = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=BoostStatus.choices)
    # Stable across every try: the ad network dedupes on it, and we ask for it before
    # re-sending a boost left mid-call.
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    remote_id = models.CharField(max_length=200, blank=True)
    # The paid campaign its figures land in (created with the boost).
    paid_campaign = models.ForeignKey(
        PaidCampaign, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)  # a worker's lease
    next_try_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now, editable=False)
    approved_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_try_at"])]

    def __str__(self) -> str:
        return f"boost {self.pk} of post {self.post_id} ({self.status})"


class ExperimentKind(models.TextChoices):
    ORGANIC = "organic", _("Organic: two versions of a post at matched times")
    PAID = "paid", _("Paid: a split test on the ad network")


class ExperimentMetric(models.TextChoices):
    CTR = "ctr", _("Click-through rate (clicks ÷ impressions)")
    ENGAGEMENT_RATE = "engagement_rate", _("Engagement rate (engagements ÷ impressions)")
    CONVERSION_RATE = "conversion_rate", _("Conversion rate (conversions ÷ clicks)")


class ExperimentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    RUNNING = "running", _("Running")
    DECIDED = "decided", _("Decided")
    STOPPED = "stopped", _("Stopped without a decision")


class Experiment(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=ExperimentKind.choices)
    metric = models.CharField(_("metric"), max_length=32, choices=ExperimentMetric.choices)
    hypothesis = models.TextField(_("hypothesis"), blank=True, max_length=2000)
    # Planning (docs/experiments.md): the baseline rate, the smallest relative lift worth
    # detecting, the error rates, and the sample per variant they call for.
    baseline_rate = models.FloatField(_("baseline rate"))
    min_effect = models.FloatField(_("minimum detectable effect (relative)"))
    alpha = models.FloatField(default=0.05)
    power = models.FloatField(default=0.8)
    planned_per_variant = models.PositiveBigIntegerField(null=True, blank=True)
    status = models.CharField(
        max_length=16, choices=ExperimentStatus.choices, default=ExperimentStatus.DRAFT
    )
    # Paid: where the split runs.
    ad_account = models.ForeignKey(
        AdAccount, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    paid_campaign = models.ForeignKey(
        PaidCampaign, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    remote_id = models.CharField(max_length=200, blank=True)
    # The decision when made: {"winner": "B", "effect": …, "interval": [lo, hi], …}.
    decision = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now, editable=False)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class Variant(models.Model):
    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="variants")
    label = models.CharField(max_length=20)  # "A", "B", …
    text = models.TextField(blank=True, max_length=5000)
    # Organic: the post carrying this version. Paid: the ad's id on the network.
    post = models.ForeignKey(
        Post, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    remote_id = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["label"]
        constraints = [
            models.UniqueConstraint(fields=["experiment", "label"], name="variant_label_once")
        ]

    def __str__(self) -> str:
        return f"{self.experiment_id}/{self.label}"


class VariantDay(models.Model):
    """A variant's counts for one day: trials (impressions or clicks) and successes."""

    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="days")
    day = models.DateField()
    trials = models.BigIntegerField(default=0)
    successes = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["day"]
        constraints = [models.UniqueConstraint(fields=["variant", "day"], name="variant_day_once")]

    def __str__(self) -> str:
        return f"{self.variant_id} {self.day}"


class PaidSettings(models.Model):
    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    # Figures across accounts are shown in this currency, through explicit rates only.
    currency = models.CharField(_("reporting currency"), max_length=3, default="EUR")
    # A boost above this amount (in the reporting currency) goes through approval; a boost
    # whose currency has no rate always does.
    approval_threshold = models.DecimalField(
        _("approval threshold"), max_digits=14, decimal_places=2, default=100
    )
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name_plural = "paid settings"

    def __str__(self) -> str:
        return f"paid settings of workspace {self.workspace_id}"


class CurrencyRate(models.Model):
    """1 unit of `currency` = `rate` units of the workspace's reporting currency."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    currency = models.CharField(max_length=3)
    rate = models.DecimalField(max_digits=18, decimal_places=8)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["currency"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "currency"], name="currency_rate_once")
        ]

    def __str__(self) -> str:
        return f"{self.currency} → {self.rate}"
