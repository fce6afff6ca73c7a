"""Issue 5, end to end in a real browser: a community manager sees a Sandbox mention arrive,
assigns it to Customer Care, creates a Lead task that fires a signed webhook to a local
receiver, replies from the inbox, and the first-response clock stops."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from django.core.management import call_command

from roost.channels.models import Channel
from roost.inbox.models import Message, Task, WebhookDelivery
from roost.inbox.services import config, webhooks
from roost.inbox.services.poll import poll_all, poll_channels
from roost.networks.sandbox.testing import SandboxHandle
from roost.web.management.commands.demo import DEMO_PASSWORD, DEMO_SLUG
from roost.web.tests.browser import page, screenshot  # noqa: F401  (fixture)
from roost.workspaces.models import Group, Membership
from roost.workspaces.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def mention_from_a_customer(sandbox: SandboxHandle, text: str) -> str:
    """A second Sandbox account writes to the brand; returns the new post's id."""
    customer = sandbox.create_account("Marta Klientka")
    response = httpx.post(
        f"{sandbox.url}/api/posts",
        json={"text": text, "language": "en"},
        headers={"Authorization": f"Bearer {customer.token}", "Idempotency-Key": "mention-1"},
        timeout=10,
        trust_env=False,
    )
    response.raise_for_status()
    post_id: str = response.json()["id"]
    return post_id


def test_mention_assign_lead_webhook_reply_and_sla(
    live_server: Any,
    page: Any,  # noqa: F811
    sandbox: SandboxHandle,
    receiver: Any,
) -> None:
    from playwright.sync_api import expect

    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115 - connects 2 channels
    base = live_server.url
    inbox_url = f"{base}/w/{DEMO_SLUG}/inbox/"
    channel = Channel.objects.get(workspace__slug=DEMO_SLUG, name="Coffee Co. Sandbox")

    # The owner sets up a CRM webhook for leads; the receiver checks each signature.
    owner = Membership.objects.get(workspace__slug=DEMO_SLUG, roles__role=Role.OWNER)
    crm = receiver()
    endpoint, crm.secret = config.endpoint_create(
        actor=owner, name="CRM", url=crm.url, task_kinds=["lead"]
    )

    poll_all()  # the demo's generated conversations come in first
    text = f"@{channel.handle} Do you ship to Kraków? I want 2 kg"

    page.goto(f"{base}/login/")
    page.get_by_label("E-mail address").fill("community@demo-coffee.example")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(inbox_url)
    items = page.get_by_test_id("inbox-list")
    expect(items.locator("[data-item]").first).to_be_visible()
    expect(items).not_to_contain_text("I want 2 kg")

    # Someone mentions the brand on the Sandbox; the next poll brings it in.
    mention_id = mention_from_a_customer(sandbox, text)
    poll_channels([channel])  # its next round is not due yet: poll it now
    message = Message.objects.get(channel=channel, remote_id=mention_id)
    assert message.kind == "mention" and message.first_response_at is None
    page.reload()
    # (The generated traffic asks "do you ship to Kraków?" too: look for ours.)
    row = items.locator("li.inbox-item").filter(has_text="I want 2 kg")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Marta Klientka")
    expect(row).to_contain_text("On time")
    row.locator("[data-item]").click()

    pane = page.get_by_test_id("inbox-pane")
    expect(pane.get_by_test_id("thread")).to_contain_text(text)
    expect(pane.get_by_test_id("sla")).to_have_text("First response: On time")

    # Assign it to the Customer Care group (round-robin picks one of its people).
    pane.get_by_label("Assign to").select_option(label="Customer Care")
    pane.get_by_role("button", name="Assign").click()
    expect(row).to_contain_text("Customer Care")  # the list reloads itself
    message.refresh_from_db()
    care = Group.objects.get(workspace__slug=DEMO_SLUG, name="Customer Care")
    assert message.group_id == care.pk
    assert message.assignee is not None and message.assignee.groups.filter(pk=care.pk).exists()

    # A Lead task; its webhook goes out signed.
    pane.get_by_text("Create a task").click()
    pane.get_by_label("Kind").select_option(label="Lead")
    pane.get_by_label("Notes").fill("2 kg to Kraków")
    pane.get_by_role("button", name="Create task").click()
    expect(pane.get_by_test_id("tasks")).to_contain_text("Lead · Sales — 2 kg to Kraków")
    task = Task.objects.get(message=message)
    assert task.kind == "lead"
    # Test settings run tasks immediately: the request's on_commit already sent it (from
    # the live server's thread). This is the worker's turn; nothing may go out twice.
    webhooks.send_due()
    assert len(crm.got) == 1
    got = crm.got[0]
    assert got.verified and got.event == "task.created"
    assert got.payload["task"]["id"] == task.pk and got.payload["task"]["kind"] == "lead"
    assert got.payload["task"]["notes"] == "2 kg to Kraków"
    assert got.payload["message"]["text"] == text
    assert got.payload["message"]["id"] == message.pk
    assert got.payload["workspace"] == DEMO_SLUG
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert (delivery.status, delivery.response_code, delivery.attempts) == ("sent", 200, 1)

    # Reply from the inbox: it shows in the thread and the clock stops.
    answer = "Yes, we ship to Kraków! 2 kg is on its way."
    pane.get_by_label("Reply", exact=True).fill(answer)
    pane.get_by_role("button", name="Send reply").click()
    thread = pane.get_by_test_id("thread")
    ours = thread.locator("li.ours")
    expect(ours).to_have_count(1)
    expect(ours).to_contain_text(answer)
    expect(ours).to_contain_text("Our reply · Celina Community")
    expect(pane.get_by_test_id("sla")).to_have_text("First response: Met")
    expect(pane.get_by_label("Reply", exact=True)).to_have_value("")
    expect(row.locator(".badge")).to_have_text("Met")  # the list reloads itself

    message.refresh_from_db()
    assert message.first_response_at is not None
    sent = Message.objects.get(conversation=message.conversation, outgoing=True)
    assert sent.text == answer and sent.parent_remote_id == mention_id

    # On the Sandbox, the reply is the brand's answer under the mention.
    on_network = httpx.get(f"{sandbox.url}/api/posts/{sent.remote_id}", trust_env=False).json()
    assert on_network["reply_to"] == mention_id
    assert on_network["text"] == answer
    assert on_network["account"]["handle"] == channel.handle
    screenshot(page, "inbox-replied")
