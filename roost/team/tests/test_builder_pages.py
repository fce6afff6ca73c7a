"""The shape and coverage page and the member profile page: who sees and changes what,
the first step without a size, gaps in words, the hire prompt, fixed queries."""

from __future__ import annotations

import re
from typing import Any

import pytest

from roost.conftest import World, make_user
from roost.team.models import MemberProfile, TeamSettings
from roost.team.tests.builder_helpers import team_of
from roost.workspaces.models import AuditEntry
from roost.workspaces.seeding import seed_member


def _html(response: Any) -> str:
    return response.content.decode()


def _gaps(html: str) -> list[str]:
    return re.findall(r'<li data-gap="(\w+)"', html)


def test_without_a_size_the_page_asks_for_it_first(world: World) -> None:
    html = _html(world.client_for("social_media_manager").get("/w/alpha/team/builder/"))
    assert 'data-testid="no-size"' in html
    assert 'data-testid="company-size"' in html
    assert 'data-testid="shape"' not in html
    assert 'data-testid="coverage"' in html and 'data-testid="no-gaps"' in html
    # Someone who may not change it sees who does.
    html = _html(world.client_for("content_creator").get("/w/alpha/team/builder/"))
    assert 'data-testid="no-size"' in html and 'data-testid="company-size"' not in html
    assert "A team manager (Owner, Admin or Social Media Manager) sets it." in html


def test_a_manager_sets_the_size_and_sees_the_shape(world: World) -> None:
    client = world.client_for("social_media_manager")
    response = client.post("/w/alpha/team/builder/size/", {"company_size": "mid"})
    assert response.status_code == 302
    assert TeamSettings.objects.get(workspace=world.a).company_size == "mid"
    html = _html(client.get("/w/alpha/team/builder/"))
    assert 'data-testid="no-size"' not in html
    assert "Analyst and paid media" in html and "(hybrid)" in html
    assert "5 people carry social work today; the recommended range is 3–5." in html
    assert "At this size one person should carry at most 2 areas." in html
    assert "Owns the social strategy" in html and "Crisis communication" in html
    response = client.post("/w/alpha/team/builder/size/", {"company_size": "huge"})
    assert response.status_code == 422
    assert "Select a valid choice" in _html(response)
    assert TeamSettings.objects.get(workspace=world.a).company_size == "mid"


@pytest.mark.parametrize("role", ["content_creator", "analyst", "customer_care", "sales"])
def test_members_without_manage_team_cannot_set_the_size(world: World, role: str) -> None:
    before = AuditEntry.objects.count()
    response = world.client_for(role).post("/w/alpha/team/builder/size/", {"company_size": "mid"})
    assert response.status_code == 403
    assert not TeamSettings.objects.filter(workspace=world.a).exists()
    assert AuditEntry.objects.count() == before


def test_gaps_in_words_with_a_hire_prompt_for_those_who_may_hire(db: Any) -> None:
    from django.test import Client

    workspace, m = team_of(
        "gaps", [("Maja Manager", ["social_media_manager"]), ("Kuba Creator", ["content_creator"])]
    )
    TeamSettings.objects.create(workspace=workspace, company_size="mid")
    manager = Client()
    manager.force_login(m["Maja Manager"].user)
    html = _html(manager.get("/w/gaps/team/builder/"))
    assert _gaps(html) == ["community", "analytics", "paid", "care"]
    assert "Nobody covers Paid media: nobody runs the paid budgets, boosts and A/B tests." in html
    assert "Customer care is handled by another department at this size" in html
    assert html.count('href="/w/gaps/team/hiring/"') == 1 + 3  # the tab and one per gap
    creator = Client()
    creator.force_login(m["Kuba Creator"].user)
    html = _html(creator.get("/w/gaps/team/builder/"))
    assert _gaps(html) == ["community", "analytics", "paid", "care"]
    assert 'href="/w/gaps/team/hiring/"' not in html
    assert "2 people carry social work today" in html
    assert 'data-testid="headcount-below"' in html


def test_the_overloaded_are_named(world: World) -> None:
    TeamSettings.objects.create(workspace=world.a, company_size="mid")
    MemberProfile.objects.create(
        workspace=world.a,
        membership=world.members["analyst"],
        responsibilities=["paid", "content"],
    )
    html = _html(world.client_for("analyst").get("/w/alpha/team/builder/"))
    section = html.split('data-testid="overloaded"')[1].split("</section>")[0]
    assert (
        "Alpha Social Data Analyst carries 3 areas (Content creation, Analytics and reporting, "
        "Paid media); at this size at most 2." in section
    )


def test_the_page_takes_a_fixed_number_of_queries(
    world: World, django_assert_max_num_queries: Any
) -> None:
    TeamSettings.objects.create(workspace=world.a, company_size="large")
    client = world.client_for("social_media_manager")
    client.get("/w/alpha/team/builder/")
    with django_assert_max_num_queries(16) as first:
        client.get("/w/alpha/team/builder/")
    for n in range(10):
        member = seed_member(world.a, make_user(f"x{n}@alpha.test", f"X {n}"), ["analyst"])
        MemberProfile.objects.create(
            workspace=world.a, membership=member, reports_to=world.members["analyst"]
        )
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get("/w/alpha/team/builder/")
    assert "X 9" in _html(response)


def test_a_manager_edits_a_profile_on_its_page(world: World) -> None:
    client = world.client_for("social_media_manager")
    creator, manager = world.members["content_creator"], world.members["social_media_manager"]
    url = f"/w/alpha/team/people/{creator.pk}/"
    html = _html(client.get(url))
    # The default week: Monday to Friday 09:00–17:00.
    assert 'name="day_0" id="id_day_0" checked' in html
    assert 'name="day_5" id="id_day_5"' in html and 'name="day_5" id="id_day_5" checked' not in html
    assert 'name="start_0" value="09:00"' in html and 'name="end_4" value="17:00"' in html
    data = {
        "reports_to": str(manager.pk),
        "day_0": "on",
        "start_0": "08:00",
        "end_0": "16:00",
        "day_5": "on",
        "start_5": "10:00",
        "end_5": "14:00",
        "responsibilities": ["paid"],
    }
    response = client.post(f"{url}edit/", data)
    assert response.status_code == 302
    profile = MemberProfile.objects.get(membership=creator)
    assert profile.reports_to_id == manager.pk
    assert profile.working_hours == {"0": ["08:00", "16:00"], "5": ["10:00", "14:00"]}
    assert profile.responsibilities == ["paid"]
    html = _html(client.get(url))
    assert "Tuesday: day off" in html and "Saturday: 10:00–14:00" in html
    assert 'data-testid="reports-to">Alpha Social Media Manager<' in html
    # A circle is refused in words, and nothing changes.
    response = client.post(
        f"/w/alpha/team/people/{manager.pk}/edit/",
        {"reports_to": str(creator.pk), "day_0": "on", "start_0": "09:00", "end_0": "17:00"},
    )
    assert response.status_code == 422
    assert (
        "That would make a circle of managers: Alpha Social Media Manager → "
        "Alpha Content Creator → Alpha Social Media Manager." in _html(response)
    )
    assert not MemberProfile.objects.filter(membership=manager).exists()
    response = client.post(f"{url}edit/", {**data, "end_0": "07:00"})
    assert response.status_code == 422
    assert "A working day must end after it starts." in _html(response)
    response = client.post(f"{url}edit/", {"reports_to": ""})
    assert response.status_code == 422
    assert "Give at least one working day." in _html(response)
    assert MemberProfile.objects.get(membership=creator).working_hours["0"] == ["08:00", "16:00"]


def test_a_member_changes_their_own_hours_only(world: World) -> None:
    creator, analyst = world.members["content_creator"], world.members["analyst"]
    client = world.client_for("content_creator")
    html = _html(client.get(f"/w/alpha/team/people/{creator.pk}/"))
    assert 'action="/w/alpha/team/people/me/hours/"' in html
    assert 'name="reports_to"' not in html and 'name="responsibilities"' not in html
    html = _html(client.get(f"/w/alpha/team/people/{analyst.pk}/"))
    assert 'data-testid="profile-form"' not in html and 'data-testid="week"' in html
    response = client.post(
        "/w/alpha/team/people/me/hours/", {"day_1": "on", "start_1": "12:00", "end_1": "20:00"}
    )
    assert response.status_code == 302
    assert MemberProfile.objects.get(membership=creator).working_hours == {"1": ["12:00", "20:00"]}
    before = AuditEntry.objects.count()
    response = client.post(
        f"/w/alpha/team/people/{analyst.pk}/edit/",
        {"day_1": "on", "start_1": "12:00", "end_1": "20:00"},
    )
    assert response.status_code == 403
    assert not MemberProfile.objects.filter(membership=analyst).exists()
    assert AuditEntry.objects.count() == before


def test_another_workspaces_member_is_not_found(world: World) -> None:
    client = world.client_for("owner")
    assert client.get(f"/w/alpha/team/people/{world.b_member.pk}/").status_code == 404
    response = client.post(
        f"/w/alpha/team/people/{world.members['analyst'].pk}/edit/",
        {"reports_to": str(world.b_member.pk), "day_0": "on", "start_0": "09:00", "end_0": "17:00"},
    )
    assert response.status_code == 422
    assert "Select a valid choice" in _html(response)
    assert not MemberProfile.objects.exists()
