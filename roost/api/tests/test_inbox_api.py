"""The inbox API: list with filters, one item with its thread, assign, complete, tags,
reply through the real Sandbox (refusals in words), tasks — and who may do what."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from roost.channels.models import Channel
from roost.conftest import B_MARKER, World, token_for
from roost.inbox.models import Message, MessageStatus, Task, WebhookDelivery
from roost.inbox.services import config, triage
from roost.inbox.services.poll import poll_channels
from roost.inbox.tests.conftest import put
from roost.networks.base import InboundKind
from roost.networks.sandbox.testing import SandboxHandle

BASE = "/api/v1/workspaces/alpha"


def call(method: str, url: str, token: str, body: Any = None) -> Any:
    return Client().generic(
        method,
        url,
        data=json.dumps(body) if body is not None else "",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def test_list_filters_and_detail(world: World) -> None:
    ch = world.a_channel
    put(ch, "a-1", "Where is my parcel?", language="en")
    dm = put(ch, "a-2", "Gdzie jest paczka?", language="pl", kind=InboundKind.DIRECT)
    put(ch, "a-3", "Follow-up", kind=InboundKind.REPLY, parent_id="a-1", root_id="a-1")
    token = token_for(world.members["owner"], ["read"])
    items = call("GET", f"{BASE}/inbox", token).json()
    assert [i["text"] for i in items][:1] == ["Follow-up"]  # newest first
    assert {i["text"] for i in items} >= {"Where is my parcel?", "Gdzie jest paczka?"}
    found = call("GET", f"{BASE}/inbox?language=pl&kind=direct", token).json()
    assert [i["id"] for i in found] == [dm.pk]
    assert call("GET", f"{BASE}/inbox?q=parcel", token).json()[0]["text"] == "Where is my parcel?"
    assert call("GET", f"{BASE}/inbox?status=complete", token).json() == []
    assert call("GET", f"{BASE}/inbox?status=bogus", token).status_code == 422
    root = Message.objects.get(remote_id="a-1")
    detail = call("GET", f"{BASE}/inbox/{root.pk}", token).json()
    assert [t["text"] for t in detail["thread"]] == ["Where is my parcel?", "Follow-up"]
    assert detail["sla"] in {"ok", "at_risk", "breached"}
    assert B_MARKER not in json.dumps(items)


def test_customer_care_reads_only_what_is_routed_to_them(world: World) -> None:
    hidden = put(world.a_channel, "c-1", "Not routed")
    token = token_for(world.members["customer_care"])
    items = call("GET", f"{BASE}/inbox", token).json()
    assert [i["id"] for i in items] == [world.a_inbox.message.pk]
    assert call("GET", f"{BASE}/inbox/{hidden.pk}", token).status_code == 404
    response = call("POST", f"{BASE}/inbox/{hidden.pk}/status", token, {"complete": True})
    assert response.status_code == 404
    assert Message.objects.get(pk=hidden.pk).status == MessageStatus.OPEN


def test_triage_writes(world: World) -> None:
    m = put(world.a_channel, "w-1", "Bulk order please")
    token = token_for(world.members["community_manager"])
    care = world.members["customer_care"]
    response = call("POST", f"{BASE}/inbox/{m.pk}/assign", token, {"member": care.pk})
    assert response.status_code == 200 and response.json()["assignee"] == care.pk
    response = call("POST", f"{BASE}/inbox/{m.pk}/assign", token, {})
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == "Choose a person or a group."
    response = call("PUT", f"{BASE}/inbox/{m.pk}/tags", token, {"tags": ["vip", "order"]})
    assert sorted(response.json()["tags"]) == ["order", "vip"]
    response = call("POST", f"{BASE}/inbox/{m.pk}/status", token, {"complete": True})
    assert response.json()["status"] == "complete"
    response = call(
        "POST",
        f"{BASE}/inbox/{m.pk}/tasks",
        token,
        {"kind": "lead", "notes": "Call", "due_at": "2026-12-01T09:00:00"},
    )
    assert response.status_code == 201
    task = Task.objects.get(message=m)
    assert response.json()["id"] == task.pk and task.kind == "lead"
    assert task.due_at is not None and task.due_at.utcoffset() is not None
    response = call("POST", f"{BASE}/inbox/{m.pk}/tasks", token, {"kind": "party"})
    assert response.status_code == 422
    tasks = call("GET", f"{BASE}/tasks", token).json()
    assert [t["id"] for t in tasks] == [task.pk]


def test_refusals_by_role_and_scope(world: World) -> None:
    m = world.a_inbox.message
    owner = world.members["owner"]
    sales = token_for(world.members["sales"])
    response = call("POST", f"{BASE}/inbox/{m.pk}/assign", sales, {"member": owner.pk})
    assert response.status_code == 403
    read_only = token_for(owner, ["read"])
    response = call("POST", f"{BASE}/inbox/{m.pk}/status", read_only, {"complete": True})
    assert response.status_code == 403 and "inbox:write" in response.json()["detail"]
    assert Message.objects.get(pk=m.pk).status == MessageStatus.OPEN
    assert Message.objects.get(pk=m.pk).assignee_id is None


def test_tasks_list_follows_visibility(world: World) -> None:
    owner = world.members["owner"]
    hidden = put(world.a_channel, "t-1", "Hidden")
    triage.task_create(actor=owner, message=hidden, kind="feedback")
    routed = triage.task_create(actor=owner, message=world.a_inbox.message, kind="other")
    care = token_for(world.members["customer_care"])
    assert [t["id"] for t in call("GET", f"{BASE}/tasks", care).json()] == [routed.pk]
    assert len(call("GET", f"{BASE}/tasks", token_for(owner)).json()) == 2


def test_a_lead_task_queues_a_webhook(world: World) -> None:
    owner = world.members["owner"]
    config.endpoint_create(actor=owner, name="CRM", url="https://crm.example/", task_kinds=[])
    m = world.a_inbox.message
    call("POST", f"{BASE}/inbox/{m.pk}/tasks", token_for(owner), {"kind": "lead"})
    delivery = WebhookDelivery.objects.get(endpoint__name="CRM")
    assert delivery.payload["task"]["kind"] == "lead" and delivery.status == "pending"


def _inbound(sandbox: SandboxHandle, channel: Channel) -> Message:
    sandbox.inbound(channel.handle, 1, seed=3)
    poll_channels([channel])
    return Message.objects.filter(channel=channel, outgoing=False).latest("id")


def test_reply_through_the_sandbox(
    world: World, sandbox: SandboxHandle, channels: list[Channel]
) -> None:
    m = _inbound(sandbox, channels[0])
    token = token_for(world.members["community_manager"])
    response = call(
        "POST",
        f"{BASE}/inbox/{m.pk}/reply",
        token,
        {"text": "On it!", "complete": True, "idempotency_key": "api-1"},
    )
    assert response.status_code == 201, response.content
    assert response.json()["outgoing"] is True and response.json()["text"] == "On it!"
    assert Message.objects.get(pk=m.pk).status == MessageStatus.COMPLETE
    # Too long for the network: 422 with the network's reason, nothing stored.
    response = call("POST", f"{BASE}/inbox/{m.pk}/reply", token, {"text": "x" * 600})
    assert response.status_code == 422
    assert "500 characters" in response.json()["detail"][0]["msg"]
    # A colleague within two minutes: asked to confirm.
    other = token_for(world.members["owner"])
    response = call("POST", f"{BASE}/inbox/{m.pk}/reply", other, {"text": "Me too"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "confirm"
    response = call(
        "POST", f"{BASE}/inbox/{m.pk}/reply", other, {"text": "Me too", "confirm": True}
    )
    assert response.status_code == 201
    assert Message.objects.filter(conversation=m.conversation, outgoing=True).count() == 2
