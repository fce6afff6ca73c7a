"""The listening API and the services behind it: topics (query errors in words, names once
per workspace, campaigns of the workspace), query check, mentions with filters and cursor
pages, and sending a mention to the Smart Inbox once."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from roost.conftest import B_MARKER, World, token_for
from roost.core.exceptions import PermissionDenied, ValidationFailed
from roost.inbox.models import Message
from roost.listening.models import Mention, Topic, TopicMention
from roost.listening.services.inbox import mention_to_inbox
from roost.listening.services.topics import TopicInput, topic_create, topic_update
from roost.listening.testing import sample_mention
from roost.publishing.models import Campaign
from roost.workspaces.models import AuditEntry

BASE = "/api/v1/workspaces/alpha/listening"
T0 = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


def call(method: str, url: str, token: str, body: Any = None) -> Any:
    return Client().generic(
        method,
        url,
        data=json.dumps(body) if body is not None else "",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def mention(world: World, rid: str, at: datetime, topic: Topic | None = None, **kw: Any) -> Mention:
    made = Mention.objects.create(
        workspace=world.a,
        channel=world.a_channel,
        network="sandbox",
        remote_id=rid,
        text=kw.pop("text", f"roost {rid}"),
        posted_at=at,
        author_handle="anna.test",
        **kw,
    )
    if topic is not None:
        TopicMention.objects.create(topic=topic, mention=made, posted_at=at)
    return made


@pytest.mark.django_db
def test_topics_crud_with_query_errors_in_words(world: World) -> None:
    token = token_for(world.members["community_manager"])
    bad = call("POST", f"{BASE}/topics", token, {"name": "Brand", "query": 'roost "oops'})
    assert bad.status_code == 422
    assert bad.json()["detail"] == [
        {
            "type": "value_error",
            "loc": ["body", "payload", "query"],
            "msg": "Unclosed quote at character 7",
        }
    ]
    assert not Topic.objects.exists()

    made = call(
        "POST", f"{BASE}/topics", token, {"name": "Brand", "query": "roost lang:pl -from:@us"}
    )
    assert made.status_code == 201
    body = made.json()
    assert (body["name"], body["kind"], body["search_terms"], body["languages"]) == (
        "Brand",
        "brand",
        ["roost"],
        ["pl"],
    )
    topic_id = body["id"]
    again = call("POST", f"{BASE}/topics", token, {"name": "Brand", "query": "x"})
    assert again.status_code == 422
    assert again.json()["detail"][0]["msg"] == "This workspace already has a topic with that name."

    changed = call(
        "PUT",
        f"{BASE}/topics/{topic_id}",
        token,
        {"name": "Rival", "query": "nest", "kind": "competitor"},
    )
    assert (changed.status_code, changed.json()["kind"], changed.json()["query"]) == (
        200,
        "competitor",
        "nest",
    )
    assert [t["name"] for t in call("GET", f"{BASE}/topics", token).json()] == ["Rival"]
    assert call("DELETE", f"{BASE}/topics/{topic_id}", token).status_code == 204
    assert not Topic.objects.exists()
    assert list(
        AuditEntry.objects.filter(action__startswith="listening.")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["listening.topic_created", "listening.topic_updated", "listening.topic_deleted"]


@pytest.mark.django_db
def test_topic_services_check_permission_campaign_and_workspace(world: World) -> None:
    with pytest.raises(PermissionDenied):
        topic_create(actor=world.members["paid_media"], data=TopicInput(name="x", query="roost"))
    foreign = Campaign.objects.create(workspace=world.b, name=f"C {B_MARKER}")
    with pytest.raises(ValidationFailed) as caught:
        topic_create(
            actor=world.members["analyst"],
            data=TopicInput(name=" ", query="NOT x", kind="nope", campaign_id=foreign.pk),
        )
    assert caught.value.errors == {
        "name": ["Give the topic a name."],
        "query": [
            'Nothing to search for: add a word, "phrase", #hashtag or @mention that is not '
            "excluded (filters and wildcards only narrow what is found)"
        ],
        "kind": ["Choose brand, competitor, campaign or other."],
        "campaign_id": ["No such campaign in this workspace."],
    }
    mine = Campaign.objects.create(workspace=world.a, name="Launch")
    topic = topic_create(
        actor=world.members["analyst"],
        data=TopicInput(name="Launch", query="#launch", kind="campaign", campaign_id=mine.pk),
    )
    assert (topic.campaign_id, topic.created_by_id) == (mine.pk, world.members["analyst"].pk)
    updated = topic_update(
        actor=world.members["analyst"],
        topic=topic,
        data=TopicInput(name="Launch", query="#launch2"),
    )
    assert (updated.query, updated.campaign_id) == ("#launch2", None)


@pytest.mark.django_db
def test_query_check(world: World) -> None:
    token = token_for(world.members["paid_media"], ["read"])
    ok = call("POST", f"{BASE}/query-check", token, {"query": "(kawa OR herbata) lang:pl"})
    assert ok.json() == {
        "ok": True,
        "error": None,
        "position": None,
        "search_terms": ["kawa", "herbata"],
        "languages": ["pl"],
    }
    bad = call("POST", f"{BASE}/query-check", token, {"query": "kawa AND herbata OR"})
    assert bad.json() == {
        "ok": False,
        "error": "Nothing after OR at character 18",
        "position": 18,
        "search_terms": [],
        "languages": [],
    }


@pytest.mark.django_db
def test_mentions_filters_and_cursor_pages(world: World) -> None:
    brand = Topic.objects.create(workspace=world.a, name="Brand", query="roost")
    rival = Topic.objects.create(workspace=world.a, name="Rival", query="nest")
    for i in range(5):
        mention(world, f"m{i}", T0 + timedelta(minutes=i), brand, sentiment=-1 if i % 2 else 1)
    mention(world, "same-time", T0 + timedelta(minutes=4), rival, language="pl", intent=True)
    sample_mention(world.b_channel, f"Mention {B_MARKER}")
    token = token_for(world.members["paid_media"], ["read"])

    seen: list[str] = []
    url = f"{BASE}/mentions?limit=2"
    while True:
        page = call("GET", url, token).json()
        seen += [m["text"] for m in page["mentions"]]
        if page["next"] is None:
            break
        url = f"{BASE}/mentions?limit=2&cursor={page['next']}"
    # Newest first; the two at the same minute by id, newest id first; none of B's.
    assert seen == ["roost same-time", "roost m4", "roost m3", "roost m2", "roost m1", "roost m0"]

    def texts(query: str) -> list[str]:
        return [
            m["text"] for m in call("GET", f"{BASE}/mentions?{query}", token).json()["mentions"]
        ]

    assert texts(f"topic={rival.pk}") == ["roost same-time"]
    assert texts("sentiment=-1") == ["roost m3", "roost m1"]
    assert texts("language=PL") == ["roost same-time"]
    assert texts("intent=true") == ["roost same-time"]
    since = (T0 + timedelta(minutes=1)).isoformat().replace("+00:00", "Z")
    until = (T0 + timedelta(minutes=3)).isoformat().replace("+00:00", "Z")
    assert texts(f"since={since}&until={until}") == ["roost m2", "roost m1"]

    one = call("GET", f"{BASE}/mentions?topic={brand.pk}&limit=1", token).json()["mentions"][0]
    assert (one["topics"], one["sentiment"], one["author"]["handle"]) == (
        [brand.pk],
        1,
        "anna.test",
    )
    bad = call("GET", f"{BASE}/mentions?cursor=nonsense", token)
    assert bad.status_code == 422
    assert (
        bad.json()["detail"][0]["msg"]
        == "This is not a cursor from an earlier page: start without one."
    )
    b_topic = Topic.objects.get(workspace=world.b)
    assert call("GET", f"{BASE}/mentions?topic={b_topic.pk}", token).status_code == 404


@pytest.mark.django_db
def test_a_mention_goes_to_the_inbox_once(world: World) -> None:
    found = mention(world, "post-1", T0, text="I want to buy Roost for my team")
    token = token_for(world.members["community_manager"])
    first = call("POST", f"{BASE}/mentions/{found.pk}/inbox", token)
    assert first.status_code == 200
    message = Message.objects.get(pk=first.json()["message"])
    assert (message.channel_id, message.remote_id, message.kind, message.text) == (
        world.a_channel.pk,
        "post-1",
        "mention",
        "I want to buy Roost for my team",
    )
    again = mention_to_inbox(actor=world.members["owner"], mention=Mention.objects.get(pk=found.pk))
    assert again.pk == message.pk
    assert Mention.objects.get(pk=found.pk).inbox_message_id == message.pk
    assert AuditEntry.objects.filter(action="listening.mention_to_inbox").count() == 1
    assert Message.objects.filter(remote_id="post-1").count() == 1
    # Paid media sees listening but not the whole inbox.
    with pytest.raises(PermissionDenied):
        mention_to_inbox(actor=world.members["paid_media"], mention=found)
