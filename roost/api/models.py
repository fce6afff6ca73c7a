"""What the API remembers between requests: the first answer to each idempotency key."""

from __future__ import annotations

from django.db import models

from roost.core import clock
from roost.workspaces.models import Membership


class IdempotentRequest(models.Model):
    """One `Idempotency-Key` a member used on a write, and the answer it got. A retry with
    the same key gets that answer again; the row is forgotten after a day."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)
    operation = models.CharField(max_length=100)
    # What was asked (method, path, body): the same key for a different request is refused.
    fingerprint = models.CharField(max_length=64)
    # None while the first request runs.
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    started_at = models.DateTimeField(default=clock.now)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["membership", "key"], name="idempotency_key_once")
        ]

    def __str__(self) -> str:
        return f"{self.operation} {self.key} → {self.response_status or '…'}"
