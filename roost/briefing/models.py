"""The daily stand-up brief: what happened overnight, what is trending, what got traction,
what is scheduled today, and the risks and opportunities — built from Roost's own data.

- `BriefSettings`: per workspace, when the brief is built and sent (morning time on working
  days, in the workspace's zone) and where it goes (members who opted in, outside
  addresses, a Slack- or Teams-compatible incoming webhook kept encrypted).
- `Brief`: one per workspace and local day: a JSON snapshot of the sections (so it reads
  the same later), and how its sending went.
- `ActionItem`: what the stand-up decided, on a brief, optionally assigned and due.
"""

from __future__ import annotations

from datetime import time
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from roost.core import clock, crypto
from roost.workspaces.models import Membership, Workspace

DEFAULT_TIME = time(8, 45)
WORKING_DAYS = [0, 1, 2, 3, 4]  # Monday = 0


def _working_days() -> list[int]:
    return list(WORKING_DAYS)


class BriefSettings(models.Model):
    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="+")
    enabled = models.BooleanField(_("build and send the brief every working day"), default=True)
    morning_time = models.TimeField(_("time of the stand-up"), default=DEFAULT_TIME)
    working_days = models.JSONField(_("working days"), default=_working_days)
    # Members who asked for the brief by e-mail (they still need VIEW_BRIEF to get it).
    members = models.ManyToManyField(Membership, blank=True, related_name="+")
    emails = models.JSONField(_("other e-mail addresses"), default=list, blank=True)
    webhook_encrypted = models.TextField(blank=True, editable=False)
    updated_at = models.DateTimeField(default=clock.now)

    def __str__(self) -> str:
        return f"brief settings of {self.workspace_id}"

    @property
    def webhook_url(self) -> str:
        """The incoming-webhook address, decrypted ("" when none)."""
        if not self.webhook_encrypted:
            return ""
        return str(crypto.decrypt_json(self.webhook_encrypted).get("url", ""))

    @webhook_url.setter
    def webhook_url(self, value: str) -> None:
        self.webhook_encrypted = crypto.encrypt_json({"url": value}) if value else ""


class Brief(models.Model):
    class Sending(models.TextChoices):
        NOT_SENT = "", _("Not sent")
        SENT = "sent", _("Sent")
        PARTLY = "partly", _("Partly sent")
        FAILED = "failed", _("Sending failed")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    date = models.DateField()  # the local day (workspace zone) it is the brief of
    built_at = models.DateTimeField(default=clock.now)
    since = models.DateTimeField()  # "overnight" starts here
    content: models.JSONField[dict[str, Any]] = models.JSONField(default=dict)
    # Set by the one worker that claimed the morning send (see services.briefs_send_due).
    sent_at = models.DateTimeField(null=True, blank=True)
    sending = models.CharField(max_length=8, choices=Sending.choices, blank=True, default="")
    # {"emails": n, "webhook": "ok" | "Refused: private address" | "HTTP 500" | …}
    delivery = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ("-date",)
        constraints = [
            models.UniqueConstraint(fields=("workspace", "date"), name="briefing_brief_once")
        ]

    def __str__(self) -> str:
        return f"{self.workspace_id} {self.date}"


class ActionItem(models.Model):
    brief = models.ForeignKey(Brief, on_delete=models.CASCADE, related_name="items")
    text = models.CharField(_("action"), max_length=300)
    assignee = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    due = models.DateField(_("due"), null=True, blank=True)
    done = models.BooleanField(default=False)
    done_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ("done", "created_at", "pk")

    def __str__(self) -> str:
        return self.text[:60]
