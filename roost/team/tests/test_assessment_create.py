"""Making a practical exercise: its workspace, what is seeded, the login, permissions."""

from __future__ import annotations

from typing import Any

import pytest

from roost.accounts.models import User
from roost.approvals.models import ApprovalSettings, Workflow
from roost.channels.models import Channel, ChannelStatus
from roost.conftest import World
from roost.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from roost.inbox.models import InboxTag, Message
from roost.publishing.models import Campaign
from roost.team.models import Assessment, Candidate
from roost.team.services.assessment import assessment_create, assessment_discard
from roost.team.tests.assessment_fixtures import make_candidate, make_exercise
from roost.workspaces.models import AuditEntry, Group, Membership, Workspace


def test_the_inbox_exercise_is_a_workspace_of_its_own(world: World) -> None:
    candidate = make_candidate(world, "Casey Candidate")
    manager = world.members["social_media_manager"]
    assessment, secret = assessment_create(actor=manager, candidate=candidate, scenario="inbox")

    ws = assessment.workspace
    assert ws is not None and ws.pk not in (world.a.pk, world.b.pk)
    assert ws.name == f"Assessment #{candidate.pk} — Community Manager"
    assert "Casey" not in ws.name
    assert secret.startswith("asm_") and secret not in assessment.token_hash
    # The manager owns it; the candidate's login is its only other member.
    members = {m.user_id: m.role_codes for m in Membership.objects.filter(workspace=ws)}
    login = assessment.login
    assert members == {manager.user_id: ["owner"], login.pk: ["community_manager"]}
    assert login.email.startswith("candidate-") and login.email.endswith("@assessment.invalid")
    assert login.name == "Casey Candidate"
    assert not login.has_usable_password()
    assert login.access_expires_at == assessment.expires_at
    assert (assessment.expires_at - assessment.created_at).days == 3
    assert Membership.objects.filter(user=login).count() == 1

    channel = Channel.objects.get(workspace=ws)
    assert channel.name == "Assessment channel — not connected to any network"
    assert channel.status == ChannelStatus.NEEDS_RECONNECT and channel.config == {"inert": True}
    assert ApprovalSettings.objects.filter(
        workspace=ws, require_for_everyone=True, require_for_inbox_replies=True
    ).exists()
    assert sorted(Workflow.objects.filter(workspace=ws).values_list("kind", flat=True)) == [
        "post",
        "reply",
    ]
    assert set(Group.objects.filter(workspace=ws).values_list("name", flat=True)) == {
        "Customer Care",
        "Sales",
    }
    assert InboxTag.objects.filter(workspace=ws).count() == 6

    messages = Message.objects.filter(workspace=ws)
    assert messages.count() == 10
    expected = assessment.expected["messages"]
    assert set(expected) == {str(pk) for pk in messages.values_list("pk", flat=True)}
    kinds = sorted(e["expect"] for e in expected.values())
    assert kinds == sorted(
        ["reply"] * 3 + ["care_task"] * 3 + ["lead_task"] * 2 + ["complete_no_reply"] * 2
    )
    candidate.refresh_from_db()
    assert candidate.stage == "exercise"
    entry = AuditEntry.objects.get(workspace=world.a, action="assessment.created")
    assert entry.data == {"scenario": "inbox", "days": 3, "stage": "exercise"}


def test_the_campaign_exercise_seeds_a_campaign_and_a_brief(world: World) -> None:
    assessment, _secret = make_exercise(world, "campaign")
    ws = assessment.workspace
    campaign = Campaign.objects.get(workspace=ws)
    assert campaign.name == "Spring cold brew launch"
    assert assessment.expected["campaign"] == campaign.pk
    assert set(assessment.expected["brief"]) == {"goal", "audience", "key_message", "dates", "ask"}
    assert Membership.objects.get(user=assessment.login).role_codes == ["content_creator"]
    assert not Message.objects.filter(workspace=ws).exists()


def test_a_later_stage_is_kept(world: World) -> None:
    candidate = make_candidate(world, stage="interview")
    make_exercise(world, candidate=candidate)
    candidate.refresh_from_db()
    assert candidate.stage == "interview"


@pytest.mark.parametrize(
    "role", ["content_creator", "community_manager", "analyst", "customer_care"]
)
def test_only_hire_creates(world: World, role: str) -> None:
    candidate = make_candidate(world)
    workspaces = Workspace.objects.count()
    with pytest.raises(PermissionDenied):
        assessment_create(actor=world.members[role], candidate=candidate, scenario="inbox")
    assert Workspace.objects.count() == workspaces
    assert not Assessment.objects.exists()


def test_another_workspaces_candidate_is_not_found(world: World) -> None:
    candidate = make_candidate(world)
    from roost.core.exceptions import NotFound

    with pytest.raises(NotFound):
        assessment_create(actor=world.b_owner, candidate=candidate, scenario="inbox")


@pytest.mark.parametrize(
    ("scenario", "days", "field"),
    [("chess", 3, "scenario"), ("inbox", 0, "days"), ("inbox", 15, "days")],
)
def test_bad_input_saves_nothing(world: World, scenario: str, days: int, field: str) -> None:
    candidate = make_candidate(world)
    users, workspaces = User.objects.count(), Workspace.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        assessment_create(
            actor=world.members["owner"], candidate=candidate, scenario=scenario, days=days
        )
    assert list(exc.value.errors) == [field]
    assert (User.objects.count(), Workspace.objects.count()) == (users, workspaces)
    assert Candidate.objects.get(pk=candidate.pk).stage == "screening"


def test_one_exercise_per_candidate(world: World) -> None:
    candidate = make_candidate(world)
    make_exercise(world, candidate=candidate)
    workspaces = Workspace.objects.count()
    with pytest.raises(Conflict):
        make_exercise(world, candidate=candidate)
    assert Workspace.objects.count() == workspaces


def test_a_hired_candidate_gets_no_exercise(world: World) -> None:
    with pytest.raises(Conflict):
        make_exercise(world, candidate=make_candidate(world, stage="hired"))


def test_discard_deletes_the_workspace_and_the_login(world: World) -> None:
    assessment, _secret = make_exercise(world)
    ws_id, login_id = assessment.workspace_id, assessment.login_id
    manager = world.members["social_media_manager"].user
    assessment_discard(assessment)
    assert not Workspace.objects.filter(pk=ws_id).exists()
    assert not User.objects.filter(pk=login_id).exists()
    assert not Message.objects.filter(workspace_id=ws_id).exists()
    assert User.objects.filter(pk=manager.pk).exists()
    assessment.refresh_from_db()
    assert (assessment.workspace_id, assessment.login_id) == (None, None)


def test_the_daily_brief_skips_the_assessment_workspace(world: World, monkeypatch: Any) -> None:
    from roost.briefing import services as briefing

    assessment, _secret = make_exercise(world)
    sent: list[int] = []
    monkeypatch.setattr(briefing, "brief_send", lambda ws, settings, now: sent.append(ws.pk) or 1)
    monkeypatch.setattr(briefing, "due_day", lambda settings, now, zone: now.date())
    briefing.briefs_send_due()
    assert assessment.workspace_id not in sent
    assert world.a.pk in sent
