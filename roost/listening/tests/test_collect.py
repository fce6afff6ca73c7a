"""Collection: each workspace's topics searched through its channels, with cursors, back-off
and failures kept per search; a fake connector stands at the network edge."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from roost.channels.models import Channel, ChannelStatus
from roost.conftest import World, make_channel
from roost.listening.models import Mention, SearchCursor, Topic
from roost.listening.services import ingest as ingest_module
from roost.listening.services.collect import Collected, listening_collect
from roost.listening.tests.test_ingest import FakeUnderstanding, post
from roost.networks import registry
from roost.networks.base import ListeningPage, Outcome, PublicPost, Result

T0 = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


@dataclass
class Call:
    channel: str
    term: str
    cursor: str | None
    since: datetime | None
    language: str


@dataclass
class Edge:
    """What every fake connector answers, by (channel name, term): a list of pages (each
    page a Result and a ListeningPage, taken in turn with the page's cursor), or an outcome."""

    pages: dict[tuple[str, str], list[tuple[Result, ListeningPage]]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    listening: bool = True


class FakeConnector:
    network = "sandbox"

    def __init__(self, edge: Edge, name: str) -> None:
        self.edge, self.name = edge, name

    def limits(self) -> Any: ...
    def validate(self, request: Any) -> list[Any]:
        return []

    def verify(self) -> Any: ...
    def publish(self, request: Any) -> Result:
        return Result(Outcome.REJECTED)

    def find_existing(self, request: Any) -> Result:
        return Result(Outcome.REJECTED)

    def delete(self, remote_id: str) -> Result:
        return Result(Outcome.REJECTED)

    def fetch_metrics(self, remote_ids: Sequence[str]) -> tuple[Result, dict[str, Any]]:
        return Result(Outcome.REJECTED), {}

    def credentials(self) -> dict[str, Any]:
        return {"token": "t"}


class FakeListening(FakeConnector):
    def search_public(
        self,
        term: str,
        *,
        cursor: str | None = None,
        since: datetime | None = None,
        language: str = "",
        limit: int = 100,
    ) -> tuple[Result, ListeningPage]:
        with self.edge.lock:
            self.edge.calls.append(Call(self.name, term, cursor, since, language))
            answers = self.edge.pages.get((self.name, term), [])
            index = int(cursor) if cursor else 0
            if index >= len(answers):
                return Result(Outcome.OK), ListeningPage()
            return answers[index]


@pytest.fixture
def edge(monkeypatch: pytest.MonkeyPatch) -> Edge:
    state = Edge()

    def connector_for(key: str, config: Mapping[str, Any], credentials: Mapping[str, Any]) -> Any:
        name = config["name"]
        if name == "boom":
            raise RuntimeError("cannot build")
        return (FakeListening if state.listening else FakeConnector)(state, name)

    monkeypatch.setattr(registry, "connector_for", connector_for)
    monkeypatch.setattr(ingest_module, "understand_many", FakeUnderstanding())
    return state


def channel(world: World, name: str, workspace: Any = None) -> Channel:
    made = make_channel(workspace or world.a, name)
    made.config = {"name": name}
    made.save()
    return made


def ok(
    *posts: PublicPost, cursor: str | None = None, deleted: tuple[str, ...] = ()
) -> tuple[Result, ListeningPage]:
    return Result(Outcome.OK), ListeningPage(posts=posts, cursor=cursor, deleted=deleted)


def stored() -> set[tuple[str, str]]:
    return set(Mention.objects.values_list("workspace__name", "remote_id"))


@pytest.fixture
def setup(world: World) -> tuple[Channel, Channel]:
    # The world's own channels are not searched in these tests.
    Channel.objects.filter(pk__in=[world.a_channel.pk, world.b_channel.pk]).update(
        status=ChannelStatus.DISCONNECTED
    )
    return channel(world, "one"), channel(world, "two")


@pytest.mark.django_db
def test_each_term_is_searched_through_each_channel_and_ingested(
    world: World, edge: Edge, setup: tuple[Channel, Channel]
) -> None:
    Topic.objects.create(workspace=world.a, name="Brand", query="roost OR #roost")
    Topic.objects.create(workspace=world.a, name="Polish", query="kawa lang:pl")
    Topic.objects.create(workspace=world.a, name="Paused", query="paused", is_active=False)
    edge.pages[("one", "roost")] = [
        ok(post("p1", "roost one", at=T0 + timedelta(minutes=5)), cursor="1"),
        ok(post("p2", "roost two", at=T0)),
    ]
    edge.pages[("two", "#roost")] = [ok(post("p3", "love #roost", at=T0))]
    edge.pages[("two", "roost")] = [ok(post("p1", "roost one", at=T0 + timedelta(minutes=5)))]
    edge.pages[("one", "kawa")] = [ok(post("p4", "roost kawa", language="pl", at=T0))]

    result = listening_collect()
    assert result == Collected(searches=6, failed=0, new=4, duplicates=1, deleted=0)
    assert stored() == {("Alpha", "p1"), ("Alpha", "p2"), ("Alpha", "p3"), ("Alpha", "p4")}
    # "kawa" is asked for in Polish only (its one topic is limited to Polish), "roost" in any.
    asked = sorted((c.channel, c.term, c.cursor or "", c.since, c.language) for c in edge.calls)
    assert asked == [
        ("one", "#roost", "", None, ""),
        ("one", "kawa", "", None, "pl"),
        ("one", "roost", "", None, ""),
        ("one", "roost", "1", None, ""),
        ("two", "#roost", "", None, ""),
        ("two", "kawa", "", None, "pl"),
        ("two", "roost", "", None, ""),
    ]
    one = SearchCursor.objects.get(channel__name="one", term="roost")
    assert (one.newest_at, one.failures, one.last_error) == (T0 + timedelta(minutes=5), 0, "")

    # Not due again until the period has passed: nothing is searched.
    edge.calls.clear()
    assert listening_collect() == Collected(0, 0, 0, 0, 0)
    assert edge.calls == []

    # Due: searched from the newest post seen, and what the network returns twice is a duplicate.
    SearchCursor.objects.update(next_poll_at=T0)
    edge.pages[("one", "roost")] = [ok(post("p1", "roost one", at=T0 + timedelta(minutes=5)))]
    again = listening_collect()
    assert (again.searches, again.new, again.duplicates) == (6, 0, 4)
    assert {c.since for c in edge.calls if (c.channel, c.term) == ("one", "roost")} == {
        T0 + timedelta(minutes=5)
    }


@pytest.mark.django_db
def test_pages_are_followed_at_most_max_pages_and_older_posts_dropped(
    world: World, edge: Edge, setup: tuple[Channel, Channel]
) -> None:
    Topic.objects.create(workspace=world.a, name="Brand", query="roost")
    SearchCursor.objects.create(channel=setup[0], term="roost", newest_at=T0, next_poll_at=T0)
    edge.pages[("one", "roost")] = [
        ok(post("p1", "roost a", at=T0 + timedelta(minutes=3)), cursor="1"),
        ok(post("p2", "roost b", at=T0 + timedelta(minutes=2)), cursor="2"),
        ok(post("p3", "roost c", at=T0 + timedelta(minutes=1)), cursor="3"),
    ]
    listening_collect(max_pages=2)
    assert stored() == {("Alpha", "p1"), ("Alpha", "p2")}
    # A network that ignores `since`: older posts are dropped and paging stops there.
    SearchCursor.objects.filter(channel=setup[0]).update(next_poll_at=T0)
    edge.pages[("one", "roost")] = [
        ok(
            post("p4", "roost d", at=T0 + timedelta(minutes=4)),
            post("old", "roost old", at=T0 - timedelta(days=1)),
            cursor="1",
        ),
        ok(post("p5", "roost e", at=T0 + timedelta(minutes=9))),
    ]
    edge.calls.clear()
    listening_collect(max_pages=5)
    assert ("Alpha", "p4") in stored() and ("Alpha", "old") not in stored()
    assert ("Alpha", "p5") not in stored()
    assert [c.cursor for c in edge.calls if c.channel == "one"] == [None]


@pytest.mark.django_db
def test_a_new_terms_first_poll_reads_further_back_for_a_baseline(
    world: World, edge: Edge, setup: tuple[Channel, Channel]
) -> None:
    Topic.objects.create(workspace=world.a, name="Brand", query="roost")
    edge.pages[("one", "roost")] = [
        ok(
            post(f"p{n}", f"roost {n}", at=T0 - timedelta(hours=n)),
            cursor=str(n + 1) if n < 7 else None,
        )
        for n in range(8)
    ]
    listening_collect(max_pages=2)
    assert len([c for c in edge.calls if c.channel == "one"]) == 8
    assert {remote for _ws, remote in stored()} == {f"p{n}" for n in range(8)}


@pytest.mark.django_db
def test_failures_back_off_per_search_and_never_stop_the_others(
    world: World, edge: Edge, setup: tuple[Channel, Channel]
) -> None:
    Topic.objects.create(workspace=world.a, name="Brand", query="roost OR nest")
    Topic.objects.create(workspace=world.b, name="B", query="roost")
    b_channel = channel(world, "bee", world.b)
    channel(world, "boom")  # its connector cannot even be built
    edge.pages[("one", "roost")] = [
        (Result(Outcome.RATE_LIMITED, retry_after=3600, reason="slow down"), ListeningPage())
    ]
    edge.pages[("one", "nest")] = [ok(post("n1", "nest here"))]
    edge.pages[("two", "roost")] = [
        (Result(Outcome.UNAUTHORIZED, reason="token revoked"), ListeningPage())
    ]
    edge.pages[("bee", "roost")] = [ok(post("b1", "roost in b"))]

    before = datetime.now(UTC)
    result = listening_collect()
    assert (result.new, result.failed) == (2, 2)
    assert stored() == {("Alpha", "n1"), (world.b.name, "b1")}
    limited = SearchCursor.objects.get(channel__name="one", term="roost")
    assert (limited.failures, limited.last_error) == (1, "slow down")
    assert limited.next_poll_at >= before + timedelta(hours=1)
    revoked = Channel.objects.get(pk=setup[1].pk)
    assert (revoked.status, revoked.status_reason) == (
        ChannelStatus.NEEDS_RECONNECT,
        "token revoked",
    )
    # The revoked channel's other search was not tried, and is due as soon as it is back.
    assert [c.term for c in edge.calls if c.channel == "two"] == ["roost"]
    assert SearchCursor.objects.get(channel=setup[1], term="nest").next_poll_at <= datetime.now(UTC)
    assert SearchCursor.objects.get(channel=b_channel, term="roost").failures == 0


@pytest.mark.django_db
def test_channels_that_cannot_listen_and_workspaces_without_topics_are_left_alone(
    world: World, edge: Edge, setup: tuple[Channel, Channel]
) -> None:
    assert listening_collect() == Collected(0, 0, 0, 0, 0)
    Topic.objects.create(workspace=world.a, name="Brand", query="roost")
    edge.listening = False
    assert listening_collect() == Collected(0, 0, 0, 0, 0)
    assert SearchCursor.objects.count() == 0
    assert edge.calls == []


@pytest.mark.django_db
def test_deleted_posts_reported_by_a_search_are_forgotten(
    world: World, edge: Edge, setup: tuple[Channel, Channel]
) -> None:
    Topic.objects.create(workspace=world.a, name="Brand", query="roost")
    edge.pages[("one", "roost")] = [ok(post("p1", "roost"), post("p2", "roost too"))]
    listening_collect()
    SearchCursor.objects.update(next_poll_at=T0)
    edge.pages[("one", "roost")] = [ok(deleted=("p1",))]
    assert listening_collect().deleted == 1
    assert stored() == {("Alpha", "p2")}
