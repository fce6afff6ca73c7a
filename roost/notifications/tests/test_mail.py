"""E-mail goes out from a task after commit, never from the thread that notifies (the
publisher, an escalation, a web request)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.db import transaction
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from roost.conftest import World
from roost.core.worker import ResilientWorker
from roost.notifications.models import Notification
from roost.notifications.services import notify

SEND_EMAIL = "roost.core.mail.send_email"


@pytest.fixture
def db_tasks(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tasks wait in the database queue until a worker runs them (the test settings run
    them at once). The in-process worker keeps the test's connection: closing it between
    tasks (as a real worker does, CONN_MAX_AGE=0 in tests) would end the test's
    transaction on PostgreSQL."""
    from django_tasks_db.management.commands import db_worker

    from roost.core import worker as worker_module

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    monkeypatch.setattr(worker_module, "close_old_connections", lambda: None)
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    settings.ROOST_BASE_URL = "https://roost.example"


def run_queue() -> None:
    """One in-process worker, until the queue is empty."""
    ResilientWorker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="w-mail",
        excluded_queue_names=[],
    ).run()


def tell(world: World, text: str) -> list[Notification]:
    return notify(
        workspace=world.a,
        recipients=[world.members["owner"].user, world.members["analyst"].user],
        kind="test.mail",
        key=f"test:{text}",
        text=text,
        url="/w/alpha/",
    )


def test_notify_enqueues_the_mail_and_sends_nothing_itself(
    world: World, db_tasks: None, django_capture_on_commit_callbacks: Any
) -> None:
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        notes = tell(world, "Your post failed: Fresh beans")

    assert len(notes) == 2
    assert mail.outbox == []  # nothing sent by the notifying thread
    queued = list(DBTaskResult.objects.filter(task_path=SEND_EMAIL))
    assert [r.status for r in queued] == [TaskResultStatus.READY] * 2
    # The message waits encrypted: no text or address in the task table.
    for row in queued:
        stored = str(row.args_kwargs)
        assert "Fresh beans" not in stored and "@alpha.test" not in stored

    run_queue()

    assert sorted(m.to[0] for m in mail.outbox) == ["analyst@alpha.test", "owner@alpha.test"]
    assert {(m.subject, m.body) for m in mail.outbox} == {
        (
            "Roost: Your post failed: Fresh beans",
            "Your post failed: Fresh beans\n\nhttps://roost.example/w/alpha/\n",
        )
    }
    statuses = DBTaskResult.objects.filter(task_path=SEND_EMAIL).values_list("status", flat=True)
    assert list(statuses) == [TaskResultStatus.SUCCESSFUL] * 2


def test_no_mail_for_work_that_was_rolled_back(
    world: World, db_tasks: None, django_capture_on_commit_callbacks: Any
) -> None:
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        tell(world, "Never mind")
        transaction.set_rollback(True)
    assert not DBTaskResult.objects.filter(task_path=SEND_EMAIL).exists()
    run_queue()
    assert mail.outbox == []


def test_a_failing_smtp_server_fails_the_mail_task_only(
    world: World, db_tasks: None, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """An SMTP error is recorded on the mail task (with the reason), the notification
    stands, and the worker goes on."""
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 2},
        }
    }
    with django_capture_on_commit_callbacks(execute=True):
        notes = tell(world, "Refused")
    run_queue()
    rows = list(DBTaskResult.objects.filter(task_path=SEND_EMAIL))
    assert [r.status for r in rows] == [TaskResultStatus.FAILED] * 2
    assert all(r.exception_class_path == "builtins.ConnectionRefusedError" for r in rows)
    assert Notification.objects.filter(pk__in=[n.pk for n in notes]).count() == 2
