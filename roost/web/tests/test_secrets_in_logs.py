"""No secret in any log line: the flows that make or use a secret run with every logger at
DEBUG, and no record (message or arguments) may hold one of the secrets they produced."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from roost.approvals.models import Workflow, WorkflowStep
from roost.channels.models import Channel
from roost.conftest import PASSWORD, World
from roost.networks.sandbox.testing import SandboxHandle
from roost.publishing.services.compose import PostInput, post_compose
from roost.publishing.tests import conftest as publishing_fixtures

sandbox = publishing_fixtures.sandbox
APP_PASSWORD = "abcd-efgh-ijkl-mnop"
NEW_PASSWORD = "a-brand-new-passphrase-42"


class _Everything(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def every_log_record() -> Iterator[list[logging.LogRecord]]:
    """Every record from every logger at DEBUG, including those that do not propagate."""
    handler = _Everything()
    loggers = [logging.getLogger()] + [
        logger
        for logger in logging.root.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    saved = [(logger, logger.level) for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        if logger is logging.getLogger() or not logger.propagate:
            logger.addHandler(handler)
    yield handler.records
    for logger, level in saved:
        logger.setLevel(level)
        if handler in logger.handlers:
            logger.removeHandler(handler)


def one(pattern: str, text: str) -> str:
    found = re.findall(pattern, text)
    assert len(set(found)) == 1, (pattern, found)
    return str(found[0])


def test_no_secret_reaches_any_log_record(
    world: World,
    sandbox: SandboxHandle,
    every_log_record: list[logging.LogRecord],
    django_capture_on_commit_callbacks: Any,
) -> None:
    owner = world.client_for("owner")
    secrets: dict[str, str] = {"login password": PASSWORD, "new password": NEW_PASSWORD}
    mail.outbox.clear()

    # Invite: created, e-mailed, opened.
    with django_capture_on_commit_callbacks(execute=True):
        owner.post("/w/alpha/team/invites/", {"email": "guest@alpha.test", "roles": ["analyst"]})
    secrets["invite"] = one(r"/invite/(inv_[\w-]+)/", mail.outbox[-1].body)
    assert Client().get(f"/invite/{secrets['invite']}/").status_code == 200

    # Password reset: asked for, opened, used; and a login with a wrong then the new password.
    anonymous = Client()
    anonymous.post("/password-reset/", {"email": "analyst@alpha.test"})
    path = one(r"https?://[^/\s]+(/password-reset/[\w-]+/[\w-]+/)", mail.outbox[-1].body)
    secrets["reset token"] = path.rstrip("/").rsplit("/", 1)[1]
    form_url = anonymous.get(path, follow=True).redirect_chain[-1][0]
    anonymous.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert anonymous.post(
        "/login/", {"username": "analyst@alpha.test", "password": PASSWORD}
    ).status_code == (200)
    assert anonymous.post(
        "/login/", {"username": "analyst@alpha.test", "password": NEW_PASSWORD}
    ).status_code == (302)

    # Webhook endpoint: its signing secret is shown once.
    page = owner.post(
        "/w/alpha/inbox/settings/webhooks/",
        {"name": "CRM", "url": "https://hooks.example.com/roost"},
    )
    secrets["webhook secret"] = one(r'value="(whsec_[\w-]+)"', page.content.decode())

    # API token: created, then used (and a wrong one refused).
    page = owner.post("/w/alpha/tokens/", {"name": "ci", "scopes": ["read"]})
    secrets["api token"] = one(r'token-secret">(roost_[\w-]+)<', page.content.decode())
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secrets['api token']}")
    assert api.get("/api/v1/me").status_code == 200
    wrong = Client(HTTP_AUTHORIZATION=f"Bearer {secrets['api token']}x")
    assert wrong.get("/api/v1/me").status_code == 401

    # Channels: a Sandbox account connected (its token is a credential), and a Bluesky
    # app password sent to a server that does not answer.
    manager = world.client_for("social_media_manager")
    manager.post("/w/alpha/channels/connect/sandbox/", {"name": "Logged Sandbox"})
    channel = Channel.objects.get(workspace=world.a, name="Logged Sandbox")
    secrets["sandbox token"] = channel.credentials["token"]
    manager.post(
        "/w/alpha/channels/connect/bluesky/",
        {
            "service_url": "http://127.0.0.1:9",
            "handle": "someone.test",
            "app_password": APP_PASSWORD,
        },
    )
    secrets["app password"] = APP_PASSWORD

    # An outside approver's review link: e-mailed, opened.
    workflow = Workflow.objects.create(workspace=world.a, name="Outside review")
    WorkflowStep.objects.create(
        workflow=workflow, position=1, name="Legal", external_emails=["legal@outside.test"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        post_compose(
            actor=world.members["content_creator"],
            data=PostInput(text="Needs legal", channel_ids=[world.a_channel.pk]),
            mode="now",
        )
    secrets["review link"] = one(r"/review/(apl_[\w-]+)/", mail.outbox[-1].body)
    assert Client().get(f"/review/{secrets['review link']}/").status_code == 200

    # Calendar feed: made, then fetched.
    page = owner.post("/w/alpha/calendar/feed/rotate/")
    secrets["calendar feed"] = one(r"/ics/(cal_[\w-]+)\.ics", page.content.decode())
    assert Client().get(f"/ics/{secrets['calendar feed']}.ics").status_code == 200

    assert every_log_record, "the flows logged nothing: the capture is broken"
    for record in every_log_record:
        trace = record.exc_text or (
            logging.Formatter().formatException(record.exc_info) if record.exc_info else ""
        )
        text = f"{record.getMessage()} {record.args!r} {trace} {record.stack_info or ''}"
        leaked = [what for what, secret in secrets.items() if secret in text]
        assert not leaked, (leaked, record.name, text[:300])
