"""Background tasks for the inbox (django.tasks). Each declares what may happen to it after
its worker died mid-run (see roost/core/tasks.py)."""

from __future__ import annotations

from django.tasks import task

from roost.core.tasks import one_shot, recoverable
from roost.inbox.services.poll import poll_all
from roost.inbox.services.webhooks import send_due


@recoverable  # polls resume from stored cursors; ingestion skips items it already has
@task()
def poll_inboxes() -> int:
    """Fetch every active channel's inbox."""
    return sum(r.created for r in poll_all().values())


@recoverable  # deliveries are claimed with a lease: a half-sent one is retried (at least once)
@task()
def send_webhooks() -> int:
    """Send outgoing webhooks that are due."""
    return send_due()


@recoverable  # deletes presence rows nobody refreshed for an hour
@task()
def sweep_presence() -> int:
    """Forget who was looking at which message, once nobody refreshes it (a recurring job)."""
    from roost.inbox.services.collab import presence_sweep

    return presence_sweep()


@recoverable  # a conditional update (approved → failed) and a notification keyed per draft
@task()
def reply_send_lost(draft_id: int) -> str:
    """The worker sending an approved reply stopped mid-way: show the draft as failed, with a
    retry, and tell its author."""
    from roost.inbox.services.replies import send_draft_lost

    return send_draft_lost(draft_id)


# Not re-run: the reply may already be on the network, and not every Mastodon-API server
# honours the idempotency key (Mastodon itself only for an hour): a person decides.
@one_shot(lost=reply_send_lost)
@task()
def send_approved_reply(draft_id: int) -> str:
    """Send a reply whose approval just completed."""
    from roost.inbox.services.replies import send_draft

    return send_draft(draft_id)
