"""The practical exercise's scenarios: what an assessment workspace is seeded with, and
what the exercise expects of the candidate (stored on `Assessment.expected`).

Everything lives in the assessment workspace only. The channel is a stand-in: status
"needs reconnect" (no poll, metrics, listening or publishing job picks it up) and marked
inert in its config (roost.channels.services.connector_open refuses to open a connector
for it), so nothing the candidate does ever reaches a network. On top of that every post
and every inbox reply in the workspace needs the owner's approval."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils.translation import gettext_noop

from roost.approvals.models import ApprovalSettings, Workflow, WorkflowStep
from roost.channels.models import Channel, ChannelAccess, ChannelStatus
from roost.channels.services import INERT
from roost.core import clock
from roost.inbox.models import InboxTag, Message
from roost.inbox.services.ingest import ingest
from roost.networks.base import Inbound, InboundKind, InboxPage
from roost.publishing.models import Campaign
from roost.workspaces.models import Group, Membership, Workspace

CHANNEL_NAME = "Assessment channel — not connected to any network"
CARE_GROUP = "Customer Care"  # the names inbox tasks route to (roost/inbox/services/triage.py)
SALES_GROUP = "Sales"
TAGS = ("question", "complaint", "sales", "spam", "praise", "urgent")

# What each handling means, for the facts table.
EXPECT_LABELS = {
    "care_task": gettext_noop("Hand to Customer Care (a support task)"),
    "lead_task": gettext_noop("Hand to Sales (a lead task)"),
    "reply": gettext_noop("Answer it (a reply)"),
    "complete_no_reply": gettext_noop("Close it without a reply"),
}


@dataclass(frozen=True)
class Seed:
    key: str
    author: str
    handle: str
    kind: InboundKind
    text: str
    expect: str
    why: str


INBOX_SEEDS: tuple[Seed, ...] = (
    Seed(
        "hours",
        "Ola Nowak",
        "ola.reads",
        InboundKind.MENTION,
        "@demo.coffee are you open on Sunday? Want to bring my book club to the Mokotów café.",
        "reply",
        "A question with a known answer (Sundays 9:00–18:00): a friendly reply closes it.",
    ),
    Seed(
        "cold-order",
        "Mark Ellis",
        "markellis",
        InboundKind.DIRECT,
        "My order #4471 arrived with the beans spilled all over the box and nobody answers "
        "the phone. Third time this month. I want my money back.",
        "care_task",
        "A complaint about an order: Customer Care owns refunds; hand it over (a support "
        "task), ideally with a short reply that someone is on it.",
    ),
    Seed(
        "office",
        "Kasia Zielińska",
        "kasia.office",
        InboundKind.DIRECT,
        "Hi! We're a 40-person office in Kraków looking for a monthly coffee subscription "
        "with a machine. Who can send us an offer?",
        "lead_task",
        "Purchase intent from a business: a lead for Sales.",
    ),
    Seed(
        "spam",
        "Crypto Gains Daily",
        "cryptogains4u",
        InboundKind.MENTION,
        "@demo.coffee 🚀🚀 Turn $100 into $10,000 in a week!! DM me for the secret signal 🚀",
        "complete_no_reply",
        "Spam: close it without answering (a tag is fine).",
    ),
    Seed(
        "praise",
        "Jonas Berg",
        "jonas.berg",
        InboundKind.MENTION,
        "The new winter latte at @demo.coffee is the best thing about December. Thank you!",
        "reply",
        "Praise: a short thank-you reply.",
    ),
    Seed(
        "safety",
        "Anna Lis",
        "anna.lis",
        InboundKind.DIRECT,
        "My son had an allergic reaction after the hazelnut cookie from your Wola café — the "
        "label said nut-free. We are at the hospital now. Please tell me what is in it.",
        "care_task",
        "An urgent safety issue: straight to Customer Care (a support task), marked urgent; "
        "no improvised answer about ingredients in public.",
    ),
    Seed(
        "polish",
        "Piotr Wiśniewski",
        "piotr.w",
        InboundKind.MENTION,
        "@demo.coffee czy macie mleko owsiane bez cukru? Pytam dla żony, ma cukrzycę.",
        "reply",
        "A question in Polish (unsweetened oat milk?): answer it in Polish.",
    ),
    Seed(
        "wholesale",
        "Tomás Rivera",
        "tomas.cafe",
        InboundKind.DIRECT,
        "I run a small café in Gdańsk and would love to stock your single-origin beans. Do "
        "you do wholesale prices?",
        "lead_task",
        "Wholesale interest: a lead for Sales.",
    ),
    Seed(
        "app-bug",
        "Lena Fischer",
        "lena.f",
        InboundKind.MENTION,
        "@demo.coffee your app keeps logging me out and my loyalty stamps are gone :(",
        "care_task",
        "A customer problem with their account: Customer Care (a support task).",
    ),
    Seed(
        "thanks-reply",
        "Ola Nowak",
        "ola.reads",
        InboundKind.MENTION,
        "@demo.coffee 👍",
        "complete_no_reply",
        "A thumbs-up: nothing to answer; close it.",
    ),
)

CAMPAIGN_NAME = "Spring cold brew launch"
CAMPAIGN_POSTS = 3


def _channel(workspace: Workspace, owner: Any) -> Channel:
    """The stand-in channel: never polled, never published to, never replied from."""
    return Channel.objects.create(
        workspace=workspace,
        network="sandbox",
        name=CHANNEL_NAME,
        handle="demo.coffee",
        remote_id=f"assessment-{workspace.pk}",
        config={INERT: True},
        status=ChannelStatus.NEEDS_RECONNECT,
        status_reason=CHANNEL_NAME,
        connected_by=owner,
    )


def _review_everything(workspace: Workspace, owner: Membership, channel: Channel) -> None:
    """Every post and every inbox reply waits for the owner (the hiring manager)."""
    ApprovalSettings.objects.update_or_create(
        workspace=workspace,
        defaults={"require_for_everyone": True, "require_for_inbox_replies": True},
    )
    for kind, name in (("post", "Assessment review: posts"), ("reply", "Assessment review")):
        workflow = Workflow.objects.create(
            workspace=workspace, name=name, kind=kind, is_default=True
        )
        step = WorkflowStep.objects.create(workflow=workflow, position=1, name="Hiring manager")
        step.members.set([owner])


def seed(workspace: Workspace, owner: Membership, scenario: str) -> dict[str, Any]:
    """Seed `workspace` with `scenario` and return what the exercise expects."""
    channel = _channel(workspace, owner.user)
    _review_everything(workspace, owner, channel)
    care = Group.objects.create(workspace=workspace, name=CARE_GROUP)
    sales = Group.objects.create(workspace=workspace, name=SALES_GROUP)
    InboxTag.objects.bulk_create([InboxTag(workspace=workspace, name=t) for t in TAGS])
    expected: dict[str, Any] = {
        "channel": channel.pk,
        "groups": {"care": care.pk, "sales": sales.pk},
    }
    if scenario == "inbox":
        expected["messages"] = _seed_inbox(channel)
    else:
        expected.update(_seed_campaign(workspace))
    return expected


def _seed_inbox(channel: Channel) -> dict[str, dict[str, str]]:
    now = clock.now()
    items = tuple(
        Inbound(
            remote_id=f"assessment-{channel.pk}-{s.key}",
            kind=s.kind,
            text=s.text,
            created_at=now - timedelta(minutes=7 * (len(INBOX_SEEDS) - i)),
            author_id=f"assessment-{s.handle}",
            author_handle=s.handle,
            author_name=s.author,
        )
        for i, s in enumerate(INBOX_SEEDS)
    )
    ingest(channel, InboxPage(items=items))
    ids = dict(
        Message.objects.filter(channel=channel, outgoing=False).values_list("remote_id", "pk")
    )
    return {
        str(ids[f"assessment-{channel.pk}-{s.key}"]): {
            "key": s.key,
            "expect": s.expect,
            "why": s.why,
        }
        for s in INBOX_SEEDS
    }


def _seed_campaign(workspace: Workspace) -> dict[str, Any]:
    start = clock.now().date() + timedelta(days=14)
    campaign = Campaign.objects.create(
        workspace=workspace, name=CAMPAIGN_NAME, utm_campaign="spring-cold-brew"
    )
    return {
        "campaign": campaign.pk,
        "posts": CAMPAIGN_POSTS,
        "brief": {
            "goal": "Make the new bottled cold brew known in Warsaw and Kraków and bring "
            "people to try it in the cafés during launch week.",
            "audience": "Office workers and students, 20–35, who already buy iced coffee.",
            "key_message": "Slow-steeped for 18 hours, smooth, no sugar added — in every "
            "café from launch day, 12 zł.",
            "dates": f"{start.isoformat()} – {(start + timedelta(days=6)).isoformat()}",
            "ask": "Draft three posts for the launch week (teaser, launch day, last call) "
            "in the campaign; they go to review, nothing is published.",
        },
    }


def grant_channel(channel_id: int, membership: Membership) -> None:
    """Give the candidate the stand-in channel (to read its inbox or compose for it)."""
    ChannelAccess.objects.get_or_create(channel_id=channel_id, membership=membership)
