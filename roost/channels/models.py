"""Connected social profiles. Connecting arrives with publishing; the per-member access
relation is here from the start so roles and channels can be combined."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from roost.core import clock
from roost.workspaces.models import Membership, Workspace


class Channel(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="channels")
    network = models.CharField(_("network"), max_length=32)
    name = models.CharField(_("name"), max_length=100)
    handle = models.CharField(_("handle"), max_length=255, blank=True)
    members = models.ManyToManyField(
        Membership,
        through="ChannelAccess",
        related_name="granted_channels",
        blank=True,
        help_text=_("Members without access to every channel see only these."),
    )
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.network})"


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
