"""One connector lifecycle: every place that uses a connector (publish, inbox poll, reply,
metrics, deletion, validation) stores the credentials it refreshed — a new Bluesky
session — through one conditional update, and never over a disconnect or a reconnect that
happened meanwhile.

The network edge is a fake (a connector registered for a test network key) whose every
call "refreshes the session", as Bluesky's SDK does when the access token has expired;
the last test uses the real Bluesky connector against recorded exchanges.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from roost.analytics.services.collection import audience_collect, metrics_collect
from roost.channels.models import Channel, ChannelStatus
from roost.channels.services import (
    channel_connector,
    channel_disconnect,
    channel_store_refreshed_credentials,
    connect_with_form,
)
from roost.conftest import World
from roost.core import clock
from roost.inbox.models import Message
from roost.inbox.services.ingest import ingest
from roost.inbox.services.poll import poll_channels
from roost.inbox.services.replies import reply_send
from roost.networks import registry
from roost.networks.base import (
    Account,
    Audience,
    ConnectField,
    Connection,
    Inbound,
    InboundKind,
    InboxPage,
    Limits,
    Metrics,
    Outcome,
    Problem,
    Published,
    PublishRequest,
    ReplyRequest,
    Result,
)

# `replay` replays recorded Bluesky exchanges; `no_network` (autouse) keeps every test
# here off the network.
from roost.networks.bluesky.tests.conftest import (  # noqa: F401 - fixtures
    APP_PASSWORD,
    HANDLE,
    STORED,
    Replay,
    no_network,
    replay,
)
from roost.publishing.models import Post
from roost.publishing.services.compose import PostInput, post_compose, post_validate
from roost.publishing.services.deletion import post_delete
from roost.publishing.tests.conftest import drain

NETWORK = "refreshing"
FIRST = {"handle": "fake.example", "session": "session-0"}


@dataclass
class Edge:
    """What the fake network does: each call refreshes the session; `during[call]` runs
    in the middle of that call (a person disconnecting the channel meanwhile, say)."""

    calls: list[str] = field(default_factory=list)
    during: dict[str, Callable[[], None]] = field(default_factory=dict)


EDGE = Edge()


class RefreshingConnector:
    """A connector at the network edge whose session is refreshed by every call."""

    network = NETWORK

    def __init__(self, config: Mapping[str, Any], credentials: Mapping[str, Any]) -> None:
        self._credentials = dict(credentials)

    def _call(self, name: str) -> None:
        self._credentials["session"] = f"refreshed-by-{name}"
        EDGE.calls.append(name)
        if name in EDGE.during:
            EDGE.during[name]()

    def limits(self) -> Limits:
        return Limits(max_chars=500, max_media=4, max_image_bytes=1, image_types=frozenset())

    def validate(self, request: PublishRequest) -> list[Problem]:
        self._call("validate")
        return []

    def verify(self) -> tuple[Result, Account | None]:
        self._call("verify")
        return Result(Outcome.OK), Account(remote_id="fake-1", handle="fake.example")

    def publish(self, request: PublishRequest) -> Result:
        self._call("publish")
        key = request.idempotency_key
        return Result(Outcome.OK, published=Published(f"p-{key}", f"https://fake.example/{key}"))

    def find_existing(self, request: PublishRequest) -> Result:
        return Result(Outcome.OK)

    def delete(self, remote_id: str) -> Result:
        self._call("delete")
        return Result(Outcome.OK)

    def fetch_metrics(self, remote_ids: Sequence[str]) -> tuple[Result, dict[str, Metrics]]:
        self._call("metrics")
        return Result(Outcome.OK), {r: Metrics(likes=5) for r in remote_ids}

    def fetch_audience(self) -> tuple[Result, Audience | None]:
        self._call("audience")
        return Result(Outcome.OK), Audience(followers=3)

    def fetch_inbox(self, cursor: str | None) -> tuple[Result, InboxPage]:
        self._call("poll")
        return Result(Outcome.OK), InboxPage(cursor="c1")

    def reply(self, request: ReplyRequest) -> Result:
        self._call("reply")
        key = request.idempotency_key
        return Result(Outcome.OK, published=Published(f"r-{key}", f"https://fake.example/{key}"))

    def credentials(self) -> dict[str, Any]:
        return dict(self._credentials)


def _connect(**fields: str) -> Connection:
    return Connection(
        result=Result(Outcome.OK),
        account=Account(remote_id="fake-1", handle="fake.example"),
        credentials={"handle": "fake.example", "session": fields["session"]},
    )


@pytest.fixture
def fake_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[Edge]:
    registry.load()
    monkeypatch.setitem(
        registry._NETWORKS,
        NETWORK,
        registry.Network(
            key=NETWORK,
            label="Refreshing",
            factory=RefreshingConnector,
            connect_fields=(ConnectField("session", "Session"),),
            connect=_connect,
        ),
    )
    EDGE.calls.clear()
    EDGE.during.clear()
    yield EDGE
    EDGE.during.clear()


@pytest.fixture
def channel(world: World, fake_network: Edge) -> Channel:
    return connect_with_form(
        actor=world.members["social_media_manager"],
        network=NETWORK,
        fields={"session": FIRST["session"]},
    )


def stored(channel: Channel) -> tuple[str, dict[str, Any]]:
    fresh = Channel.objects.get(pk=channel.pk)
    return fresh.status, fresh.credentials


def publish(world: World, channel: Channel) -> Post:
    post = post_compose(
        actor=world.members["social_media_manager"],
        data=PostInput(text="Fresh beans", channel_ids=[channel.pk]),
        mode="now",
    )
    drain()
    return post


def inbound(channel: Channel) -> Message:
    ingest(
        channel,
        InboxPage(
            items=(
                Inbound(
                    remote_id="in-1",
                    kind=InboundKind.MENTION,
                    text="Open on Sunday?",
                    created_at=clock.now(),
                    author_id="cust-1",
                    author_handle="customer.example",
                ),
            )
        ),
    )
    return Message.objects.get(channel=channel, remote_id="in-1")


# Each call site: what to set up first (before the connector is opened), and the use itself.
Setup = Callable[[World, Channel], Any]
Use = Callable[[World, Channel, Any], Any]
SITES: dict[str, tuple[Setup, Use]] = {
    "publish": (lambda w, c: None, lambda w, c, _: publish(w, c)),
    "poll": (
        lambda w, c: Channel.objects.get(pk=c.pk),  # as a round claims it
        lambda w, c, claimed: poll_channels([claimed]),
    ),
    "reply": (
        lambda w, c: inbound(c),
        lambda w, c, message: reply_send(
            actor=w.members["owner"], message=message, text="Yes, 9 to 5!", key="reply-1"
        ),
    ),
    # Read when the first reading is due, an hour after publishing.
    "metrics": (
        lambda w, c: publish(w, c),
        lambda w, c, _: metrics_collect(now=clock.now() + timedelta(hours=2)),
    ),
    "audience": (lambda w, c: None, lambda w, c, _: audience_collect()),
    "delete": (
        lambda w, c: publish(w, c),
        lambda w, c, post: post_delete(actor=w.members["owner"], post=post),
    ),
    "validate": (
        lambda w, c: None,
        lambda w, c, _: post_validate(
            actor=w.members["social_media_manager"],
            data=PostInput(text="Draft", channel_ids=[c.pk]),
        ),
    ),
}


@pytest.mark.parametrize("site", list(SITES))
def test_every_use_of_a_connector_keeps_the_session_it_refreshed(
    world: World, channel: Channel, fake_network: Edge, site: str
) -> None:
    setup, use = SITES[site]
    before = setup(world, channel)

    use(world, channel, before)

    assert fake_network.calls[-1] == site
    assert stored(channel) == (
        ChannelStatus.ACTIVE,
        {"handle": "fake.example", "session": f"refreshed-by-{site}"},
    )


@pytest.mark.django_db(transaction=True)  # publish, poll and metrics call from pool threads
@pytest.mark.parametrize("site", list(SITES))
def test_a_session_refreshed_during_a_disconnect_is_not_written_back(
    world: World, channel: Channel, fake_network: Edge, site: str
) -> None:
    """Someone disconnects the channel while the network call is under way: the refreshed
    session is dropped — the channel stays disconnected, with no credentials."""
    setup, use = SITES[site]
    before = setup(world, channel)
    owner = world.members["owner"]

    def disconnect() -> None:
        try:
            channel_disconnect(actor=owner, channel=Channel.objects.get(pk=channel.pk))
        finally:
            connection.close()  # this thread's (a pool thread's) connection

    fake_network.during[site] = disconnect

    use(world, channel, before)

    assert fake_network.calls[-1] == site
    fresh = Channel.objects.get(pk=channel.pk)
    assert (fresh.status, fresh.credentials_encrypted) == (ChannelStatus.DISCONNECTED, "")


def test_a_reconnect_during_the_call_wins_over_the_refreshed_session(
    world: World, channel: Channel, fake_network: Edge
) -> None:
    message = inbound(channel)

    def reconnect() -> None:
        connect_with_form(
            actor=world.members["owner"], network=NETWORK, fields={"session": "reconnected"}
        )

    fake_network.during["reply"] = reconnect

    reply_send(actor=world.members["owner"], message=message, text="Hello", key="reply-2")

    assert stored(channel) == (
        ChannelStatus.ACTIVE,
        {"handle": "fake.example", "session": "reconnected"},
    )


def test_a_connector_stores_each_change_once_and_only_changes(
    world: World, channel: Channel, fake_network: Edge, django_assert_num_queries: Any
) -> None:
    """Nothing refreshed: no write at all. Two refreshes through one connector: each is a
    compare-and-set on the value the previous one stored."""
    with django_assert_num_queries(0), channel_connector(channel) as connector:
        connector.limits()  # no network call, no refresh
    with channel_connector(channel) as connector:
        connector.verify()
        connector.delete("x")
    assert stored(channel)[1]["session"] == "refreshed-by-delete"
    read = Channel.objects.get(pk=channel.pk).credentials_encrypted
    # A later refresh by a connector that was built from an older value is refused.
    assert (
        channel_store_refreshed_credentials(
            channel_id=channel.pk, read=channel.credentials_encrypted, credentials={"x": 1}
        )
        is None
    )
    assert Channel.objects.get(pk=channel.pk).credentials_encrypted == read


def test_a_key_rotation_meanwhile_does_not_drop_the_refreshed_session(
    world: World, channel: Channel, settings: Any
) -> None:
    """`roost rotate_secrets` re-encrypts the same credentials: the refreshed session is
    still stored."""
    settings.ROOST_SECRET_KEYS = [Fernet.generate_key().decode()]
    read = Channel.objects.get(pk=channel.pk).credentials_encrypted
    call_command("rotate_secrets", verbosity=0)
    assert Channel.objects.get(pk=channel.pk).credentials_encrypted != read

    written = channel_store_refreshed_credentials(
        channel_id=channel.pk, read=read, credentials={**FIRST, "session": "refreshed"}
    )

    assert written == Channel.objects.get(pk=channel.pk).credentials_encrypted
    assert stored(channel)[1] == {**FIRST, "session": "refreshed"}


def test_the_bluesky_connector_s_refreshed_session_is_stored(
    world: World,
    replay: Callable[[str], Replay],  # noqa: F811 - the fixture imported above
) -> None:
    """The real Bluesky connector (recorded exchanges): the stored access token has
    expired, the SDK refreshes the session before the call, and the channel keeps it."""
    channel = Channel(
        workspace=world.a,
        network="bluesky",
        name="Roost on Bluesky",
        handle=HANDLE,
        remote_id="did:plc:r7kq3vmz4xhw2npl6tj5sd2c",
        config={"service_url": "https://bsky.social"},
    )
    channel.set_credentials(
        {"handle": HANDLE, "app_password": APP_PASSWORD, "session": STORED["access_expired"]}
    )
    channel.save()
    replay("verify_proactive_refresh")

    with channel_connector(channel) as connector:
        result, _account = connector.verify()

    assert result == Result(Outcome.OK)
    assert stored(channel) == (
        ChannelStatus.ACTIVE,
        {"handle": HANDLE, "app_password": APP_PASSWORD, "session": STORED["refreshed"]},
    )
    assert STORED["refreshed"] != STORED["access_expired"]


def test_nothing_is_stored_on_a_channel_disconnected_before_the_refresh(
    world: World, channel: Channel, fake_network: Edge
) -> None:
    """A connector opened from a channel that was already disconnected (an old object in
    memory) stores nothing, even where the stored value still matched."""
    stale = Channel.objects.get(pk=channel.pk)
    Channel.objects.filter(pk=channel.pk).update(status=ChannelStatus.DISCONNECTED)
    with channel_connector(stale) as connector:
        connector.verify()
    assert stored(channel) == (ChannelStatus.DISCONNECTED, FIRST)
