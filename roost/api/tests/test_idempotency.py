"""Retries are safe: the same inbox reply sent twice with the same idempotency key (API
header, API body, or a web form submitted twice) is one reply on the network and one row,
and the second answer is the first one — never a 500. The same for the other API writes
that take an Idempotency-Key."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.test import Client

from roost.api.models import IdempotentRequest
from roost.channels.models import Channel
from roost.conftest import World, token_for
from roost.core import clock
from roost.inbox.models import Message
from roost.inbox.services.poll import poll_channels
from roost.networks.sandbox.testing import SandboxHandle
from roost.publishing.models import Post

BASE = "/api/v1/workspaces/alpha"


def call(url: str, token: str, body: Any, key: str | None = None, method: str = "POST") -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return Client().generic(
        method, url, data=json.dumps(body), content_type="application/json", **headers
    )


def inbound(sandbox: SandboxHandle, channel: Channel) -> Message:
    sandbox.inbound(channel.handle, 1, seed=11)
    poll_channels([channel])
    return Message.objects.filter(channel=channel, outgoing=False).latest("id")


def replies(message: Message) -> list[Message]:
    return list(Message.objects.filter(conversation=message.conversation, outgoing=True))


def test_a_reply_retried_with_the_same_header_key_is_sent_once(
    world: World, sandbox: SandboxHandle, channels: list[Channel]
) -> None:
    m = inbound(sandbox, channels[0])
    token = token_for(world.members["community_manager"])
    url = f"{BASE}/inbox/{m.pk}/reply"
    first = call(url, token, {"text": "On it!"}, key="retry-1")
    second = call(url, token, {"text": "On it!"}, key="retry-1")
    assert first.status_code == 201, first.content
    assert second.status_code == 201
    assert second.json() == first.json()
    assert [r.pk for r in replies(m)] == [first.json()["id"]]
    assert replies(m)[0].idempotency_key == "retry-1"
    assert sandbox.stats()["by_key"].get("retry-1") == 1
    assert IdempotentRequest.objects.get(key="retry-1").response_status == 201


def test_a_reply_retried_with_the_same_body_key_is_sent_once(
    world: World, sandbox: SandboxHandle, channels: list[Channel]
) -> None:
    """Without the header, the reply's own key still makes the send idempotent (before:
    the second call stored the same network post again: IntegrityError, a 500)."""
    m = inbound(sandbox, channels[0])
    token = token_for(world.members["community_manager"])
    url = f"{BASE}/inbox/{m.pk}/reply"
    body = {"text": "Thanks!", "idempotency_key": "body-key-1"}
    first = call(url, token, body)
    second = call(url, token, body)
    assert (first.status_code, second.status_code) == (201, 201), second.content
    assert second.json()["id"] == first.json()["id"]
    assert len(replies(m)) == 1
    assert sandbox.stats()["by_key"].get("body-key-1") == 1


def test_a_reply_form_submitted_twice_is_sent_once(
    world: World, sandbox: SandboxHandle, channels: list[Channel]
) -> None:
    m = inbound(sandbox, channels[0])
    client = world.client_for("community_manager")
    url = f"/w/alpha/inbox/{m.pk}/reply/"
    form = {"text": "We are looking into it.", "key": "form-render-1"}
    assert client.post(url, form).status_code == 302
    assert client.post(url, form).status_code == 302
    assert len(replies(m)) == 1
    assert sandbox.stats()["by_key"].get("form-render-1") == 1


def test_a_key_used_for_another_message_is_a_conflict(
    world: World, sandbox: SandboxHandle, channels: list[Channel]
) -> None:
    m = inbound(sandbox, channels[0])
    other = inbound(sandbox, channels[1])
    token = token_for(world.members["community_manager"])
    body = {"text": "Hello", "idempotency_key": "shared"}
    assert call(f"{BASE}/inbox/{m.pk}/reply", token, body).status_code == 201
    response = call(f"{BASE}/inbox/{other.pk}/reply", token, body)
    assert response.status_code == 409
    assert response.json() == {"detail": "This idempotency key was already used for another reply."}
    assert replies(other) == []


def test_a_post_created_twice_with_one_key_is_one_post(world: World) -> None:
    token = token_for(world.members["owner"])
    body = {"text": "Launch day", "channels": [world.a_channel.pk]}
    before = Post.objects.count()
    first = call(f"{BASE}/posts", token, body, key="post-1")
    second = call(f"{BASE}/posts", token, body, key="post-1")
    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json() == first.json()
    assert Post.objects.count() == before + 1
    # Without a key, a second call is a second post (the client did not ask otherwise).
    assert call(f"{BASE}/posts", token, body).json()["id"] != first.json()["id"]


def test_the_same_key_for_a_different_request_is_refused(world: World) -> None:
    token = token_for(world.members["owner"])
    url = f"{BASE}/posts"
    assert (
        call(url, token, {"text": "A", "channels": [world.a_channel.pk]}, key="k").status_code
        == 201
    )
    response = call(url, token, {"text": "B", "channels": [world.a_channel.pk]}, key="k")
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "type": "value_error",
            "loc": ["header", "Idempotency-Key"],
            "msg": "This key was already used for a different request.",
        }
    ]
    assert not Post.objects.filter(text="B").exists()


def test_a_key_still_in_use_is_409_and_a_refusal_frees_the_key(world: World) -> None:
    owner = world.members["owner"]
    token = token_for(owner)
    url = f"{BASE}/groups"
    # Refused (no name): nothing is remembered, so the corrected retry runs.
    assert call(url, token, {"name": ""}, key="g-1").status_code == 422
    assert not IdempotentRequest.objects.filter(key="g-1").exists()
    # A first request that is still running holds its key.
    body = {"name": "Night shift"}
    response = call(url, token, body, key="g-2")
    assert response.status_code == 201
    IdempotentRequest.objects.filter(key="g-2").update(response_status=None)
    response = call(url, token, body, key="g-2")
    assert response.status_code == 409
    assert response.json() == {"detail": "A request with this Idempotency-Key is still running."}


def test_a_malformed_key_is_refused(world: World) -> None:
    token = token_for(world.members["owner"])
    body = {"text": "x", "channels": [world.a_channel.pk]}
    for key in ("", "x" * 65, "with space"):
        response = call(f"{BASE}/posts", token, body, key=key)
        assert response.status_code == 422, key
        assert response.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]
    assert not Post.objects.filter(text="x").exists()


def test_idempotent_writes_document_the_header() -> None:
    schema = Client(HTTP_HOST="localhost").get("/api/v1/openapi.json").json()
    documented = {
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method, op in operations.items()
        if any(p["name"] == "Idempotency-Key" for p in op.get("parameters", []))
    }
    assert ("POST", "/api/v1/workspaces/{slug}/inbox/{message_id}/reply") in documented
    assert ("POST", "/api/v1/workspaces/{slug}/posts") in documented
    # Every POST that writes takes a key (validate and a listening query-check only read).
    posts = {
        path
        for path, operations in schema["paths"].items()
        if "post" in operations and not path.endswith(("/validate", "/query-check"))
    }
    assert {path for method, path in documented if method == "POST"} == posts


def test_a_key_whose_first_request_died_can_be_retried(world: World) -> None:
    """A first request that never finished (its worker was killed) does not hold the key
    for ever: after the lease, a retry runs and its answer is kept."""
    token = token_for(world.members["owner"])
    body = {"text": "Second try", "channels": [world.a_channel.pk]}
    first = call(f"{BASE}/posts", token, body, key="died-1")
    Post.objects.filter(pk=first.json()["id"]).delete()  # as if it never got that far
    IdempotentRequest.objects.filter(key="died-1").update(
        response_status=None, response_body=None, started_at=clock.now() - timedelta(minutes=6)
    )
    retry = call(f"{BASE}/posts", token, body, key="died-1")
    assert retry.status_code == 201
    assert Post.objects.filter(text="Second try").count() == 1
    row = IdempotentRequest.objects.get(key="died-1")
    assert (row.response_status, row.response_body["id"]) == (201, retry.json()["id"])
