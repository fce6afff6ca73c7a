"""Who sees what: signals (self, reports, MANAGE_TEAM), check-in notes (the author only:
pages, API), the team average only with three answers; the page's query count; the API."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.contrib import admin
from django.test import Client

from roost.conftest import World, token_for
from roost.team.models import MemberProfile, WeeklyCheckIn, WorkloadDay
from roost.team.selectors import visible_members
from roost.team.services.workload import check_in_save
from roost.workspaces.models import AuditEntry

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
WEEK = date(2026, 11, 30)
PAGE = "/w/alpha/team/workload/"
API = "/api/v1/workspaces/alpha/team/workload"
SECRET = "I am exhausted and thinking of leaving"


@pytest.fixture(autouse=True)
def frozen(monkeypatch: Any) -> None:
    monkeypatch.setattr("roost.core.clock.now", lambda: NOW)


def call(method: str, url: str, token: str, body: Any = None, key: str = "") -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if key:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return Client().generic(
        method,
        url,
        data=json.dumps(body) if body is not None else "",
        content_type="application/json",
        **headers,
    )


def report(world: World, member: str, to: str) -> None:
    MemberProfile.objects.update_or_create(
        membership=world.members[member],
        defaults={"workspace": world.a, "reports_to": world.members[to]},
    )


def test_visible_members_follows_the_reports_chain(world: World) -> None:
    m = world.members
    report(world, "analyst", "content_creator")
    report(world, "sales", "analyst")
    report(world, "content_creator", "sales")  # a cycle: walked once
    seen = set(visible_members(m["content_creator"]).values_list("pk", flat=True))
    assert seen == {m["content_creator"].pk, m["analyst"].pk, m["sales"].pk}
    assert set(visible_members(m["customer_care"]).values_list("pk", flat=True)) == {
        m["customer_care"].pk
    }
    everyone = set(visible_members(m["social_media_manager"]).values_list("pk", flat=True))
    assert everyone == set(m[r].pk for r in m) | {world.a_group.members.first().pk}
    assert world.b_member.pk not in everyone


def test_a_note_is_shown_only_to_its_author(world: World) -> None:
    creator = world.members["content_creator"]
    check_in_save(actor=creator, score=5, note=SECRET)
    mine = world.client_for("content_creator").get(PAGE).content.decode()
    assert SECRET in mine
    for role in ("owner", "admin", "social_media_manager"):
        page = world.client_for(role).get(PAGE).content.decode()
        assert SECRET not in page, role
    for role in ("owner", "social_media_manager"):
        token = token_for(world.members[role])
        for path in ("/signals", "/check-ins", "/trend"):
            body = call("get", API + path, token).content.decode()
            assert SECRET not in body, (role, path)
    creator_token = token_for(creator)
    assert call("get", API + "/check-ins", creator_token).json() == [
        {"week": "2026-11-30", "score": 5, "note": SECRET}
    ]
    assert not AuditEntry.objects.filter(data__icontains="exhausted").exists()
    assert WeeklyCheckIn not in admin.site._registry


def test_team_average_needs_three_answers(world: World) -> None:
    manager = world.client_for("social_media_manager")
    for role, score in (("content_creator", 2), ("analyst", 4)):
        check_in_save(actor=world.members[role], score=score)
    page = manager.get(PAGE).content.decode()
    assert "hidden to keep answers private" in page
    token = token_for(world.members["social_media_manager"])
    trend = {t["week"]: t for t in call("get", API + "/trend", token).json()}
    assert trend["2026-11-30"]["check_in_average"] is None
    check_in_save(actor=world.members["sales"], score=3)
    trend = {t["week"]: t for t in call("get", API + "/trend", token).json()}
    assert trend["2026-11-30"]["check_in_average"] == 3.0


def test_a_content_creator_sees_only_their_own_signals(world: World) -> None:
    creator = world.members["content_creator"]
    page = world.client_for("content_creator").get(PAGE)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="workload"' not in html
    assert html.count('data-testid="signal-row"') == 1
    assert f'data-member="{creator.pk}"' in html
    assert [s["member"] for s in call("get", API + "/signals", token_for(creator)).json()] == [
        creator.pk
    ]
    # Once someone reports to them, they see that person too.
    report(world, "analyst", "content_creator")
    html = world.client_for("content_creator").get(PAGE).content.decode()
    assert f'data-member="{world.members["analyst"].pk}"' in html
    assert 'data-testid="workload"' in html


def test_manager_page_has_a_fixed_number_of_queries(
    world: World, django_assert_max_num_queries: Any
) -> None:
    for m in world.members.values():
        WorkloadDay.objects.create(
            workspace=world.a, member=m, day=date(2026, 12, 1), handled=3, actions=5
        )
    client = world.client_for("social_media_manager")
    with django_assert_max_num_queries(30):
        html = client.get(PAGE).content.decode()
    # Everyone but the manager in the team table, and the manager in "My workload".
    assert html.count('data-testid="signal-row"') == len(world.members)


def test_check_in_and_away_forms_and_api(world: World) -> None:
    client = world.client_for("customer_care")
    care = world.members["customer_care"]
    response = client.post(PAGE + "check-in/", {"score": "4", "note": "fine"})
    assert response.status_code == 302
    assert WeeklyCheckIn.objects.get(member=care).score == 4
    client.post(PAGE + "check-in/", {"score": "9"})
    assert WeeklyCheckIn.objects.get(member=care).score == 4  # refused, nothing changed
    client.post(PAGE + "away/", {"away_from": "2026-12-07", "away_until": "2026-12-11"})
    care.refresh_from_db()
    assert care.away_until == date(2026, 12, 11)
    manager = world.client_for("social_media_manager")
    manager_page = manager.get(PAGE).content.decode()
    assert "away until 2026-12-11" in manager_page
    manager.post(PAGE + "manage/", {"member": str(care.pk), "what": "cap", "cap": "4"})
    care.refresh_from_db()
    assert care.assignment_cap == 4
    manager.post(PAGE + "manage/", {"member": str(care.pk), "what": "away", "clear": "1"})
    care.refresh_from_db()
    assert care.away_until is None
    world.client_for("customer_care").post(
        PAGE + "manage/", {"member": str(care.pk), "what": "cap", "cap": "99"}
    )
    care.refresh_from_db()
    assert care.assignment_cap == 4  # only MANAGE_TEAM
    token = token_for(world.members["social_media_manager"])
    r = call("post", f"{API}/members/{care.pk}/cap", token, {"cap": 7}, key="cap-1")
    assert r.status_code == 200 and r.json() == {"member": care.pk, "cap": 7}
    r = call("post", f"{API}/members/{care.pk}/cap", token, {"cap": -1})
    assert r.status_code == 422
    r = call(
        "post",
        f"{API}/members/{care.pk}/away",
        token,
        {"away_from": "2026-12-03", "away_until": "2026-12-04"},
    )
    assert r.status_code == 200 and r.json()["away_until"] == "2026-12-04"
    r = call("post", f"{API}/members/{care.pk}/away/clear", token)
    assert r.status_code == 200 and r.json()["away_until"] is None
    creator_token = token_for(world.members["content_creator"])
    r = call("post", f"{API}/members/{care.pk}/cap", creator_token, {"cap": 1})
    assert r.status_code == 403
    r = call("post", f"{API}/check-ins", creator_token, {"score": 2, "note": "x"}, key="c-1")
    assert r.status_code == 201 and r.json() == {"week": "2026-11-30", "score": 2, "note": "x"}
    r = call("post", f"{API}/check-ins", creator_token, {"score": 6})
    assert r.status_code == 422
    care.refresh_from_db()
    assert care.assignment_cap == 7
