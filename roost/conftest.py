"""Shared fixtures: two workspaces built through the real services, one member per role."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client, override_settings
from django.utils import translation

from roost.accounts.models import User
from roost.approvals.models import ApprovalRequest, Workflow, WorkflowStep
from roost.channels.models import Channel
from roost.core import clock
from roost.inbox.models import InboxRule, Message, WebhookDelivery, WebhookEndpoint
from roost.inbox.services.ingest import ingest
from roost.networks.base import Inbound, InboundKind, InboxPage
from roost.publishing.models import Campaign, Post
from roost.publishing.services.compose import PostInput, post_compose
from roost.workspaces import services
from roost.workspaces.models import ApiScope, Group, Invite, Membership, Workspace
from roost.workspaces.roles import Role
from roost.workspaces.seeding import seed_member

PASSWORD = "correct-horse-battery-staple"
# Appears only in workspace B's data: no page or API answer for A may contain it.
B_MARKER = "ZZSECRETBRAVO"


@pytest.fixture(autouse=True)
def _each_test_starts_in_the_default_language() -> Any:
    """A request in Polish (or a test that activates it) leaves the thread's language
    active; the next test in the same process would read Polish where it expects English."""
    translation.activate("en")
    yield
    translation.deactivate()


@dataclass
class InboxData:
    """One inbox message (routed to a group, so every role may open it), an inactive rule,
    an inactive webhook endpoint and one logged delivery."""

    message: Message
    group: Group
    rule: InboxRule
    endpoint: WebhookEndpoint
    delivery: WebhookDelivery


@dataclass
class World:
    a: Workspace
    b: Workspace
    members: dict[str, Membership]  # role code -> member of A holding only that role
    b_owner: Membership
    a_group: Group
    b_group: Group
    a_invite: Invite
    b_invite: Invite
    b_member: Membership
    a_channel: Channel
    b_channel: Channel
    a_post: Post
    b_post: Post
    a_workflow: Workflow
    b_workflow: Workflow
    a_request: ApprovalRequest
    b_request: ApprovalRequest
    a_inbox: InboxData
    b_inbox: InboxData
    tokens: dict[str, str] = field(default_factory=dict)

    def client_for(self, role: str) -> Client:
        client = Client()
        client.force_login(self.members[role].user)
        return client


def make_channel(workspace: Workspace, name: str, tz: str = "") -> Channel:
    """A Sandbox channel stored directly (no server needed until something publishes)."""
    channel = Channel(
        workspace=workspace,
        network="sandbox",
        name=name,
        handle=f"{name.lower().replace(' ', '-')}.sandbox",
        remote_id=name,
        config={"base_url": "http://127.0.0.1:9"},
        timezone=tz,
    )
    channel.set_credentials({"token": "t"})
    channel.save()
    return channel


def make_user(email: str, name: str = "") -> User:
    return User.objects.create_user(email, PASSWORD, name=name or email.split("@")[0].title())


@pytest.fixture
def world(db: Any) -> World:
    owner = make_user("owner@alpha.test", "Alpha Owner")
    a = services.workspace_create(actor=owner, name="Alpha", timezone="Europe/Warsaw")
    members = {Role.OWNER.value: Membership.objects.get(workspace=a, user=owner)}
    for role in Role:
        if role == Role.OWNER:
            continue
        user = make_user(f"{role.value}@alpha.test", f"Alpha {role.label}")
        members[role.value] = seed_member(a, user, [role.value])
    a_owner = members[Role.OWNER.value]

    b_user = make_user("owner@bravo.test", f"Bravo Owner {B_MARKER}")
    # Two unrelated tenants, as on an install that lets anyone create a workspace.
    with override_settings(ROOST_WORKSPACE_CREATION="anyone"):
        b = services.workspace_create(actor=b_user, name=f"Bravo {B_MARKER}", timezone="UTC")
    b_owner = Membership.objects.get(workspace=b, user=b_user)
    b_member = seed_member(b, make_user("creator@bravo.test", f"Bravo {B_MARKER}"), ["analyst"])

    a_group = services.group_create(
        actor=a_owner, name="Legal review", member_ids=[members["admin"].pk]
    )
    b_group = services.group_create(actor=b_owner, name=f"Group {B_MARKER}")
    a_invite, _ = services.invite_create(
        actor=a_owner, email="newbie@alpha.test", roles=["content_creator"]
    )
    b_invite, _ = services.invite_create(
        actor=b_owner, email=f"{B_MARKER.lower()}@bravo.test", roles=["analyst"]
    )
    a_channel = make_channel(a, "Alpha Sandbox")
    b_channel = make_channel(b, f"Channel {B_MARKER}")
    a_post = post_compose(
        actor=a_owner, data=PostInput(text="Alpha news", channel_ids=[a_channel.pk])
    )
    b_post = post_compose(
        actor=b_owner, data=PostInput(text=f"Post {B_MARKER}", channel_ids=[b_channel.pk])
    )
    a_workflow, a_request = _review(a, members["content_creator"], a_channel, world_group=a_group)
    b_writer = seed_member(
        b, make_user("writer@bravo.test", f"Writer {B_MARKER}"), ["content_creator"]
    )
    b_workflow, b_request = _review(b, b_writer, b_channel, world_group=b_group)
    # Everyone who reads only routed items is in A's inbox group, so each role can open it.
    routed = [members[r].pk for r in ("content_creator", "paid_media", "customer_care", "sales")]
    a_inbox = _inbox(a, a_owner, a_channel, "Alpha customer asks about pricing", routed)
    b_inbox = _inbox(b, b_owner, b_channel, f"Bravo customer {B_MARKER}", [])
    return World(
        a,
        b,
        members,
        b_owner,
        a_group,
        b_group,
        a_invite,
        b_invite,
        b_member,
        a_channel,
        b_channel,
        a_post,
        b_post,
        a_workflow,
        b_workflow,
        a_request,
        b_request,
        a_inbox,
        b_inbox,
    )


def _inbox(
    workspace: Workspace, owner: Membership, channel: Channel, text: str, member_ids: list[int]
) -> InboxData:
    ingest(
        channel,
        InboxPage(
            items=(
                Inbound(
                    remote_id=f"in-{workspace.slug}-1",
                    kind=InboundKind.MENTION,
                    text=text,
                    created_at=clock.now(),
                    author_id="cust-1",
                    author_handle="customer.sandbox",
                    author_name=f"Customer {workspace.name}",
                ),
            )
        ),
    )
    message = Message.objects.get(channel=channel, remote_id=f"in-{workspace.slug}-1")
    group = services.group_create(
        actor=owner, name=f"Inbox duty {workspace.name}", member_ids=member_ids
    )
    # Routed to the group only (no round-robin pick), so "assigned to nobody" stays true.
    Message.objects.filter(pk=message.pk).update(group=group)
    message.refresh_from_db()
    rule = InboxRule.objects.create(
        workspace=workspace,
        name=f"Rule {workspace.name}",
        active=False,
        when={"keywords": ["never-matches-anything"]},
        then={"tag": "never"},
    )
    endpoint = WebhookEndpoint(
        workspace=workspace,
        name=f"CRM {workspace.name}",
        url="http://127.0.0.1:9/hook",
        active=False,
    )
    endpoint.secret = "whsec_fixture"
    endpoint.save()
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event="task.created",
        payload={"event": "task.created", "text": text},
        status="failed",
        attempts=8,
        response_code=500,
        last_error="Server error",
    )
    return InboxData(message, group, rule, endpoint, delivery)


def _review(
    workspace: Workspace, author: Membership, channel: Channel, world_group: Group
) -> tuple[Workflow, ApprovalRequest]:
    """A one-step workflow (the group approves) and a post waiting in it. The workflow is
    narrowed to a campaign of its own, so it touches no other test's posts."""
    campaign = Campaign.objects.create(workspace=workspace, name="Reviewed campaign")
    workflow = Workflow.objects.create(
        workspace=workspace, name=f"Review {workspace.name}", campaign_ids=[campaign.pk]
    )
    step = WorkflowStep.objects.create(workflow=workflow, position=1, name="Group review")
    step.groups.set([world_group])
    post = post_compose(
        actor=author,
        data=PostInput(
            text=f"For review in {workspace.name}",
            channel_ids=[channel.pk],
            campaign_id=campaign.pk,
        ),
        mode="now",
    )
    return workflow, ApprovalRequest.objects.get(kind="post", object_id=post.pk)


@pytest.fixture
def owner_client(world: World) -> Client:
    return world.client_for("owner")


def token_for(membership: Membership, scopes: list[str] | None = None) -> str:
    _token, secret = services.token_create(
        actor=membership, name="test", scopes=scopes or list(ApiScope.values)
    )
    return secret
