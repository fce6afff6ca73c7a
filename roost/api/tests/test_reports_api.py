"""The reports API: sections, a report as JSON and CSV, schedules CRUD, bad input."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.test import Client

from roost.analytics.models import ReportSchedule
from roost.analytics.testing import published, read
from roost.conftest import B_MARKER, World, token_for

WARSAW = ZoneInfo("Europe/Warsaw")


def _call(method: str, url: str, token: str, body: Any = None) -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    data = json.dumps(body) if body is not None else None
    return Client().generic(
        method, url, data=data or "", content_type="application/json", **headers
    )


def _base(world: World) -> str:
    return f"/api/v1/workspaces/{world.a.slug}/reports"


def test_sections_and_report_as_json(world: World) -> None:
    day = date(2031, 3, 2)
    d = published(world.a_channel, datetime.combine(day, time(12), tzinfo=WARSAW), "=cmd|x")
    read(d, datetime.combine(day, time(18), tzinfo=WARSAW), likes=4, impressions=100)
    token = token_for(world.members["analyst"], ["read"])
    response = _call("GET", _base(world) + "/sections", token)
    assert response.status_code == 200
    assert [s["key"] for s in response.json()] == [
        "summary",
        "daily",
        "channels",
        "top_posts",
        "goals",
    ]
    response = _call(
        "GET",
        _base(world) + "?sections=daily&sections=top_posts&start=2031-03-01&end=2031-03-03",
        token,
    )
    assert response.status_code == 200
    body = response.json()
    assert body["start"] == "2031-03-01" and body["end"] == "2031-03-03"
    assert [s["key"] for s in body["sections"]] == ["daily", "top_posts"]
    assert body["sections"][0]["rows"][1][:3] == ["2031-03-02", 1, 4]
    assert B_MARKER not in response.content.decode()

    response = _call("GET", _base(world) + "/csv?sections=top_posts&days=7", token)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")


def test_csv_escapes_formulas(world: World) -> None:
    now = datetime.now(WARSAW) - timedelta(days=1)
    d = published(world.a_channel, now, "=cmd|' /C calc'!A0")
    read(d, now + timedelta(minutes=5), likes=1)
    token = token_for(world.members["owner"], ["read"])
    text = _call("GET", _base(world) + "/csv?sections=top_posts", token).content.decode()
    assert "'=cmd|" in text


def test_bad_report_input_is_a_clear_422(world: World) -> None:
    token = token_for(world.members["owner"], ["read"])
    response = _call("GET", _base(world) + "?sections=nope", token)
    assert response.status_code == 422
    assert "Unknown section: nope" in response.content.decode()
    response = _call("GET", _base(world) + "?start=2031-03-09&end=2031-03-01", token)
    assert response.status_code == 422
    assert "ends before it starts" in response.content.decode()
    response = _call("GET", _base(world) + "?start=2031-03-09", token)
    assert response.status_code == 422


def test_schedules_crud(world: World) -> None:
    token = token_for(world.members["analyst"])
    analyst = world.members["analyst"]
    body = {
        "name": "Monthly to the board",
        "sections": ["summary", "goals"],
        "period_days": 30,
        "frequency": "monthly",
        "hour": 9,
        "day_of_month": 31,
        "member_ids": [analyst.pk],
        "emails": ["board@example.com"],
    }
    response = _call("POST", _base(world) + "/schedules", token, body)
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["member_ids"] == [analyst.pk] and created["emails"] == ["board@example.com"]
    sid = created["id"]
    assert _call("GET", _base(world) + "/schedules", token).json()[0]["id"] == sid
    response = _call("PUT", f"{_base(world)}/schedules/{sid}", token, {**body, "hour": 7})
    assert response.status_code == 200 and response.json()["hour"] == 7
    assert _call("GET", f"{_base(world)}/schedules/{sid}", token).json()["hour"] == 7
    assert _call("DELETE", f"{_base(world)}/schedules/{sid}", token).status_code == 204
    assert ReportSchedule.objects.count() == 0


def test_schedule_bad_input(world: World) -> None:
    token = token_for(world.members["owner"])
    body = {
        "name": "X",
        "sections": ["summary", "bogus"],
        "frequency": "weekly",
        "emails": ["not-an-email"],
        "member_ids": [world.b_member.pk],
    }
    response = _call("POST", _base(world) + "/schedules", token, body)
    assert response.status_code == 422
    detail = {d["loc"][-1]: d["msg"] for d in response.json()["detail"]}
    assert "bogus" in detail["sections"]
    assert "not-an-email" in detail["emails"]
    assert "member_ids" in detail
    response = _call("POST", _base(world) + "/schedules", token, {**body, "frequency": "daily"})
    assert response.status_code == 422
    assert ReportSchedule.objects.count() == 0


def test_schedule_writes_need_the_scope_and_the_role(world: World) -> None:
    body = {"name": "X", "sections": ["daily"], "frequency": "weekly", "emails": ["a@b.example"]}
    read_only = token_for(world.members["owner"], ["read"])
    response = _call("POST", _base(world) + "/schedules", read_only, body)
    assert response.status_code == 403 and "analytics:write" in response.json()["detail"]
    creator = token_for(world.members["content_creator"])
    assert _call("POST", _base(world) + "/schedules", creator, body).status_code == 403
    assert _call("GET", _base(world), creator).status_code == 403
    assert ReportSchedule.objects.count() == 0
