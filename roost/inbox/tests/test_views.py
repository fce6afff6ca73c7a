"""The inbox pages: filters, visibility, the pane, triage actions, replies through the real
Sandbox, collisions, presence, webhooks to a real local receiver, settings and the report."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext

from roost.channels.models import Channel
from roost.conftest import B_MARKER, World, make_channel
from roost.core import clock
from roost.inbox.models import (
    InboxRule,
    InboxSettings,
    Message,
    MessageStatus,
    Presence,
    SavedReply,
    Task,
    WebhookDelivery,
    WebhookEndpoint,
)
from roost.inbox.services import config, triage, webhooks
from roost.inbox.services.poll import poll_channels
from roost.inbox.tests.conftest import T0, put
from roost.networks.base import InboundKind
from roost.networks.sandbox.testing import SandboxHandle

URL = "/w/alpha/inbox/"
HX = {"HTTP_HX_REQUEST": "true"}


def url(message: Message, action: str = "") -> str:
    return f"{URL}{message.pk}/{action + '/' if action else ''}"


def body(response: Any) -> str:
    return response.content.decode()


# --- the list ------------------------------------------------------------------------


def test_filters_narrow_the_list_and_stay_in_the_links(world: World) -> None:
    ch = world.a_channel
    other = make_channel(world.a, "Second Sandbox")
    put(ch, "f-1", "Where is my parcel?", language="en")
    put(ch, "f-2", "Gdzie jest paczka?", language="pl", kind=InboundKind.DIRECT)
    put(other, "f-3", "Love the new flavour", author_handle="bob.sandbox", author_id="u-bob")
    done = put(ch, "f-4", "Already handled")
    owner = world.members["owner"]
    triage.message_set_status(actor=owner, message=done, complete=True)
    tagged = put(ch, "f-5", "Invoice question")
    triage.message_tag(actor=owner, message=tagged, names=["billing"])
    urgent = put(ch, "f-6", "Account hacked!")
    Message.objects.filter(pk=urgent.pk).update(priority=3)
    mine = put(ch, "f-7", "For the owner")
    triage.message_assign(actor=owner, message=mine, member_id=owner.pk)
    client = world.client_for("owner")

    def shown(**params: Any) -> set[str]:
        html = body(client.get(URL, params))
        texts = ["parcel", "paczka", "flavour", "Already handled", "Invoice", "hacked", "owner"]
        return {t for t in texts if t in html}

    assert "Already handled" not in shown()
    assert shown(status="complete") == {"Already handled"}
    assert shown(language="pl") == {"paczka"}
    assert shown(kind="direct") == {"paczka"}
    assert shown(channel=other.pk) == {"flavour"}
    assert shown(q="bob.sand") == {"flavour"}
    assert shown(tag="billing") == {"Invoice"}
    assert shown(priority=3) == {"hacked"}
    assert shown(assignee="me") == {"owner"}
    assert shown(assignee=str(owner.pk)) == {"owner"}
    assert "owner" not in shown(assignee="none")
    assert shown(group=world.a_inbox.group.pk) == set()  # only the fixture's message
    # Filters ride along on every link and action, so they survive a triage step.
    html = body(client.get(URL, {"language": "pl"}))
    assert f"{URL}{Message.objects.get(remote_id='f-2').pk}/?language=pl" in html
    pane = body(client.get(url(Message.objects.get(remote_id="f-2")) + "?language=pl"))
    assert "status/?language=pl" in pane


def test_an_unknown_filter_value_is_ignored_not_an_error(world: World) -> None:
    response = world.client_for("owner").get(URL, {"channel": "abc", "priority": "x"})
    assert response.status_code == 200
    assert "asks about pricing" in body(response)


def test_customer_care_sees_only_what_is_routed_to_them(world: World) -> None:
    hidden = put(world.a_channel, "care-1", "Not routed anywhere")
    care = world.client_for("customer_care")
    html = body(care.get(URL))
    assert "asks about pricing" in html  # routed to their group
    assert "Not routed anywhere" not in html
    assert care.get(url(hidden)).status_code == 404
    assert care.post(url(hidden, "status"), {"complete": "1"}).status_code == 404
    assert Message.objects.get(pk=hidden.pk).status == MessageStatus.OPEN
    # Routed to them in person: now they see it.
    triage.message_assign(
        actor=world.members["owner"], message=hidden, member_id=world.members["customer_care"].pk
    )
    assert "Not routed anywhere" in body(care.get(URL))
    assert B_MARKER not in body(care.get(URL))


@pytest.mark.parametrize("role", ["owner", "customer_care"])
def test_the_list_takes_a_fixed_number_of_queries(world: World, role: str) -> None:
    client = world.client_for(role)
    group = world.a_inbox.group
    owner = world.members["owner"]

    def add(n: int, start: int) -> None:
        for i in range(start, start + n):
            m = put(world.a_channel, f"q-{i}", f"Question {i}")
            Message.objects.filter(pk=m.pk).update(group=group)
            triage.message_tag(actor=owner, message=m, names=[f"t{i}", "common"])

    add(3, 0)
    client.get(URL)  # warm caches (sessions, content types)
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL).status_code == 200
    add(27, 3)
    with CaptureQueriesContext(connection) as many:
        html = body(client.get(URL))
    assert "Question 29" in html
    assert len(many) == len(few), (len(few), len(many))


# --- the pane ------------------------------------------------------------------------


def test_the_pane_shows_thread_history_tags_tasks_and_sla(world: World, monkeypatch: Any) -> None:
    ch = world.a_channel
    put(ch, "h-1", "An old complaint", created_at=T0 - timedelta(days=30))
    root = put(ch, "p-1", "Is the shop open on Sunday?")
    put(ch, "p-2", "Also: do you deliver?", kind=InboundKind.REPLY, parent_id="p-1", root_id="p-1")
    owner = world.members["owner"]
    triage.message_tag(actor=owner, message=root, names=["hours"])
    triage.task_create(actor=owner, message=root, kind="feedback", notes="Ask the shop")
    settings = triage.inbox_settings(world.a.pk)
    settings.first_response_minutes = 60
    settings.save()
    received = Message.objects.get(pk=root.pk).received_at
    client = world.client_for("owner")

    def badge(minutes: int) -> str:
        monkeypatch.setattr("roost.core.clock.now", lambda: received + timedelta(minutes=minutes))
        html = body(client.get(url(root), **HX))
        assert "<html" not in html  # the partial, not the page
        return html

    assert "First response: On time" in badge(10)
    assert "First response: At risk" in badge(50)
    html = badge(90)
    assert "First response: Breached" in html
    assert "Also: do you deliver?" in html  # the thread
    assert "An old complaint" in html  # the author's history
    assert "Ask the shop" in html and 'value="hours"' in html
    assert 'hx-trigger="load, every 5s"' in html  # presence heartbeat
    # Without htmx the same address is the whole page, list and pane.
    page = body(client.get(url(root)))
    assert "<html" in page and 'aria-current="true"' in page and "Is the shop open" in page


def test_assign_complete_tag_and_task(world: World) -> None:
    m = put(world.a_channel, "t-1", "I want to buy 500 mugs")
    cm = world.client_for("community_manager")
    care = world.members["customer_care"]
    response = cm.post(url(m, "assign") + "?status=open", {"assignee": f"m{care.pk}"})
    assert response.status_code == 302 and response["Location"] == url(m) + "?status=open"
    assert Message.objects.get(pk=m.pk).assignee_id == care.pk
    response = cm.post(url(m, "assign"), {"assignee": f"g{world.a_inbox.group.pk}"}, **HX)
    assert response.status_code == 200 and response["HX-Trigger"] == "inbox-changed"
    assert Message.objects.get(pk=m.pk).group_id == world.a_inbox.group.pk

    assert cm.post(url(m, "tags"), {"tags": "sales, big order"}).status_code == 302
    assert sorted(t.name for t in Message.objects.get(pk=m.pk).tags.all()) == [
        "big order",
        "sales",
    ]
    response = cm.post(url(m, "tasks"), {"kind": "lead", "notes": "Call back", "due": "2026-12-01"})
    assert response.status_code == 302
    task = Task.objects.get(message=m)
    assert (task.kind, task.notes) == ("lead", "Call back")
    assert task.due_at is not None and task.due_at.astimezone(world.a.tzinfo).hour == 17

    assert cm.post(url(m, "status"), {"complete": "1"}).status_code == 302
    assert Message.objects.get(pk=m.pk).status == MessageStatus.COMPLETE
    assert cm.post(url(m, "status"), {"complete": "0"}).status_code == 302
    assert Message.objects.get(pk=m.pk).status == MessageStatus.OPEN


def test_refused_actions_change_nothing(world: World) -> None:
    m = world.a_inbox.message
    creator = world.client_for("content_creator")  # may read routed items, nothing more
    sales = world.client_for("sales")  # may reply, not assign
    owner = world.members["owner"]
    assert creator.get(url(m)).status_code == 200
    assert creator.post(url(m, "assign"), {"assignee": f"m{owner.pk}"}).status_code == 403
    assert sales.post(url(m, "assign"), {"assignee": f"m{owner.pk}"}).status_code == 403
    assert creator.post(url(m, "status"), {"complete": "1"}).status_code == 403
    assert creator.post(url(m, "tags"), {"tags": "x"}).status_code == 403
    assert creator.post(url(m, "tasks"), {"kind": "lead"}).status_code == 403
    assert creator.post(url(m, "reply"), {"text": "hi"}).status_code == 403
    fresh = Message.objects.get(pk=m.pk)
    assert (fresh.assignee_id, fresh.status, fresh.tags.count()) == (None, "open", 0)
    assert not Task.objects.filter(message=m).exists()
    # Bad input: said in words, nothing saved.
    cm = world.client_for("community_manager")
    response = cm.post(url(m, "tasks"), {"kind": "party"})
    assert response.status_code == 422 and "Select a valid choice" in body(response)
    response = cm.post(url(m, "assign"), {"assignee": "m999999"})
    assert response.status_code == 422
    assert not Task.objects.filter(message=m).exists()


# --- replies through the real Sandbox -------------------------------------------------


def inbound_message(sandbox: SandboxHandle, channel: Channel) -> Message:
    """Someone writes to the channel on the Sandbox; Roost polls it in."""
    sandbox.inbound(channel.handle, 1, seed=7)
    poll_channels([channel])
    return Message.objects.filter(channel=channel, outgoing=False).latest("id")


def test_reply_goes_out_threaded_and_stops_the_clock(
    world: World, sandbox: SandboxHandle, channels: list[Channel]
) -> None:
    m = inbound_message(sandbox, channels[0])
    client = world.client_for("community_manager")
    response = client.post(url(m, "reply"), {"text": "Thanks, we are on it!", "key": "k-1"})
    assert response.status_code == 302
    sent = Message.objects.get(conversation=m.conversation, outgoing=True)
    assert sent.text == "Thanks, we are on it!"
    assert sent.sent_by == world.members["community_manager"]
    assert sent.parent_remote_id == m.remote_id
    assert Message.objects.get(pk=m.pk).first_response_at is not None
    pane = body(client.get(url(m), **HX))
    assert "Our reply" in pane and "Thanks, we are on it!" in pane


def test_a_reply_the_network_refuses_keeps_the_draft_and_says_why(
    world: World, sandbox: SandboxHandle, channels: list[Channel]
) -> None:
    m = inbound_message(sandbox, channels[0])
    draft = "Long answer " + "x" * 600
    response = world.client_for("owner").post(url(m, "reply"), {"text": draft}, **HX)
    assert response.status_code == 422
    html = body(response)
    assert "Sandbox allows 500 characters per post" in html
    assert draft in html  # still in the textarea
    assert not Message.objects.filter(conversation=m.conversation, outgoing=True).exists()


def test_a_second_answer_within_two_minutes_needs_confirmation(
    world: World, sandbox: SandboxHandle, channels: list[Channel]
) -> None:
    m = inbound_message(sandbox, channels[0])
    first = world.client_for("community_manager")
    assert first.post(url(m, "reply"), {"text": "Answer one"}).status_code == 302
    second = world.client_for("owner")
    response = second.post(url(m, "reply"), {"text": "Answer two"})
    assert response.status_code == 422
    html = body(response)
    name = world.members["community_manager"].user.display_name
    assert f"{name} answered less than a minute ago — send anyway?" in html
    assert "Answer two" in html
    assert Message.objects.filter(conversation=m.conversation, outgoing=True).count() == 1
    response = second.post(url(m, "reply"), {"text": "Answer two", "confirm": "on"})
    assert response.status_code == 302
    assert Message.objects.filter(conversation=m.conversation, outgoing=True).count() == 2


def test_saved_replies_fill_in_the_author(world: World) -> None:
    from roost.inbox.services.collab import saved_reply_create

    saved_reply_create(
        actor=world.members["owner"], name="Thanks", text="Hi {first_name}, thanks {handle}!"
    )
    html = body(world.client_for("owner").get(url(world.a_inbox.message), **HX))
    assert 'data-insert="Hi Customer, thanks @customer.sandbox!"' in html


# --- presence ------------------------------------------------------------------------


def test_others_see_who_is_viewing_or_typing(world: World) -> None:
    m = world.a_inbox.message
    owner, admin = world.client_for("owner"), world.client_for("admin")
    response = owner.post(url(m, "presence"), {"state": "typing"}, **HX)
    assert response.status_code == 200 and "is typing" not in body(response)  # not myself
    html = body(admin.post(url(m, "presence"), {"state": "viewing"}, **HX))
    assert "Alpha Owner is typing a reply" in html
    html = body(owner.post(url(m, "presence"), {}, **HX))
    assert "Alpha Admin is viewing" in html
    assert Presence.objects.filter(message=m).count() == 2
    # Someone silent for more than 15 s has left.
    Presence.objects.update(seen_at=clock.now() - timedelta(seconds=30))
    assert "is viewing" not in body(owner.post(url(m, "presence"), {}, **HX))


def test_a_heartbeat_the_database_cannot_take_is_skipped_not_a_500(
    world: World, monkeypatch: Any
) -> None:
    m = world.a_inbox.message
    admin = world.client_for("admin")
    admin.post(url(m, "presence"), {"state": "typing"}, **HX)

    def locked(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("database is locked")

    monkeypatch.setattr(Presence.objects, "update_or_create", locked)
    response = world.client_for("owner").post(url(m, "presence"), {"state": "viewing"}, **HX)

    assert response.status_code == 200
    assert "Alpha Admin is typing a reply" in body(response)  # the read still answers
    assert Presence.objects.filter(message=m).count() == 1  # the owner's beat was skipped


# --- webhooks ------------------------------------------------------------------------


def test_a_lead_task_fires_a_signed_webhook(world: World, receiver: Any) -> None:
    owner = world.members["owner"]
    endpoint, secret = config.endpoint_create(
        actor=owner, name="CRM", url="http://placeholder.test/", task_kinds=["lead"]
    )
    crm = receiver(secret=secret)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url=crm.url)
    m = put(world.a_channel, "w-1", "Do you sell wholesale?")
    client = world.client_for("community_manager")
    assert client.post(url(m, "tasks"), {"kind": "support"}).status_code == 302  # not sent
    assert client.post(url(m, "tasks"), {"kind": "lead", "notes": "Hot"}).status_code == 302
    assert webhooks.send_due() == 1
    assert len(crm.got) == 1
    got = crm.got[0]
    assert got.verified and got.event == "task.created"
    assert got.payload["task"]["kind"] == "lead" and got.payload["task"]["notes"] == "Hot"
    assert got.payload["message"]["text"] == "Do you sell wholesale?"
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert (delivery.status, delivery.response_code, delivery.attempts) == ("sent", 200, 1)


def test_a_failing_endpoint_is_retried_later_and_a_slow_one_does_not_block(
    world: World, receiver: Any, monkeypatch: Any
) -> None:
    import httpx

    monkeypatch.setattr(webhooks, "TIMEOUT", httpx.Timeout(0.5))
    owner = world.members["owner"]
    broken_ep, broken_secret = config.endpoint_create(
        actor=owner, name="Broken", url="http://x.test/", task_kinds=[]
    )
    slow_ep, slow_secret = config.endpoint_create(
        actor=owner, name="Slow", url="http://x.test/", task_kinds=[]
    )
    fine_ep, fine_secret = config.endpoint_create(
        actor=owner, name="Fine", url="http://x.test/", task_kinds=[]
    )
    broken = receiver(secret=broken_secret, status=500)
    slow = receiver(secret=slow_secret, delay=3.0)
    fine = receiver(secret=fine_secret)
    for ep, rec in ((broken_ep, broken), (slow_ep, slow), (fine_ep, fine)):
        WebhookEndpoint.objects.filter(pk=ep.pk).update(url=rec.url)
    m = put(world.a_channel, "w-2", "Broken things")
    before = clock.now()
    triage.task_create(actor=owner, message=m, kind="support")
    assert webhooks.send_due() == 3

    failed = WebhookDelivery.objects.get(endpoint=broken_ep)
    assert (failed.status, failed.attempts, failed.response_code) == ("pending", 1, 500)
    assert failed.next_attempt_at > before + timedelta(seconds=4)
    timed_out = WebhookDelivery.objects.get(endpoint=slow_ep)
    assert (timed_out.status, timed_out.attempts) == ("pending", 1)
    assert "Timeout" in timed_out.last_error
    assert WebhookDelivery.objects.get(endpoint=fine_ep).status == "sent"
    assert webhooks.send_due() == 0  # nothing is due again yet

    # The Replay button sends a delivery again now.
    client = world.client_for("owner")
    response = client.post(f"{URL}settings/deliveries/{failed.pk}/replay/")
    assert response.status_code == 302
    assert WebhookDelivery.objects.get(pk=failed.pk).next_attempt_at <= clock.now()


# --- settings and the report -----------------------------------------------------------


def test_settings_pages(world: World) -> None:
    client = world.client_for("owner")
    assert world.client_for("community_manager").get(f"{URL}settings/").status_code == 403
    response = client.post(
        f"{URL}settings/",
        {
            "first_response_minutes": "30",
            "completion_hours": "8",
            "per_member_cap": "10",
            "open_0": "09:00",
            "close_0": "17:00",
            "open_1": "10:00",
        },
    )
    assert response.status_code == 422
    assert "Give both the opening and the closing time." in body(response)
    response = client.post(
        f"{URL}settings/",
        {
            "first_response_minutes": "30",
            "completion_hours": "8",
            "per_member_cap": "10",
            "open_0": "09:00",
            "close_0": "17:00",
        },
    )
    assert response.status_code == 302
    saved = InboxSettings.objects.get(workspace=world.a)
    assert (saved.first_response_minutes, saved.business_hours) == (30, {"0": ["09:00", "17:00"]})

    response = client.post(
        f"{URL}settings/rules/",
        {
            "name": "Refunds to care",
            "keywords": "refund, money back",
            "kinds": ["direct"],
            "group": str(world.a_inbox.group.pk),
            "tag": "refund",
            "task": "support",
        },
    )
    assert response.status_code == 302
    rule = InboxRule.objects.get(name="Refunds to care")
    assert rule.when == {"keywords": ["refund", "money back"], "kinds": ["direct"]}
    assert rule.then == {"tag": "refund", "group": world.a_inbox.group.pk, "task": "support"}
    html = body(client.get(f"{URL}settings/"))
    assert "contains refund, money back" in html and "create a Support task" in html
    response = client.post(f"{URL}settings/rules/", {"name": "Does nothing"})
    assert response.status_code == 422 and "Choose at least one thing the rule does." in body(
        response
    )

    response = client.post(
        f"{URL}settings/webhooks/",
        {"name": "Help desk", "url": "https://desk.example/hook", "task_kinds": ["support"]},
    )
    assert response.status_code == 200
    secret = WebhookEndpoint.objects.get(name="Help desk").secret
    assert secret in body(response)
    assert secret not in body(client.get(f"{URL}settings/"))  # shown once

    response = client.post(
        f"{URL}settings/saved-replies/", {"name": "Thanks", "text": "Thanks {first_name}!"}
    )
    assert response.status_code == 302
    assert SavedReply.objects.filter(workspace=world.a, name="Thanks").exists()


def test_team_sla_report(world: World, monkeypatch: Any) -> None:
    now = clock.now()
    monkeypatch.setattr("roost.core.clock.now", lambda: now)
    cm = world.members["community_manager"]
    for i, minutes in enumerate([10, 20, 30, 40, 100]):
        m = put(world.a_channel, f"r-{i}", f"Report {i}")
        Message.objects.filter(pk=m.pk).update(
            received_at=now - timedelta(hours=2),
            first_response_at=now - timedelta(hours=2) + timedelta(minutes=minutes),
        )
        triage.message_set_status(actor=cm, message=m, complete=True)
    client = world.client_for("analyst")
    html = body(client.get(f"{URL}report/"))
    assert 'data-testid="p50">30 min<' in html
    assert 'data-testid="p90">1 h 40 min<' in html
    assert f'<th scope="row">{cm.user.display_name}</th>' in html
    assert "<td><strong>5</strong></td>" in html
    assert world.client_for("customer_care").get(f"{URL}report/").status_code == 403


def test_replies_can_require_approval(
    world: World,
    sandbox: SandboxHandle,
    channels: list[Channel],
    django_capture_on_commit_callbacks: Any,
) -> None:
    """With "inbox replies need approval", a reply waits in the approval workflow and goes
    out on the network only when the last step approves."""
    from roost.approvals.models import ApprovalRequest, Workflow, WorkflowStep
    from roost.approvals.services import approval_settings, request_decide
    from roost.inbox.models import ReplyDraft

    found = approval_settings(world.a)
    found.require_for_inbox_replies = True
    found.save()
    workflow = Workflow.objects.create(workspace=world.a, name="Replies", kind="reply")
    step = WorkflowStep.objects.create(workflow=workflow, position=1, name="Manager")
    step.members.set([world.members["social_media_manager"]])
    m = inbound_message(sandbox, channels[0])
    client = world.client_for("community_manager")
    response = client.post(url(m, "reply"), {"text": "Yes, we ship to Kraków!", "key": "rk-1"})
    assert response.status_code == 302
    draft = ReplyDraft.objects.get(message=m)
    assert draft.status == "pending"
    assert not Message.objects.filter(conversation=m.conversation, outgoing=True).exists()
    assert sandbox.stats()["by_key"].get("rk-1") is None  # nothing went out
    req = ApprovalRequest.objects.get(kind="reply", object_id=draft.pk)
    with django_capture_on_commit_callbacks(execute=True):
        request_decide(req=req, decision="approve", user=world.members["social_media_manager"].user)
    draft.refresh_from_db()
    assert draft.status == "sent"
    sent = Message.objects.get(conversation=m.conversation, outgoing=True)
    assert sent.text == "Yes, we ship to Kraków!" and sent.parent_remote_id == m.remote_id
    assert sandbox.stats()["by_key"]["rk-1"] == 1  # sent once


def test_tasks_can_be_marked_done_and_reopened(world: World) -> None:
    from roost.inbox.models import Task

    task = Task.objects.create(workspace=world.a, message=world.a_inbox.message, kind="lead")
    client = world.client_for("community_manager")
    path = f"/w/alpha/inbox/{world.a_inbox.message.pk}/tasks/{task.pk}/done/"
    assert client.post(path, {"done": "1"}).status_code == 302
    task.refresh_from_db()
    assert task.done is True
    assert client.post(path, {"done": "0"}).status_code == 302
    task.refresh_from_db()
    assert task.done is False
    # Someone who may not reply cannot close tasks.
    assert world.client_for("analyst").post(path, {"done": "1"}).status_code == 403
    task.refresh_from_db()
    assert task.done is False


def test_a_webhook_delivery_claimed_by_one_worker_is_not_sent_by_another(world: World) -> None:
    from datetime import timedelta

    from roost.core import clock
    from roost.inbox.models import WebhookDelivery
    from roost.inbox.services.webhooks import claim

    delivery = WebhookDelivery.objects.create(
        endpoint=world.a_inbox.endpoint,
        event="task.created",
        payload={"x": 1},
        next_attempt_at=clock.now() - timedelta(seconds=1),
    )
    now = clock.now()
    seen_by_a = list(WebhookDelivery.objects.filter(pk=delivery.pk))
    seen_by_b = list(WebhookDelivery.objects.filter(pk=delivery.pk))
    assert [d.pk for d in claim(seen_by_a, now)] == [delivery.pk]  # worker A wins
    assert claim(seen_by_b, now) == []  # worker B read the same row, but too late
