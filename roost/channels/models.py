"""Connected social profiles: encrypted credentials, health, rate-limit state, and which
members may use each one."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from roost.core import clock, crypto
from roost.workspaces.models import Membership, Workspace


class ChannelStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    NEEDS_RECONNECT = "needs_reconnect", _("Needs reconnect")
    DISCONNECTED = "disconnected", _("Disconnected")


class Channel(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="channels")
    network = models.CharField(_("network"), max_length=32)
    name = models.CharField(_("name"), max_length=100)
    handle = models.CharField(_("handle"), max_length=255, blank=True)
    remote_id = models.CharField(max_length=255, blank=True)
    profile_url = models.URLField(max_length=500, blank=True)
    config = models.JSONField(default=dict, blank=True)
    credentials_encrypted = models.TextField(blank=True, editable=False)
    status = models.CharField(
        max_length=20, choices=ChannelStatus.choices, default=ChannelStatus.ACTIVE
    )
    status_reason = models.CharField(max_length=500, blank=True)
    timezone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        help_text=_("Empty: the workspace's time zone."),
    )
    rate_limited_until = models.DateTimeField(null=True, blank=True)
    # Background work on this channel fails on its own, and is shown here: the last error in
    # words, when the failures in a row began, and how many. Cleared by the next success.
    poll_error = models.CharField(max_length=500, blank=True)
    poll_failing_since = models.DateTimeField(null=True, blank=True)
    poll_failures = models.PositiveIntegerField(default=0)
    metrics_error = models.CharField(max_length=500, blank=True)
    metrics_failing_since = models.DateTimeField(null=True, blank=True)
    metrics_failures = models.PositiveIntegerField(default=0)
    # When the inbox is polled next (spread with jitter, later after failures); empty: now.
    next_poll_at = models.DateTimeField(null=True, blank=True)
    connected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    members = models.ManyToManyField(
        Membership,
        through="ChannelAccess",
        related_name="granted_channels",
        blank=True,
        help_text=_("Members without access to every channel see only these."),
    )
    created_at = models.DateTimeField(default=clock.now, editable=False)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["workspace", "status"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.network})"

    @property
    def credentials(self) -> dict[str, Any]:
        return crypto.decrypt_json(self.credentials_encrypted)

    def set_credentials(self, value: dict[str, Any]) -> None:
        self.credentials_encrypted = crypto.encrypt_json(value)

    @property
    def tz_name(self) -> str:
        return self.timezone or self.workspace.timezone

    @property
    def is_sandbox(self) -> bool:
        return self.network == "sandbox"


class ChannelAccess(models.Model):
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE)
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE)
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "membership"], name="channel_access_once")
        ]

    def __str__(self) -> str:
        return f"{self.membership_id} → {self.channel_id}"
