"""Sending: the webhook through the outbound guard (refusals recorded), the e-mail."""

from __future__ import annotations

import json
from datetime import time
from typing import Any

import httpx
import pytest
from django.core import mail

from roost.briefing import services
from roost.briefing.models import Brief
from roost.briefing.tests.conftest import NOW
from roost.core.exceptions import ValidationFailed
from roost.workspaces.models import Membership


def _webhook(owner: Membership, url: str) -> None:
    settings = services.settings_for(owner.workspace)
    settings.webhook_url = url  # stored as is: the guard must still refuse on sending
    settings.save()


def test_a_private_webhook_is_refused_and_recorded(owner: Membership) -> None:
    _webhook(owner, "http://127.0.0.1:9/hook")
    assert services.briefs_send_due(now=NOW) == 1
    brief = Brief.objects.get(workspace=owner.workspace)
    assert brief.delivery == {"emails": 0, "webhook": "Refused: loopback address"}
    assert brief.sending == "failed"
    assert services.settings_for(owner.workspace).webhook_encrypted.startswith("gAAAA")


def test_settings_refuse_a_private_webhook_and_keep_nothing(owner: Membership) -> None:
    data = services.SettingsInput(
        enabled=True,
        morning_time=time(9, 0),
        working_days=[0, 1, 2, 3, 4],
        emails=["boss@example.com", "not-an-address"],
        webhook_url="http://10.0.0.5/hook",
    )
    with pytest.raises(ValidationFailed) as caught:
        services.settings_save(actor=owner, data=data)
    assert set(caught.value.errors) == {"emails", "webhook_url"}
    assert caught.value.errors["emails"] == ["Not an e-mail address: not-an-address."]
    settings = services.settings_for(owner.workspace)
    assert (settings.morning_time, settings.webhook_encrypted) == (time(8, 45), "")


def test_webhook_posts_slack_compatible_text(
    owner: Membership, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, text="ok")

    def client(**kw: Any) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(handler), **kw)

    # The network edge: the guarded client is replaced by one answering like Slack.
    monkeypatch.setattr(services.outbound, "guarded_httpx_client", client)
    _webhook(owner, "https://hooks.slack.example/services/T/B/X")
    assert services.briefs_send_due(now=NOW) == 1
    assert [str(r.url) for r in sent] == ["https://hooks.slack.example/services/T/B/X"]
    body = json.loads(sent[0].content)
    assert list(body) == ["text"]
    assert body["text"].startswith(
        "Daily brief for Brief, 2031-03-13\n\nWhat happened overnight (4 min)\n"
    )
    brief = Brief.objects.get(workspace=owner.workspace)
    assert (brief.sending, brief.delivery) == ("sent", {"emails": 0, "webhook": "ok"})


def test_email_has_text_and_html(
    owner: Membership, django_capture_on_commit_callbacks: Any
) -> None:
    services.subscription_set(actor=owner, on=True)
    settings = services.settings_for(owner.workspace)
    settings.emails = ["boss@example.com"]
    settings.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.briefs_send_due(now=NOW) == 1
    assert sorted(m.to[0] for m in mail.outbox) == ["boss@example.com", "lead@brief.test"]
    message = mail.outbox[0]
    assert message.subject == "Daily brief: Brief, 2031-03-13"
    lines = message.body.splitlines()
    assert lines[:4] == [
        "Daily brief for Brief, 2031-03-13",
        "",
        "What happened overnight (4 min)",
        "  A quiet night: nothing new.",
    ]
    assert lines[-1] == "Open it in Roost: http://127.0.0.1:8000/w/brief/brief/2031-03-13/"
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "<h2" in html and "Scheduled today" in html
    assert 'href="http://127.0.0.1:8000/w/brief/brief/2031-03-13/"' in html


def test_a_member_who_loses_the_permission_gets_no_email(
    owner: Membership, django_capture_on_commit_callbacks: Any
) -> None:
    from roost.conftest import make_user, seed_member

    care = seed_member(owner.workspace, make_user("care@brief.test"), ["customer_care"])
    services.settings_for(owner.workspace).members.add(care)
    assert services.recipients(services.settings_for(owner.workspace)) == []


def test_rotate_secrets_reencrypts_the_webhook(owner: Membership) -> None:
    _webhook(owner, "https://hooks.slack.example/services/T/B/X")
    before = services.settings_for(owner.workspace).webhook_encrypted
    assert services.webhooks_reencrypt() == (1, 0)
    after = services.settings_for(owner.workspace)
    assert after.webhook_encrypted != before
    assert after.webhook_url == "https://hooks.slack.example/services/T/B/X"
