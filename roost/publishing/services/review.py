"""Every way a post gets scheduled goes through here: a member whom an approval workflow
applies to sends it for review instead (compose, the post page, the calendar and the API
alike), so nobody publishes around approval."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from roost.approvals import services as approvals
from roost.core import clock
from roost.core.exceptions import ValidationFailed
from roost.publishing import approval
from roost.publishing.models import Delivery, DeliveryStatus, Post, PostStatus
from roost.workspaces.models import Membership


def post_submit_or_schedule(
    *,
    actor: Membership,
    post: Post,
    mode: str,
    at: datetime | None,
    changes: dict[str, Any] | None = None,
    first_time: bool = False,
    resubmit: bool = False,
) -> None:
    """Send the post for approval when a workflow applies to this member; else schedule it.
    An edit keeps an approval (or a review under way) when only the time changed. A
    cancelled post had its review withdrawn (or its approval given up): it goes back into
    review only when the member asks for that (`resubmit`), never by a reschedule alone."""
    from roost.publishing.services.scheduling import schedule_deliveries

    changes = changes or {}
    plan = {"mode": mode, "at": at.isoformat() if at else None}
    workflow = approvals.needs_review(actor, "post", post)
    cancelled = post.status == PostStatus.CANCELLED
    if workflow is not None and cancelled and not resubmit:
        raise ValidationFailed(
            {
                "resubmit": [
                    _(
                        "This post was cancelled, and its review with it. Scheduling it again "
                        "starts a new review: confirm that you want to send it for review again."
                    )
                ]
            }
        )
    if workflow is not None:
        # The calendar shows a post in review at its planned time (marked at risk near it).
        post.scheduled_at = approval.plan_time(post, plan) or (
            clock.now() if mode == "now" else None
        )
        post.save(update_fields=["scheduled_at"])
    if workflow is None:
        if approvals.workflow_for(actor.workspace_id, "post", post) is not None:
            approvals.record_skip(actor=actor, kind="post", obj=post, mode=mode)
        # A review still under way would otherwise carry out its old plan when approved.
        approvals.request_cancel(
            kind="post",
            object_id=post.pk,
            actor=actor.user,
            reason=_("Scheduled without approval (allowed by their role)."),
        )
        schedule_deliveries(post=post, mode=mode, at=at, by=actor.user)
        return
    if first_time or cancelled:  # a cancelled post starts over: an old approval is void
        if cancelled:  # its channels wait in review again, not cancelled
            Delivery.objects.filter(post=post, status=DeliveryStatus.CANCELLED).update(
                status=DeliveryStatus.PENDING, error=""
            )
        approvals.request_submit(actor=actor, kind="post", obj=post, workflow=workflow, plan=plan)
        return
    if changes:
        if (
            approvals.request_reset(
                actor=actor.user,
                kind="post",
                obj=post,
                changes=changes,
                plan=plan,
                workflow=workflow,
            )
            is None
        ):
            approvals.request_submit(
                actor=actor, kind="post", obj=post, workflow=workflow, plan=plan
            )
        return
    status = approvals.latest_status(kind="post", object_id=post.pk)
    if status is None or status not in ("pending", "approved"):
        approvals.request_submit(actor=actor, kind="post", obj=post, workflow=workflow, plan=plan)
    elif not approvals.request_update_plan(kind="post", obj=post, plan=plan):
        approvals.request_reset(
            actor=actor.user,
            kind="post",
            obj=post,
            changes={"time": plan},
            plan=plan,
            workflow=workflow,
        )
    elif status == "approved":
        schedule_deliveries(post=post, mode=mode, at=at, by=actor.user)  # the approval stands
