"""An approved reply whose worker died mid-send is never silently lost: the reaper fails the
task without re-running it, the draft shows as failed with a retry, its author is told, and
the retry sends it once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from roost.channels.models import Channel
from roost.conftest import World
from roost.core import clock, reaper
from roost.inbox.models import Message, ReplyDraft
from roost.inbox.tests.test_views import inbound_message, url
from roost.networks.sandbox.testing import SandboxHandle
from roost.notifications.models import Notification
from roost.workspaces.models import AuditEntry

DB_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
SEND = "roost.inbox.tasks.send_approved_reply"
LOST = "roost.inbox.tasks.reply_send_lost"


def approved_draft(world: World, message: Message, capture: Any) -> ReplyDraft:
    """A reply that needed approval and got it (its send task not run yet)."""
    from roost.approvals.models import ApprovalRequest, Workflow, WorkflowStep
    from roost.approvals.services import approval_settings, request_decide

    found = approval_settings(world.a)
    found.require_for_inbox_replies = True
    found.save()
    workflow = Workflow.objects.create(workspace=world.a, name="Replies", kind="reply")
    step = WorkflowStep.objects.create(workflow=workflow, position=1, name="Manager")
    step.members.set([world.members["social_media_manager"]])
    client = world.client_for("community_manager")
    response = client.post(url(message, "reply"), {"text": "On its way!", "key": "rk-lost"})
    assert response.status_code == 302
    draft = ReplyDraft.objects.get(message=message)
    req = ApprovalRequest.objects.get(kind="reply", object_id=draft.pk)
    with capture(execute=False):  # the worker takes the send task later
        request_decide(req=req, decision="approve", user=world.members["social_media_manager"].user)
    draft.refresh_from_db()
    assert draft.status == "approved"
    return draft


def test_an_approved_reply_whose_worker_died_is_failed_surfaced_and_retried_once(
    world: World,
    sandbox: SandboxHandle,
    channels: list[Channel],
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    m = inbound_message(sandbox, channels[0])
    draft = approved_draft(world, m, django_capture_on_commit_callbacks)
    author = world.members["community_manager"].user
    # A worker took the send task and was killed (no heartbeat for five minutes).
    settings.TASKS = DB_BACKEND
    now = clock.now()
    send = DBTaskResult.objects.create(
        status=TaskResultStatus.RUNNING,
        task_path=SEND,
        args_kwargs={"args": [draft.pk], "kwargs": {}},
        worker_ids=["w-killed"],
        started_at=now - timedelta(minutes=5),
        run_after=get_date_max(),
        backend_name="default",
    )

    [recovery] = reaper.reap(now=now)

    send.refresh_from_db()
    assert send.status == TaskResultStatus.FAILED
    assert send.traceback.endswith("worker w-killed stopped while running this task\n")
    assert recovery.action == "handed to reply_send_lost"
    # Not re-run: the only new task is the one that surfaces the lost reply.
    followup = DBTaskResult.objects.exclude(pk=send.pk).get()
    assert (followup.task_path, followup.status) == (LOST, TaskResultStatus.READY)
    assert followup.args_kwargs == {"args": [draft.pk], "kwargs": {}}
    followup.task.call(*followup.args_kwargs["args"])

    draft.refresh_from_db()
    assert draft.status == "failed"
    assert draft.error.startswith("Roost stopped while sending this approved reply")
    note = Notification.objects.get(recipient=author, kind="inbox.reply_failed")
    assert note.text == draft.error
    assert note.url == f"/w/alpha/inbox/{m.pk}/"
    assert sandbox.stats()["by_key"].get("rk-lost") is None  # nothing went out
    # Surfacing it again (the follow-up re-run after a crash) changes nothing.
    assert followup.task.call(draft.pk) == "not waiting to be sent"
    assert Notification.objects.filter(recipient=author, kind="inbox.reply_failed").count() == 1

    # The conversation shows the failed reply with its reason and a retry.
    client = world.client_for("community_manager")
    page = client.get(url(m)).content.decode()
    assert 'data-testid="failed-replies"' in page and "On its way!" in page
    assert f'name="draft" value="{draft.pk}"' in page

    settings.TASKS = IMMEDIATE
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(m, "reply/retry"), {"draft": draft.pk})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.error) == ("sent", "")
    assert sandbox.stats()["by_key"]["rk-lost"] == 1
    sent = Message.objects.get(conversation=m.conversation, outgoing=True)
    assert sent.text.endswith("On its way!")
    assert AuditEntry.objects.filter(action="inbox.reply_retried").count() == 1
    assert 'data-testid="failed-replies"' not in client.get(url(m)).content.decode()
    # A second retry finds nothing to retry.
    assert client.post(url(m, "reply/retry"), {"draft": draft.pk}).status_code == 422
    assert sandbox.stats()["by_key"]["rk-lost"] == 1


def test_a_retried_reply_that_had_reached_the_network_is_recorded_once(
    world: World,
    sandbox: SandboxHandle,
    channels: list[Channel],
    django_capture_on_commit_callbacks: Any,
) -> None:
    """The worker stopped after the reply was sent and recorded, before the draft was marked
    sent: the retry gets the same reply back for the same key and marks the draft sent."""
    from roost.inbox.services.replies import deliver, send_draft

    m = inbound_message(sandbox, channels[0])
    draft = approved_draft(world, m, django_capture_on_commit_callbacks)
    deliver(actor=draft.author, message=m, text=draft.text, key=draft.key)  # then the kill
    assert send_draft(draft.pk) == "sent"
    draft.refresh_from_db()
    assert draft.status == "sent"
    assert Message.objects.filter(conversation=m.conversation, outgoing=True).count() == 1
    assert sandbox.stats()["by_key"]["rk-lost"] == 1


def test_only_someone_who_may_reply_can_retry_and_only_a_failed_reply(
    world: World,
    sandbox: SandboxHandle,
    channels: list[Channel],
    django_capture_on_commit_callbacks: Any,
) -> None:
    m = inbound_message(sandbox, channels[0])
    draft = approved_draft(world, m, django_capture_on_commit_callbacks)
    retry = url(m, "reply/retry")
    # Approved, not failed: nothing to retry.
    assert world.client_for("community_manager").post(retry, {"draft": draft.pk}).status_code == 422
    ReplyDraft.objects.filter(pk=draft.pk).update(status="failed", error="x")
    assert world.client_for("analyst").post(retry, {"draft": draft.pk}).status_code == 403
    draft.refresh_from_db()
    assert draft.status == "failed"
    assert world.client_for("community_manager").post(retry, {"draft": 2**63}).status_code == 422
