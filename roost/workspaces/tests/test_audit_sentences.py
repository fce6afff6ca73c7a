"""The audit log in words: a sentence per entry, for every action Roost records, never a
raw dictionary or list; and the approval history says whether a post that skipped
approval was scheduled or published."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from roost.approvals.models import Workflow, WorkflowStep
from roost.conftest import World
from roost.publishing.models import Post
from roost.publishing.services.compose import PostInput, post_compose
from roost.workspaces import services
from roost.workspaces.audit import SENTENCES, audit_lines
from roost.workspaces.models import AuditEntry

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
PLANNED = datetime(2026, 12, 2, 7, 12)  # wall-clock in Europe/Warsaw

# What machine output looks like: a Python dict or list, a quoted key, an ISO timestamp.
RAW = re.compile(r"[{}\[\]]|'\w+':|\d{4}-\d\d-\d\dT\d\d:\d\d|\b\w+\.\w+_\w+\b|\bNone\b")


@pytest.fixture
def frozen(monkeypatch: Any) -> None:
    monkeypatch.setattr("roost.core.clock.now", lambda: NOW)


def sentences(client: Any) -> list[str]:
    html = client.get("/w/alpha/audit/").content.decode()
    cells = re.findall(r'<td data-testid="audit-sentence">(.*?)</td>', html, re.S)
    return [" ".join(c.replace("&#x27;", "'").replace("&quot;", '"').split()) for c in cells]


def test_the_audit_page_reads_as_sentences(world: World, frozen: None) -> None:
    """The review's two examples: a scheduled post and changed roles."""
    manager = world.members["social_media_manager"]
    creator = world.members["content_creator"]
    services.member_set_roles(
        actor=world.members["owner"], member=creator, roles=["content_creator", "analyst"]
    )
    post_compose(
        actor=manager,
        data=PostInput(text="Winter latte is back with cinnamon", channel_ids=[world.a_channel.pk]),
        mode="at",
        at=PLANNED,
    )
    lines = sentences(world.client_for("owner"))
    owner = world.members["owner"].user.display_name
    who = manager.user.display_name
    assert (
        f"{who} scheduled “Winter latte is back with cinnamon” for Dec. 2, 2026, 07:12 "
        "on Alpha Sandbox" in lines
    )
    assert (
        f"{owner} changed the roles of {creator.user.display_name} from Content Creator to "
        "Social Data Analyst, Content Creator" in lines
    )
    assert f"{who} created “Winter latte is back with cinnamon” for Alpha Sandbox" in lines
    bad = [line for line in lines if RAW.search(line)]
    assert bad == [], "machine output in the audit log"


def _actions_in_source() -> set[str]:
    """Every action name passed to audit_record anywhere in Roost (outside tests)."""
    root = Path(__file__).resolve().parents[2]
    found = set()
    for path in root.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        for call in re.finditer(r"audit_record\((.{0,400}?)\n\s*\)", text, re.S):
            found |= set(re.findall(r"action=(?:\"([a-z_]+\.[a-z_]+)\")", call.group(1)))
            found |= set(re.findall(r"\"([a-z_]+\.[a-z_]+)\" if ", call.group(1)))
            found |= set(re.findall(r" else \"([a-z_]+\.[a-z_]+)\"", call.group(1)))
    return found


def test_every_recorded_action_has_a_sentence() -> None:
    actions = _actions_in_source()
    assert "post.scheduled" in actions and "channel.reconnected" in actions  # the scan works
    assert "post.created" not in actions or "post.created" in SENTENCES
    assert actions - set(SENTENCES) == set(), "give these actions a sentence in audit.py"


# One entry per action, with the data its service records (see the audit_record calls).
def _samples(world: World) -> dict[str, tuple[Any, dict[str, Any]]]:
    ch = world.a_channel
    member = world.members["content_creator"]
    return {
        "workspace.created": (world.a, {}),
        "workspace.updated": (
            world.a,
            {"changed": {"timezone": ["UTC", "Europe/Warsaw"], "language": ["en", "pl"]}},
        ),
        "member.added": (member, {"email": "c@x.example", "roles": ["owner"], "source": "seed"}),
        "member.roles_changed": (
            member,
            {"email": "c@x.example", "before": ["content_creator"], "after": ["analyst"]},
        ),
        "member.removed": (member, {"email": "c@x.example", "roles": ["sales"]}),
        "member.channel_access": (member, {"all_channels": False, "channels": [ch.pk]}),
        "group.created": (world.a_group, {"name": "Legal", "members": [member.pk]}),
        "group.updated": (
            world.a_group,
            {"name": "Legal", "members_before": [], "members": [member.pk]},
        ),
        "group.deleted": (world.a_group, {"name": "Legal"}),
        "invite.created": (
            world.a_invite,
            {"email": "new@x.example", "roles": ["sales"], "groups": [world.a_group.pk]},
        ),
        "invite.revoked": (world.a_invite, {"email": "new@x.example"}),
        "invite.accepted": (
            world.a_invite,
            {"email": "new@x.example", "user_email": "new@x.example", "new_member": True},
        ),
        "token.created": (None, {"name": "CI", "scopes": ["read", "posts:write"]}),
        "token.revoked": (None, {"name": "CI"}),
        "channel.connected": (ch, {"network": "sandbox", "handle": "alpha.sandbox"}),
        "channel.reconnected": (ch, {"network": "sandbox", "handle": "alpha.sandbox"}),
        "channel.disconnected": (ch, {}),
        "channel.updated": (ch, {"name": "Alpha", "timezone": "Europe/Warsaw"}),
        "channel.queue_slots": (ch, {"count": 3}),
        "campaign.saved": (None, {"name": "Winter"}),
        "goal.saved": (None, {"kpi_name": "Engagements", "goal_target": 5000, "end": "31 Dec"}),
        "goal.deleted": (None, {"kpi_name": "Engagements"}),
        "short_link.created": (None, {"url": "https://shop.example/winter"}),
        "roi.settings_saved": (
            None,
            {"value_per_lead": "25.00", "value_per_click": "0.1000", "currency": "EUR"},
        ),
        "roi.cost_saved": (None, {"name": "Winter", "cost": "300.00"}),
        "conversions.imported": (None, {"rows": 3, "added": 2, "source": "csv"}),
        "report_schedule.created": (None, {"name": "Weekly"}),
        "report_schedule.updated": (None, {"name": "Weekly"}),
        "report_schedule.deleted": (None, {"name": "Weekly"}),
        "report_share.created": (None, {"until": "2031-03-08"}),
        "report_share.revoked": (None, {}),
        "listening.topic_created": (None, {}),
        "listening.topic_updated": (None, {}),
        "listening.topic_deleted": (None, {}),
        "listening.mention_to_inbox": (None, {"message_id": 7}),
        "paid.ad_accounts_connected": (ch, {"accounts": ["alpha.sandbox Sandbox Ads"]}),
        "paid.campaign_created": (
            None,
            {
                "name": "Winter ads",
                "currency": "EUR",
                "total_budget": "3000.00",
                "daily_budget": "",
                "starts_on": "2026-11-01",
                "ends_on": "2026-11-30",
            },
        ),
        "paid.campaign_updated": (
            None,
            {
                "name": "Winter ads",
                "currency": "EUR",
                "total_budget": "3500.00",
                "daily_budget": "",
                "starts_on": "2026-11-01",
                "ends_on": "2026-11-30",
                "before": {},
            },
        ),
        "paid.settings_saved": (None, {"currency": "EUR", "approval_threshold": "100.00"}),
        "paid.rate_set": (None, {"currency": "USD", "rate": "0.92", "reporting": "EUR"}),
        "paid.rate_deleted": (None, {"currency": "USD"}),
        "paid.ad_account_created": (None, {"name": "Meta PL", "source": "meta", "currency": "PLN"}),
        "paid.ad_account_renamed": (None, {"before": "Meta PL", "name": "Meta Poland"}),
        "paid.imported": (None, {"rows": 3, "created": 2, "updated": 1, "unchanged": 0}),
        "paid.days_pushed": (None, {"rows": 3, "created": 2, "updated": 1, "unchanged": 0}),
        "paid.boost_requested": (
            None,
            {"amount": "150.00", "currency": "EUR", "days": 7, "post": 1, "approval": True},
        ),
        "paid.boost_cancelled": (None, {}),
        "assessment.created": (None, {"scenario": "inbox", "days": 3, "stage": "exercise"}),
        "assessment.started": (None, {}),
        "assessment.submitted": (None, {"correct": 7, "total": 10}),
        "experiment.created": (
            None,
            {"name": "Headline", "kind": "organic", "variants": 2, "planned_per_variant": 900},
        ),
        "experiment.started": (None, {"name": "Headline", "kind": "organic", "plan": {}}),
        "experiment.stopped": (None, {"name": "Headline", "cancelled_posts": 1}),
        "experiment.decided": (None, {"name": "Headline", "winner": "B", "status": "winner"}),
        "experiment.failed": (None, {"name": "Headline", "reason": "Refused"}),
        "hiring.opening_created": (
            None,
            {"title": "Community Manager", "role": "community_manager"},
        ),
        "hiring.opening_updated": (None, {"title": "Community Manager", "status": "closed"}),
        "hiring.scorecard_saved": (None, {"title": "Community Manager", "criteria": 5}),
        "hiring.candidate_added": (None, {"candidate": 7, "title": "Community Manager"}),
        "hiring.candidate_moved": (
            None,
            {
                "candidate": 7,
                "title": "Community Manager",
                "stage": "offer",
                "from_stage": "interview",
            },
        ),
        "hiring.interviewers_set": (
            None,
            {"candidate": 7, "title": "Community Manager", "interviewers": 2},
        ),
        "hiring.evaluation_submitted": (None, {"candidate": 7, "title": "Community Manager"}),
        "hiring.candidate_hired": (
            None,
            {"candidate": 7, "title": "Community Manager", "invite": 3, "plan": "CM 30-60-90"},
        ),
        "hiring.candidate_deleted": (None, {"candidate": 7, "title": "Community Manager"}),
        "publishing.paused": (None, {"channel": None, "reason": "Storm", "in_flight": 0}),
        "publishing.resumed": (None, {"channel": None, "decisions": {}}),
        "brief.settings_changed": (None, {"time": "08:45:00", "webhook": False}),
        "brief.item_added": (None, {}),
        "brief.item_done": (None, {}),
        "brief.item_reopened": (None, {}),
        "calendar_feed.created": (None, {}),
        "calendar_feed.rotated": (None, {}),
        "media.uploaded": (None, {"name": "latte.png"}),
        "post.created": (world.a_post, {"channels": [ch.pk]}),
        "post.updated": (world.a_post, {"channels": [ch.pk]}),
        "post.scheduled": (
            world.a_post,
            {"mode": "now", "due": {str(ch.pk): "2026-12-01T12:00:00+00:00"}},
        ),
        "post.cancelled": (world.a_post, {"review_withdrawn": True}),
        "post.deleted": (None, {"text": "Old news", "removed_from": ["sandbox"]}),
        "approvals.workflow_saved": (world.a_workflow, {"name": "Brand review", "steps": 2}),
        "approvals.workflow_disabled": (world.a_workflow, {"reason": "Its channel was removed."}),
        "approvals.workflow_deleted": (None, {"name": "Brand review"}),
        "inbox.settings_saved": (
            None,
            {"first_response_minutes": 60, "completion_hours": 24, "per_member_cap": None},
        ),
        "inbox.rule_created": (world.a_inbox.rule, {}),
        "inbox.rule_deleted": (None, {}),
        "inbox.rule_disabled": (world.a_inbox.rule, {"reason": "Its group was deleted."}),
        "inbox.webhook_created": (world.a_inbox.endpoint, {"url": "https://crm.example/hook"}),
        "inbox.webhook_secret_rotated": (
            world.a_inbox.endpoint,
            {"previous_valid_until": "2026-12-02T12:00:00+00:00"},
        ),
        "inbox.webhook_deleted": (None, {"url": "https://crm.example/hook"}),
        "inbox.webhook_replayed": (world.a_inbox.delivery, {}),
        "inbox.saved_reply_created": (None, {}),
        "inbox.saved_reply_deleted": (None, {}),
        "inbox.saved_reply_changed": (None, {}),
        "inbox.note_added": (world.a_inbox.message, {}),
        "inbox.assigned": (
            world.a_inbox.message,
            {"member": member.pk, "group": world.a_group.pk},
        ),
        "inbox.task_created": (world.a_inbox.message, {"kind": "lead"}),
        "inbox.task_done": (None, {}),
        "inbox.task_reopened": (None, {}),
        "inbox.replied": (world.a_inbox.message, {"reply": "at://reply/1"}),
        "inbox.reply_retried": (world.a_inbox.message, {"draft": 7}),
        "team.size_set": (None, {"size": "mid", "before": ""}),
        "team.profile_updated": (
            member,
            {"changed": ["reports_to", "working_hours"], "responsibilities": ["paid"]},
        ),
        "onboarding.template_created": (None, {"name": "CM plan", "days": 90}),
        "onboarding.template_saved": (None, {"name": "CM plan", "days": 60}),
        "onboarding.step_added": (None, {"title": "Handle one item", "due_day": 3}),
        "onboarding.step_saved": (None, {"title": "Handle one item", "due_day": 4}),
        "onboarding.step_deleted": (None, {"title": "Handle one item"}),
        "onboarding.plan_started": (member, {"name": "CM plan", "starts_on": "2031-03-01"}),
        "onboarding.plan_attached": (
            world.a_invite,
            {"email": "newbie@alpha.test", "name": "CM plan"},
        ),
        "onboarding.step_ticked": (member, {"title": "Handle one item"}),
        "onboarding.step_unticked": (member, {"title": "Handle one item"}),
        "onboarding.plan_ended": (member, {"name": "CM plan"}),
        "onboarding.mentor_set": (member, {"mentor": "Alpha Admin"}),
        "team.away_set": (
            member,
            {
                "away_from": "2026-12-07",
                "away_until": "2026-12-11",
                "handed_to_people": 2,
                "handed_to_groups": 1,
                "unassigned": 0,
            },
        ),
        "team.away_cleared": (member, {}),
        "team.away_handed_back": (
            member,
            {"handed_to_people": 2, "handed_to_groups": 1, "unassigned": 0},
        ),
        "team.cap_set": (member, {"cap": 10}),
    }


def test_each_action_reads_as_a_sentence_of_its_own(world: World) -> None:
    samples = _samples(world)
    assert set(samples) == set(SENTENCES)  # a new sentence gets a sample here
    AuditEntry.objects.all().delete()
    actor = world.members["owner"].user
    for action, (target, data) in samples.items():
        services.audit_record(workspace=world.a, actor=actor, action=action, target=target, **data)
    lines = {line.entry.action: line.sentence for line in audit_lines(AuditEntry.objects.all())}
    owner = actor.display_name
    creator = world.members["content_creator"].user.display_name
    for action, sentence in lines.items():
        assert sentence.startswith(owner), (action, sentence)
        assert not RAW.search(sentence), (action, sentence)
        assert ": " + action.replace(".", " ") not in sentence, ("fell back", action, sentence)
    assert lines["member.roles_changed"] == (
        f"{owner} changed the roles of {creator} from Content Creator to Social Data Analyst"
    )
    assert lines["workspace.updated"] == (
        f"{owner} changed the workspace settings: time zone from UTC to Europe/Warsaw; "
        "language from English to Polish"
    )
    assert lines["member.channel_access"] == f"{owner} let {creator} use Alpha Sandbox"
    assert lines["inbox.assigned"].endswith(f"to {creator} / Legal review")
    assert lines["post.scheduled"] == f"{owner} published “Alpha news” on Alpha Sandbox (now)"
    assert lines["post.deleted"] == f"{owner} deleted “Old news” and removed it from the networks"
    assert (
        lines["team.size_set"] == f"{owner} set the company size to a mid-size company (3–5 people)"
    )
    assert lines["team.profile_updated"] == (
        f"{owner} changed the team profile of {creator}: who they report to, working hours"
    )
    assert "Change workspace settings" not in lines["token.created"]
    assert "Create, edit, schedule and cancel posts" in lines["token.created"]


def test_an_unknown_action_or_a_removed_target_still_reads_as_words(world: World) -> None:
    AuditEntry.objects.all().delete()
    services.audit_record(
        workspace=world.a, actor=None, action="report.exported", format="csv", rows=[1, 2]
    )
    entry = AuditEntry.objects.create(
        workspace=world.a, action="post.cancelled", target_type="post", target_id="999999"
    )
    lines = [line.sentence for line in audit_lines(AuditEntry.objects.order_by("id"))]
    assert lines == ["Roost: report exported", "Roost cancelled something since removed"]
    assert entry.pk


# --- the approval history: scheduled, or published, without approval ---------------------


@pytest.fixture
def workflow(world: World) -> Workflow:
    wf = Workflow.objects.create(workspace=world.a, name="Brand review", is_default=True)
    WorkflowStep.objects.create(workflow=wf, position=1, name="Legal").members.set(
        [world.members["admin"]]
    )
    return wf


def _history(world: World, post: Post) -> str:
    html = world.client_for("owner").get(f"/w/alpha/posts/{post.pk}/").content.decode()
    return " ".join(html.split("approval-events")[1].split())


def test_a_manager_who_schedules_past_a_workflow_is_logged_as_scheduled(
    world: World, workflow: Workflow, frozen: None
) -> None:
    post = post_compose(
        actor=world.members["social_media_manager"],
        data=PostInput(text="Only scheduled", channel_ids=[world.a_channel.pk]),
        mode="at",
        at=PLANNED,
    )
    history = _history(world, post)
    assert "Scheduled (no approval needed)" in history
    assert "Published" not in history


def test_a_manager_who_publishes_now_past_a_workflow_is_logged_as_published(
    world: World, workflow: Workflow, frozen: None
) -> None:
    post = post_compose(
        actor=world.members["social_media_manager"],
        data=PostInput(text="Right now", channel_ids=[world.a_channel.pk]),
        mode="now",
    )
    assert "Published (no approval needed)" in _history(world, post)
