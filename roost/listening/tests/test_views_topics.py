"""The topic form (through the real services), its live preview (htmx and without
script), deleting a topic, and sending a mention to the Smart Inbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from roost.core import clock
from roost.inbox.models import Message
from roost.listening.models import Mention, Topic, TopicMention
from roost.listening.testing import mention, topic
from roost.publishing.models import Campaign
from roost.workspaces.models import AuditEntry

NOW = datetime(2031, 3, 20, 12, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _now(monkeypatch: Any) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOW)


def _url(world: Any, tail: str = "") -> str:
    return f"/w/{world.a.slug}/listening/{tail}"


def _form(**extra: str) -> dict[str, str]:
    data = {
        "name": "Demo Coffee",
        "kind": "brand",
        "query": '"demo coffee" OR #democoffee',
        "campaign": "",
        "exclude_own": "on",
        "is_active": "on",
        "alert_volume": "on",
    }
    data.update(extra)
    return data


def test_a_manager_creates_and_edits_a_topic(world: Any) -> None:
    client = world.client_for("community_manager")
    response = client.post(_url(world, "topics/new/"), _form())
    made = Topic.objects.get(workspace=world.a, name="Demo Coffee")
    assert response.status_code == 302
    assert response["Location"] == _url(world, f"topics/{made.pk}/")
    assert (made.kind, made.query, made.exclude_own, made.alert_volume, made.alert_negative) == (
        "brand",
        '"demo coffee" OR #democoffee',
        True,
        True,
        False,
    )
    assert AuditEntry.objects.filter(action="listening.topic_created").count() == 1

    page = client.get(_url(world, f"topics/{made.pk}/edit/")).content.decode()
    assert "&quot;demo coffee&quot; OR #democoffee</textarea>" in page
    response = client.post(
        _url(world, f"topics/{made.pk}/edit/"), _form(name="Demo Coffee Co", kind="other")
    )
    assert response.status_code == 302
    made.refresh_from_db()
    assert (made.name, made.kind) == ("Demo Coffee Co", "other")


def test_a_bad_query_says_what_and_where_and_saves_nothing(world: Any) -> None:
    client = world.client_for("owner")
    response = client.post(_url(world, "topics/new/"), _form(query='"demo coffee'))
    assert response.status_code == 422
    html = response.content.decode()
    assert 'role="alert" id="id_query-error">Unclosed quote at character 1<' in html
    assert not Topic.objects.filter(workspace=world.a).exists()


def test_a_campaign_topic_needs_a_campaign_of_this_workspace(world: Any) -> None:
    client = world.client_for("owner")
    response = client.post(_url(world, "topics/new/"), _form(kind="campaign"))
    assert response.status_code == 422
    assert "A campaign topic needs its campaign." in response.content.decode()
    theirs = Campaign.objects.create(workspace=world.b, name="Theirs")
    response = client.post(
        _url(world, "topics/new/"), _form(kind="campaign", campaign=str(theirs.pk))
    )
    assert response.status_code == 422
    assert "Choose a campaign of this workspace." in response.content.decode()
    ours = Campaign.objects.create(workspace=world.a, name="Winter Blend")
    response = client.post(
        _url(world, "topics/new/"), _form(kind="campaign", campaign=str(ours.pk))
    )
    assert response.status_code == 302
    assert Topic.objects.get(workspace=world.a).campaign == ours


def test_the_name_is_once_per_workspace(world: Any) -> None:
    topic(world.a, "Demo Coffee")
    response = world.client_for("owner").post(_url(world, "topics/new/"), _form())
    assert response.status_code == 422
    assert "This workspace already has a topic with that name." in response.content.decode()


def _stored(world: Any) -> None:
    brand = topic(world.a, "Stored", query="anything")
    mention([brand], text="Demo Coffee is lovely", at=NOW - timedelta(days=1))
    mention([brand], text="Tea is fine", at=NOW - timedelta(days=2))
    mention([brand], text="Demo Coffee long ago", at=NOW - timedelta(days=8))
    mention([topic(world.b, "Theirs")], text="Demo Coffee in Bravo", at=NOW - timedelta(days=1))


def test_the_live_preview_counts_and_shows_examples(world: Any) -> None:
    _stored(world)
    client = world.client_for("owner")
    response = client.post(
        _url(world, "topics/preview/"), {"query": '"demo coffee"'}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="query-preview"')
    assert "1 of the last 2 stored mentions matches." in html
    assert "Demo Coffee is lovely" in html
    assert "long ago" not in html and "Bravo" not in html and "<html" not in html

    blank = client.post(_url(world, "topics/preview/"), {"query": " "}).content.decode()
    assert 'data-testid="preview-ask"' in blank

    bad = client.post(_url(world, "topics/preview/"), {"query": "coffee OR"}).content.decode()
    assert 'data-testid="preview-error" data-position="8">Nothing after OR at character 8<' in bad


def test_the_preview_works_without_script(world: Any) -> None:
    _stored(world)
    response = world.client_for("owner").post(
        _url(world, "topics/new/"), _form(query="demo", preview="1")
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "1 of the last 2 stored mentions matches." in html
    assert not Topic.objects.filter(workspace=world.a, name="Demo Coffee").exists()


def test_deleting_a_topic(world: Any) -> None:
    brand = topic(world.a, "Gone")
    mention([brand])
    response = world.client_for("owner").post(_url(world, f"topics/{brand.pk}/delete/"))
    assert response.status_code == 302 and response["Location"] == _url(world)
    assert not Topic.objects.filter(pk=brand.pk).exists()
    assert not TopicMention.objects.filter(topic_id=brand.pk).exists()


def test_send_a_mention_to_the_inbox_once(world: Any) -> None:
    brand = topic(world.a)
    found = mention([brand], text="Where can I buy your beans?", at=NOW - timedelta(hours=1))
    Mention.objects.filter(pk=found.pk).update(channel=world.a_channel)
    client = world.client_for("social_media_manager")
    list_url = _url(world, "mentions/") + "?intent=any"
    page = client.get(_url(world, "mentions/")).content.decode()
    assert 'data-testid="send-to-inbox"' in page

    response = client.post(_url(world, f"mentions/{found.pk}/inbox/"), {"next": list_url})
    assert response.status_code == 302 and response["Location"] == list_url
    found.refresh_from_db()
    message = Message.objects.get(pk=found.inbox_message_id)
    assert message.text == "Where can I buy your beans?"
    client.post(_url(world, f"mentions/{found.pk}/inbox/"))
    assert Message.objects.filter(channel=world.a_channel, remote_id=found.remote_id).count() == 1

    page = client.get(_url(world, "mentions/")).content.decode()
    assert 'data-testid="send-to-inbox"' not in page
    assert f'href="/w/{world.a.slug}/inbox/{message.pk}/" data-testid="in-inbox"' in page


def test_send_to_inbox_goes_back_only_to_the_list(world: Any) -> None:
    found = mention([topic(world.a)], at=NOW - timedelta(hours=1))
    response = world.client_for("owner").post(
        _url(world, f"mentions/{found.pk}/inbox/"), {"next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert response["Location"] == _url(world, "mentions/")
    # No channel to put it through: said in words, nothing sent.
    found.refresh_from_db()
    assert found.inbox_message_id is None


def test_paid_media_is_not_offered_send_to_inbox(world: Any) -> None:
    found = mention([topic(world.a)], at=NOW - timedelta(hours=1))
    client = world.client_for("paid_media")
    assert (
        'data-testid="send-to-inbox"' not in client.get(_url(world, "mentions/")).content.decode()
    )
    assert client.post(_url(world, f"mentions/{found.pk}/inbox/")).status_code == 403
    found.refresh_from_db()
    assert found.inbox_message_id is None
