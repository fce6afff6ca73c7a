"""Background tasks for the inbox (django.tasks)."""

from __future__ import annotations

from django.tasks import task

from roost.inbox.services.poll import poll_all
from roost.inbox.services.webhooks import send_due


@task()
def poll_inboxes() -> int:
    """Fetch every active channel's inbox."""
    return sum(r.created for r in poll_all().values())


@task()
def send_webhooks() -> int:
    """Send outgoing webhooks that are due."""
    return send_due()


@task()
def send_approved_reply(draft_id: int) -> str:
    """Send a reply whose approval just completed (safe to run twice: the key repeats)."""
    from roost.inbox.services.replies import send_draft

    return send_draft(draft_id)
