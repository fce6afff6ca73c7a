"""The company size and team profiles through the services: audit, managers without
circles, working hours, who may change what (denied paths change nothing), removal."""

from __future__ import annotations

from typing import Any

import pytest

from roost.conftest import World
from roost.core.exceptions import PermissionDenied, ValidationFailed
from roost.team.models import MemberProfile, TeamSettings
from roost.team.services.profiles import member_profile_update, team_settings_set
from roost.workspaces import services as ws_services
from roost.workspaces.models import AuditEntry

WEEK = {"0": ["08:00", "16:00"], "2": ["10:00", "18:30"]}


def _audit(action: str) -> list[dict[str, Any]]:
    return [e.data for e in AuditEntry.objects.filter(action=action).order_by("id")]


def test_a_manager_sets_the_company_size_once_per_change(world: World) -> None:
    manager = world.members["social_media_manager"]
    team_settings_set(actor=manager, company_size="mid")
    team_settings_set(actor=manager, company_size="mid")  # no change: no second entry
    team_settings_set(actor=manager, company_size="large")
    assert TeamSettings.objects.get(workspace=world.a).company_size == "large"
    assert _audit("team.size_set") == [
        {"size": "mid", "before": ""},
        {"size": "large", "before": "mid"},
    ]


def test_an_unknown_size_or_a_member_without_manage_team_changes_nothing(world: World) -> None:
    with pytest.raises(ValidationFailed) as exc:
        team_settings_set(actor=world.members["owner"], company_size="huge")
    assert exc.value.errors == {"company_size": ["Choose one of the company sizes."]}
    for role in ("content_creator", "analyst", "customer_care"):
        with pytest.raises(PermissionDenied):
            team_settings_set(actor=world.members[role], company_size="small")
    assert not TeamSettings.objects.filter(workspace=world.a).exclude(company_size="").exists()
    assert _audit("team.size_set") == []


def test_a_manager_edits_a_profile_and_the_audit_names_what_changed(world: World) -> None:
    manager, creator = world.members["social_media_manager"], world.members["content_creator"]
    profile = member_profile_update(
        actor=manager,
        member=creator,
        reports_to=manager,
        working_hours=WEEK,
        responsibilities=["paid", "community", "paid"],
    )
    profile.refresh_from_db()
    assert profile.reports_to_id == manager.pk
    assert profile.working_hours == WEEK
    assert profile.responsibilities == ["community", "paid"]
    # The same values again: nothing changes, nothing is logged.
    member_profile_update(
        actor=manager,
        member=creator,
        reports_to=manager,
        working_hours=WEEK,
        responsibilities=["community", "paid"],
    )
    member_profile_update(actor=manager, member=creator, reports_to=None)
    assert MemberProfile.objects.get(membership=creator).reports_to_id is None
    assert _audit("team.profile_updated") == [
        {
            "changed": ["reports_to", "working_hours", "responsibilities"],
            "responsibilities": ["community", "paid"],
        },
        {"changed": ["reports_to"], "responsibilities": ["community", "paid"]},
    ]


def test_a_circle_of_managers_is_refused_naming_the_people(world: World) -> None:
    manager, creator = world.members["social_media_manager"], world.members["content_creator"]
    analyst, owner = world.members["analyst"], world.members["owner"]
    member_profile_update(actor=owner, member=creator, reports_to=manager)
    with pytest.raises(ValidationFailed) as exc:
        member_profile_update(actor=owner, member=manager, reports_to=creator)
    assert exc.value.errors == {
        "reports_to": [
            "That would make a circle of managers: Alpha Social Media Manager → "
            "Alpha Content Creator → Alpha Social Media Manager."
        ]
    }
    member_profile_update(actor=owner, member=analyst, reports_to=creator)
    with pytest.raises(ValidationFailed) as exc:
        member_profile_update(actor=owner, member=manager, reports_to=analyst)
    assert "Alpha Social Data Analyst → Alpha Content Creator" in exc.value.errors["reports_to"][0]
    with pytest.raises(ValidationFailed) as exc:
        member_profile_update(actor=owner, member=manager, reports_to=manager)
    assert exc.value.errors == {"reports_to": ["Nobody can report to themselves."]}
    with pytest.raises(ValidationFailed) as exc:
        member_profile_update(actor=owner, member=manager, reports_to=world.b_member)
    assert exc.value.errors == {"reports_to": ["Choose a member of this workspace."]}
    assert not MemberProfile.objects.filter(membership=manager).exists()


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ({}, "Give at least one working day."),
        ({"7": ["09:00", "17:00"]}, "“7” is not a weekday (0 to 6)."),
        ({"0": ["9:00", "17:00"]}, "Give the hours as HH:MM, e.g. 09:00 and 17:00."),
        ({"0": ["09:00", "24:00"]}, "Give the hours as HH:MM, e.g. 09:00 and 17:00."),
        ({"0": ["17:00", "09:00"]}, "A working day must end after it starts."),
        (["09:00"], "Working hours must be a weekly table."),
    ],
)
def test_working_hours_are_checked(world: World, hours: Any, message: str) -> None:
    creator = world.members["content_creator"]
    with pytest.raises(ValidationFailed) as exc:
        member_profile_update(actor=creator, member=creator, working_hours=hours)
    assert exc.value.errors == {"working_hours": [message]}
    assert not MemberProfile.objects.filter(membership=creator).exists()


def test_an_unknown_responsibility_is_refused(world: World) -> None:
    creator = world.members["content_creator"]
    with pytest.raises(ValidationFailed) as exc:
        member_profile_update(
            actor=world.members["owner"], member=creator, responsibilities=["juggling"]
        )
    assert exc.value.errors == {"responsibilities": ["“juggling” is not a responsibility."]}


def test_a_member_changes_only_their_own_working_hours(world: World) -> None:
    creator, analyst = world.members["content_creator"], world.members["analyst"]
    manager = world.members["social_media_manager"]
    member_profile_update(actor=creator, member=creator, working_hours=WEEK)
    assert MemberProfile.objects.get(membership=creator).working_hours == WEEK
    before = AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):
        member_profile_update(actor=creator, member=analyst, working_hours=WEEK)
    with pytest.raises(PermissionDenied):
        member_profile_update(actor=creator, member=creator, reports_to=manager)
    with pytest.raises(PermissionDenied):
        member_profile_update(actor=creator, member=creator, responsibilities=["paid"])
    with pytest.raises(PermissionDenied):  # hours and a manager at once: nothing at all
        member_profile_update(
            actor=creator,
            member=creator,
            reports_to=manager,
            working_hours={"0": ["07:00", "15:00"]},
        )
    assert AuditEntry.objects.count() == before
    profile = MemberProfile.objects.get(membership=creator)
    assert (profile.reports_to_id, profile.working_hours, profile.responsibilities) == (
        None,
        WEEK,
        [],
    )
    assert not MemberProfile.objects.filter(membership=analyst).exists()


def test_removing_a_manager_leaves_their_reports_without_one(world: World) -> None:
    manager, creator = world.members["social_media_manager"], world.members["content_creator"]
    owner = world.members["owner"]
    member_profile_update(actor=owner, member=creator, reports_to=manager)
    ws_services.member_remove(actor=owner, member=manager)
    profile = MemberProfile.objects.get(membership=creator)
    assert profile.reports_to_id is None
