"""Listening against a real (local) Bluesky network: the connector's search_public finds a
public post by a unique term exactly once, Roost's listening stores it as one mention however
often it is polled, and the search no longer returns it once the post is deleted.

The post is written by another account through the SDK (someone else talking in public);
Roost searches through its own connector of a connected channel.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from network_helpers import Account, AppView, letters, wait_for
from test_bluesky_e2e import connect

from roost.channels.services import channel_connector
from roost.listening.models import Mention, Topic, TopicMention
from roost.listening.services.ingest import ingest
from roost.networks.base import ListeningConnector, ListeningPage, Outcome
from roost.workspaces.models import Membership

pytestmark = pytest.mark.django_db(transaction=True)


def test_search_finds_a_public_post_once_and_forgets_it_when_deleted(
    owner: Membership, make_account: Callable[[str], Account], appview: AppView
) -> None:
    ours, ala = make_account("roost"), make_account("ala")
    channel = connect(owner, ours)
    term = f"zebra{letters(10)}"
    posted = ala.sdk.send_post(text=f"Kto pił {term} w Demo Coffee? Polecam ☕", langs=["pl"])
    wait_for("the post on the AppView", lambda: appview.post(posted.uri))

    def search() -> ListeningPage:
        with channel_connector(channel) as connector:
            assert isinstance(connector, ListeningConnector)
            result, page = connector.search_public(term, limit=25)
        assert result.outcome is Outcome.OK, result.reason
        return page

    # The AppView's search index may lag behind the post: ask until it is there.
    def found() -> ListeningPage | None:
        page = search()
        return page if page.posts else None

    page = wait_for(f"{term} in the AppView's search", found)
    assert [post.remote_id for post in page.posts] == [posted.uri]
    found = page.posts[0]
    assert (found.text, found.author_id, found.author_handle, found.language) == (
        f"Kto pił {term} w Demo Coffee? Polecam ☕",
        ala.did,
        ala.handle,
        "pl",
    )
    assert found.url == f"https://bsky.app/profile/{ala.handle}/post/{posted.uri.rsplit('/', 1)[1]}"
    assert page.cursor is None

    # Two polls of the topic's term, ingested as listening does: one mention, once.
    topic = Topic.objects.create(
        workspace=owner.workspace, name="Zebra", query=term, created_by=owner
    )
    first, second = ingest(channel=channel, page=search()), ingest(channel=channel, page=search())
    assert (first.new, first.matched, second.new, second.duplicates) == (1, 1, 0, 1)
    mention = Mention.objects.get(workspace=owner.workspace)
    assert (mention.network, mention.remote_id, mention.author_handle, mention.text) == (
        "bluesky",
        posted.uri,
        ala.handle,
        f"Kto pił {term} w Demo Coffee? Polecam ☕",
    )
    assert list(TopicMention.objects.values_list("topic_id", flat=True)) == [topic.pk]

    ala.sdk.delete_post(posted.uri)
    wait_for(f"{term} gone from the AppView's search", lambda: not search().posts)
