"""Action items (permissions, notifications, htmx) and the brief's pages."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from roost.briefing import services
from roost.briefing.models import ActionItem, Brief
from roost.conftest import make_user, seed_member
from roost.core.exceptions import NotFound, PermissionDenied, ValidationFailed
from roost.notifications.models import Notification
from roost.workspaces.models import AuditEntry, Membership


@pytest.fixture
def creator(owner: Membership) -> Membership:
    return seed_member(
        owner.workspace, make_user("writer@brief.test", "Writer"), ["content_creator"]
    )


@pytest.fixture
def care(owner: Membership) -> Membership:
    return seed_member(owner.workspace, make_user("care@brief.test", "Care"), ["customer_care"])


def _client(member: Membership) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


def test_adding_an_item_builds_todays_brief_and_tells_the_assignee(
    owner: Membership, creator: Membership
) -> None:
    item = services.action_item_add(
        actor=owner, text="  Answer the   outage thread ", assignee_id=creator.pk
    )
    assert item.text == "Answer the outage thread"
    assert Brief.objects.filter(workspace=owner.workspace).count() == 1
    note = Notification.objects.get(recipient=creator.user)
    assert (
        note.text == "Brief Lead gave you an action from the daily brief: Answer the outage thread"
    )
    assert note.url == f"/w/brief/brief/{item.brief.date.isoformat()}/"
    assert AuditEntry.objects.filter(action="brief.item_added").count() == 1


def test_items_need_view_brief_and_a_member_of_the_workspace(
    owner: Membership, care: Membership
) -> None:
    with pytest.raises(PermissionDenied):
        services.action_item_add(actor=care, text="Nope")
    with pytest.raises(ValidationFailed) as caught:
        services.action_item_add(actor=owner, text="", assignee_id=999999)
    assert set(caught.value.errors) == {"text", "assignee"}
    assert ActionItem.objects.count() == 0
    item = services.action_item_add(actor=owner, text="Mine")
    with pytest.raises(PermissionDenied):
        services.access_action_item(care, item.pk)
    with pytest.raises(NotFound):
        services.access_action_item(owner, item.pk + 1000)


def test_page_shows_the_agenda_and_adds_and_ticks_items_with_htmx(
    owner: Membership, creator: Membership
) -> None:
    client = _client(creator)
    page = client.get("/w/brief/brief/")
    assert page.status_code == 200
    body = page.content.decode()
    for title in (
        "What happened overnight",
        "What is trending",
        "What is getting traction",
        "Scheduled today",
        "Risks and opportunities",
    ):
        assert title in body
    assert "the morning brief is not there yet" in body
    assert Brief.objects.count() == 0  # looking builds nothing

    added = client.post(
        "/w/brief/brief/items/", {"text": "Call the client"}, HTTP_HX_REQUEST="true"
    )
    assert added.status_code == 200
    assert "Call the client" in added.content.decode()
    assert "<html" not in added.content.decode()  # a partial
    item = ActionItem.objects.get()
    ticked = client.post(
        f"/w/brief/brief/items/{item.pk}/done/", {"done": "1"}, HTTP_HX_REQUEST="true"
    )
    assert ticked.status_code == 200
    item.refresh_from_db()
    assert item.done is True and item.done_at is not None

    bad = client.post("/w/brief/brief/items/", {"text": ""}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 422


def test_settings_page_is_for_manage_brief(owner: Membership, creator: Membership) -> None:
    assert _client(creator).get("/w/brief/brief/settings/").status_code == 403
    client = _client(owner)
    assert client.get("/w/brief/brief/settings/").status_code == 200
    response = client.post(
        "/w/brief/brief/settings/",
        {
            "enabled": "on",
            "morning_time": "09:15",
            "working_days": ["0", "2", "4"],
            "emails": "boss@example.com\n",
            "webhook_url": "http://192.168.1.10/hook",
        },
    )
    assert response.status_code == 422
    assert "webhook_url" in response.content.decode() or "private" in response.content.decode()
    response = client.post(
        "/w/brief/brief/settings/",
        {
            "enabled": "on",
            "morning_time": "09:15",
            "working_days": ["0", "2", "4"],
            "emails": "Boss@Example.com",
        },
    )
    assert response.status_code == 302
    settings = services.settings_for(owner.workspace)
    assert (settings.morning_time.isoformat(), settings.working_days, settings.emails) == (
        "09:15:00",
        [0, 2, 4],
        ["boss@example.com"],
    )


def test_a_past_day_and_a_bad_day(owner: Membership) -> None:
    client = _client(owner)
    assert client.get("/w/brief/brief/2031-02-30/").status_code == 400
    none = client.get("/w/brief/brief/2020-01-02/")
    assert none.status_code == 200 and "There is no brief for" in none.content.decode()
    Brief.objects.create(
        workspace=owner.workspace,
        date=date(2020, 1, 2),
        since="2020-01-01T07:45:00Z",
        content={
            "sections": [
                {
                    "key": "overnight",
                    "title": "What happened overnight",
                    "minutes": 4,
                    "items": [
                        {
                            "text": "Old news",
                            "figures": {},
                            "link": "javascript:alert(1)",
                            "severity": "info",
                        }
                    ],
                    "empty": "",
                    "unavailable": False,
                    "note": "",
                }
            ]
        },
    )
    page = client.get("/w/brief/brief/2020-01-02/").content.decode()
    assert "Old news" in page
    assert "javascript:" not in page  # only paths in Roost become links


def test_subscribe_and_unsubscribe(owner: Membership, creator: Membership) -> None:
    client = _client(creator)
    assert client.post("/w/brief/brief/subscribe/", {"on": "1"}).status_code == 302
    assert list(services.settings_for(owner.workspace).members.all()) == [creator]
    client.post("/w/brief/brief/subscribe/", {"on": "0"})
    assert list(services.settings_for(owner.workspace).members.all()) == []


def test_api_brief_items_and_settings(owner: Membership, creator: Membership) -> None:
    from roost.conftest import token_for

    token = token_for(creator, ["read", "brief:write"])
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    brief = client.get("/api/v1/workspaces/brief/brief").json()
    assert [s["key"] for s in brief["sections"]] == [
        "overnight",
        "trending",
        "traction",
        "scheduled",
        "risks",
    ]
    assert brief["saved"] is False
    made = client.post(
        "/api/v1/workspaces/brief/brief/items",
        data={"text": "Ship it", "assignee_id": owner.pk},
        content_type="application/json",
    )
    assert made.status_code == 201 and made.json()["text"] == "Ship it"
    done = client.post(
        f"/api/v1/workspaces/brief/brief/items/{made.json()['id']}/done",
        data={"done": True},
        content_type="application/json",
    )
    assert done.json()["done"] is True
    assert client.get("/api/v1/workspaces/brief/brief/settings").status_code == 403
    assert client.get("/api/v1/workspaces/brief/brief?day=2020-01-01").status_code == 404
    owner_client = Client(HTTP_AUTHORIZATION=f"Bearer {token_for(owner, ['read', 'brief:write'])}")
    put = owner_client.put(
        "/api/v1/workspaces/brief/brief/settings",
        data={"morning_time": "07:30", "working_days": [0, 1], "webhook_url": "http://127.0.0.1/x"},
        content_type="application/json",
    )
    assert put.status_code == 422
    put = owner_client.put(
        "/api/v1/workspaces/brief/brief/settings",
        data={"morning_time": "07:30", "working_days": [0, 1]},
        content_type="application/json",
    )
    assert put.json()["morning_time"] == "07:30" and put.json()["working_days"] == [0, 1]
