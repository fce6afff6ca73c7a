"""Bad input gets a clear 4xx that names the field — never a 500, never garbage in the
database — in the web and the API, on SQLite and PostgreSQL: null characters (PostgreSQL
refuses them in text), bytes that are not UTF-8, dates out of Roost's window, ids the
database cannot hold, bodies over the size limit."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.db import IntegrityError
from django.test import Client

from roost.conftest import World, token_for
from roost.core import clock
from roost.inbox.models import InboxTag, Message
from roost.publishing.models import Post
from roost.workspaces.models import Group

API = "/api/v1/workspaces/alpha"
BIG = 2**63  # one past the largest id
NUL = "\u0000"


def api(method: str, url: str, token: str, body: Any = None) -> Any:
    return Client().generic(
        method,
        url,
        data=json.dumps(body) if body is not None else "",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def raw_form(client: Client, url: str, body: bytes, **extra: Any) -> Any:
    """A urlencoded POST exactly as given (the test client would re-encode a dict)."""
    return client.generic(
        "POST", url, data=body, content_type="application/x-www-form-urlencoded", **extra
    )


@pytest.fixture
def owner_token(world: World) -> str:
    return token_for(world.members["owner"])


# --- null characters ----------------------------------------------------------------------


def test_a_null_character_in_post_text_is_refused_naming_the_field(
    world: World, owner_token: str
) -> None:
    before = Post.objects.count()
    response = api(
        "POST",
        f"{API}/posts",
        owner_token,
        {"text": f"Launch{NUL}day", "channels": [world.a_channel.pk]},
    )
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "null_character",
                "loc": ["body", "text"],
                "msg": "“text” contains a null character, which Roost cannot store.",
            }
        ]
    }
    # Deep in the body, and in a key: the path says where.
    response = api(
        "POST",
        f"{API}/posts",
        owner_token,
        {"text": "ok", "channels": [world.a_channel.pk], "thread": ["a", f"b{NUL}"]},
    )
    assert response.json()["detail"][0]["loc"] == ["body", "thread", 1]
    response = api(
        "POST",
        f"{API}/posts",
        owner_token,
        {"text": "ok", "channels": [world.a_channel.pk], "options": {f"k{NUL}": 1}},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "options", f"k{NUL}"]
    assert Post.objects.count() == before


def test_a_null_character_in_a_web_form_is_refused(world: World) -> None:
    client = world.client_for("owner")
    before = Post.objects.count()
    response = client.post(
        "/w/alpha/compose/", {"text": f"Hello{NUL}", "channels": [str(world.a_channel.pk)]}
    )
    assert response.status_code == 422
    assert "“text” contains a null character" in response.content.decode()
    assert Post.objects.count() == before
    # The same through a multipart form (the media upload's alt text).
    response = client.post(
        "/w/alpha/media/upload/", {"alt_text": f"A cat{NUL}"}, format="multipart"
    )
    assert response.status_code == 422
    assert "“alt_text” contains a null character" in response.content.decode()


def test_a_null_character_in_an_inbox_reply_or_tag_is_refused(
    world: World, owner_token: str
) -> None:
    m = world.a_inbox.message
    response = api("POST", f"{API}/inbox/{m.pk}/reply", owner_token, {"text": f"Hi{NUL}"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "text"]
    response = api("PUT", f"{API}/inbox/{m.pk}/tags", owner_token, {"tags": ["vip", f"x{NUL}"]})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "tags", 1]
    client = world.client_for("owner")
    response = client.post(f"/w/alpha/inbox/{m.pk}/tags/", {"tags": f"vip, x{NUL}"})
    assert response.status_code == 422
    response = client.post(f"/w/alpha/inbox/{m.pk}/reply/", {"text": f"Hi{NUL}", "key": "n-1"})
    assert response.status_code == 422
    assert not InboxTag.objects.filter(workspace=world.a).exists()
    assert not Message.objects.filter(outgoing=True).exists()


def test_a_null_character_in_an_address_is_404(world: World, owner_token: str) -> None:
    client = world.client_for("owner")
    for path in ("/review/abc%00def/", "/invite/%00/", "/w/alpha/calendar/feed/%00"):
        assert client.get(path).status_code == 404, path
    response = api("GET", "/api/v1/workspaces/al%00pha/posts?start=x", owner_token)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_a_null_character_in_a_search_is_refused(world: World, owner_token: str) -> None:
    response = world.client_for("owner").get("/w/alpha/inbox/?q=%00")
    assert response.status_code == 422
    assert "“q” contains a null character" in response.content.decode()
    response = api("GET", f"{API}/inbox?q=parcel%00", owner_token)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "q"]


# --- not UTF-8 ----------------------------------------------------------------------------


def test_a_form_that_is_not_utf8_is_refused_not_stored_as_garbage(world: World) -> None:
    client = world.client_for("owner")
    before = Group.objects.count()
    response = raw_form(client, "/w/alpha/team/groups/new/", b"name=Caf%E9+team&description=")
    assert response.status_code == 400
    assert "“name” is not valid UTF-8 text." in response.content.decode()
    assert Group.objects.count() == before
    # Multipart text parts too (Django would have stored U+FFFD for the bad bytes).
    boundary = "XyZ"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="alt_text"\r\n\r\n'.encode()
        + b"caf\xe9\r\n"
        + f"--{boundary}--\r\n".encode()
    )
    response = client.generic(
        "POST",
        "/w/alpha/media/upload/",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert response.status_code == 400
    assert "“alt_text” is not valid UTF-8 text." in response.content.decode()
    # A query string, in the web and in the API.
    assert client.get("/w/alpha/inbox/?q=%FF%FE").status_code == 400
    token = token_for(world.members["owner"])
    response = api("GET", f"{API}/inbox?q=%FF", token)
    assert response.status_code == 400
    assert response.json()["detail"][0]["loc"] == ["query", "q"]


# --- dates --------------------------------------------------------------------------------


@pytest.mark.parametrize("at", ["0001-01-01T09:00:00+01:00", "9999-12-31T23:59:00", "+11y"])
def test_a_schedule_outside_the_window_is_422(world: World, owner_token: str, at: str) -> None:
    if at == "+11y":
        at = (clock.now() + timedelta(days=11 * 366)).strftime("%Y-%m-%dT%H:%M:%S")
    before = Post.objects.count()
    response = api(
        "POST",
        f"{API}/posts",
        owner_token,
        {"text": "x", "channels": [world.a_channel.pk], "schedule": {"mode": "at", "at": at}},
    )
    assert response.status_code == 422, response.content
    error = response.json()["detail"][0]
    assert error["loc"] == ["body", "payload", "schedule", "at"]
    assert "Choose a date between Jan. 1, 2000 and" in error["msg"]
    assert Post.objects.count() == before
    # The web compose form and the calendar move say the same.
    web = world.client_for("owner")
    response = web.post(
        "/w/alpha/compose/",
        {
            "text": "x",
            "channels": [str(world.a_channel.pk)],
            "mode": "at",
            "scheduled_at": at[:16],
        },
    )
    assert response.status_code == 422
    assert Post.objects.count() == before


def test_a_range_or_due_date_outside_the_window_is_422(world: World, owner_token: str) -> None:
    response = api(
        "GET", f"{API}/posts?start=0001-01-01T00:00:00&end=0001-01-02T00:00:00", owner_token
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "start"]
    m = world.a_inbox.message
    response = api(
        "POST",
        f"{API}/inbox/{m.pk}/tasks",
        owner_token,
        {"kind": "lead", "due_at": "9999-12-31T00:00:00+00:00"},
    )
    assert response.status_code == 422
    response = world.client_for("owner").post(
        f"/w/alpha/inbox/{m.pk}/tasks/", {"kind": "lead", "due": "9999-12-31"}
    )
    assert response.status_code == 422
    assert not m.tasks.exists()


# --- ids ----------------------------------------------------------------------------------


def test_ids_beyond_the_database_range_are_404_in_paths_and_422_in_bodies(
    world: World, owner_token: str
) -> None:
    client = world.client_for("owner")
    for path in (f"/w/alpha/posts/{BIG}/", f"/w/alpha/inbox/{BIG}/", "/w/alpha/posts/0/"):
        assert client.get(path).status_code == 404, path
    for path in (f"{API}/posts/{BIG}", f"{API}/posts/-1", f"{API}/inbox/{BIG}"):
        response = api("GET", path, owner_token)
        assert response.status_code == 404, path
        assert response.json() == {"detail": "Not found."}
    response = api("POST", f"{API}/posts", owner_token, {"text": "x", "channels": [BIG]})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "payload", "channels", 0]
    response = api("GET", f"{API}/inbox?channel={BIG}", owner_token)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "channel"]
    # A filter in the calendar's query string: ignored like any unknown value.
    assert client.get(f"/w/alpha/calendar/list/?channel={BIG}").status_code == 200


# --- size ---------------------------------------------------------------------------------


def test_a_body_over_the_limit_is_413(world: World, owner_token: str) -> None:
    big = "x" * (3 * 1024 * 1024)
    response = api("POST", f"{API}/posts", owner_token, {"text": big, "channels": []})
    assert response.status_code == 413
    assert response.json() == {
        "detail": "The request is too large: Roost accepts at most 2.5\u00a0MB."
    }
    response = world.client_for("owner").post("/w/alpha/compose/", {"text": big})
    assert response.status_code == 413
    assert "The request is too large" in response.content.decode()


# --- the safety net -----------------------------------------------------------------------


def test_an_overflow_that_slips_through_is_a_4xx_not_a_500(
    world: World, owner_token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should a value the database cannot hold get past validation, the answer is still a
    4xx (and a warning in the log), in the web and in the API."""

    def overflow(*args: Any, **kwargs: Any) -> Any:
        raise OverflowError("Python int too large to convert to SQLite INTEGER")

    monkeypatch.setattr("roost.inbox.selectors.access_message", overflow)
    m = world.a_inbox.message
    response = world.client_for("owner").get(f"/w/alpha/inbox/{m.pk}/")
    assert response.status_code == 400
    assert "A value is out of the range Roost can store." in response.content.decode()
    response = api("GET", f"{API}/inbox/{m.pk}", owner_token)
    assert response.status_code == 422
    assert response.json() == {"detail": "A value is out of the range Roost can store."}


def test_a_write_that_clashes_at_the_same_moment_is_409_not_500(
    world: World, owner_token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two requests creating the same thing at once pass the checks, and the database's
    unique constraint refuses the second: a 409 the client can retry, not a 500."""

    def clash(*args: Any, **kwargs: Any) -> Any:
        raise IntegrityError("UNIQUE constraint failed: workspaces_group.name")

    monkeypatch.setattr("roost.workspaces.services.group_create", clash)
    response = api("POST", f"{API}/groups", owner_token, {"name": "Night shift"})
    assert response.status_code == 409
    assert response.json() == {
        "detail": "Someone saved the same thing at the same moment. Please try again."
    }
    response = world.client_for("owner").post("/w/alpha/team/groups/new/", {"name": "Night"})
    assert response.status_code == 409
