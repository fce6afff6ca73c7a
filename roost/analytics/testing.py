"""Test data for analytics: published deliveries and their readings, stored directly (a
published delivery needs the publisher and a network; these tests are about what comes
after)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime

from roost.analytics.models import ReportSchedule
from roost.analytics.services.recording import Reading, metrics_record, metrics_track
from roost.channels.models import Channel
from roost.publishing.models import Delivery, DeliveryStatus, Post, PostStatus
from roost.workspaces.models import Membership


def published(
    channel: Channel, at: datetime, text: str = "A post", post: Post | None = None
) -> Delivery:
    """A post published on `channel` at `at`, tracked by analytics."""
    if post is None:
        post = Post.objects.create(
            workspace=channel.workspace, text=text, status=PostStatus.PUBLISHED, scheduled_at=at
        )
    delivery = Delivery.objects.create(
        post=post,
        channel=channel,
        status=DeliveryStatus.PUBLISHED,
        idempotency_key=uuid.uuid4().hex,
        published_at=at,
        remote_id=f"r-{uuid.uuid4().hex[:12]}",
    )
    delivery.channel = channel
    metrics_track(deliveries=[delivery])
    return delivery


def read(delivery: Delivery, at: datetime, **values: int | None) -> None:
    """Record one reading of `delivery`'s counts."""
    counts: Mapping[str, int | None] = values
    metrics_record(readings=[Reading(delivery.pk, counts, at)])


def report_schedule(owner: Membership) -> ReportSchedule:
    """A report schedule of the owner's workspace (made once, by the service)."""
    from roost.analytics.services.reports import ScheduleInput, schedule_save

    found = ReportSchedule.objects.filter(workspace_id=owner.workspace_id).first()
    if found is not None:
        return found
    data = ScheduleInput(
        name="Weekly",
        sections=["daily"],
        period_days=7,
        frequency="weekly",
        hour=8,
        emails=["boss@example.com"],
    )
    return schedule_save(actor=owner, data=data)
