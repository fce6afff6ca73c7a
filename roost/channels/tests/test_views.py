"""Channel pages: the list, connecting (form and OAuth), settings and queue slots,
disconnecting — who may, what they see, and that refused requests change nothing."""

from __future__ import annotations

import dataclasses
import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from roost.channels.models import Channel, ChannelStatus
from roost.channels.services import channel_mark_unauthorized
from roost.conftest import B_MARKER, World, make_channel
from roost.networks import registry
from roost.networks.base import Account, Connection, Outcome, Result
from roost.networks.sandbox.testing import SandboxHandle
from roost.publishing.models import Delivery, DeliveryStatus, Post, PostStatus, QueueSlot
from roost.publishing.services.compose import PostInput, post_compose
from roost.publishing.tests import conftest as publishing_fixtures
from roost.workspaces.models import AuditEntry

# The real local Sandbox (publishing's fixture): sets settings.ROOST_SANDBOX_URL to it.
sandbox = publishing_fixtures.sandbox

LIST = "/w/alpha/channels/"
CLOSED_PORT = "http://127.0.0.1:9"
# The outbound guard's refusal, as the page shows it (escaped).
REFUSED = (
    "Roost does not send requests to private or local addresses (%s). "
    "The server&#x27;s operator can allow it in ROOST_ALLOW_PRIVATE_HOSTS."
)


def connect_url(network: str) -> str:
    return f"/w/alpha/channels/connect/{network}/"


def settings_url(channel: Channel) -> str:
    return f"/w/alpha/channels/{channel.pk}/"


def callback_url(network: str = "mastodon") -> str:
    return f"/w/alpha/channels/oauth/{network}/callback/"


def text_of(response: Any) -> str:
    return response.content.decode()


def flashed(client: Client, response: Any) -> list[str]:
    """The messages a person sees on the page a redirect leads to."""
    assert response.status_code == 302, response.status_code
    page = client.get(response["Location"])
    return re.findall(r'<li class="msg-\w+">(.*?)</li>', text_of(page))


def rows(html: str) -> dict[str, str]:
    """Each channel's table row, by the channel's name."""
    body = html.split('data-testid="channels"', 1)[1].split("</tbody>", 1)[0]
    found = {}
    for row in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S):
        name = re.search(r"<strong>(.*?)</strong>", row)
        if name:
            found[name.group(1)] = row
    return found


def counts() -> dict[str, int]:
    return {
        "channels": Channel.objects.count(),
        "audit": AuditEntry.objects.count(),
        "slots": QueueSlot.objects.count(),
    }


@pytest.fixture
def manager(world: World) -> Client:
    return world.client_for("social_media_manager")


@pytest.fixture
def no_internet(monkeypatch: Any) -> None:
    """Mastodon's client is never built: any attempt to reach an instance fails the test."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError(f"tried to reach a Mastodon server: {args} {kwargs}")

    monkeypatch.setattr("roost.networks.mastodon.oauth.Client", refuse)


# --- the list -------------------------------------------------------------------------


def test_list_shows_channels_sandbox_label_and_what_needs_reconnecting(
    world: World, manager: Client
) -> None:
    broken = make_channel(world.a, "Broken Sandbox", tz="America/New_York")
    reason = "Sandbox did not accept this account's token (revoked); reconnect it."
    assert channel_mark_unauthorized(channel_id=broken.pk, reason=reason)
    gone = make_channel(world.a, "Gone Sandbox")
    gone.status = ChannelStatus.DISCONNECTED
    gone.save(update_fields=["status"])

    response = manager.get(LIST)
    assert response.status_code == 200
    html = text_of(response)
    by_name = rows(html)
    assert list(by_name) == ["Alpha Sandbox", "Broken Sandbox"]
    assert B_MARKER not in html
    alpha, bad = by_name["Alpha Sandbox"], by_name["Broken Sandbox"]
    for row in (alpha, bad):
        assert '<span class="pill pill-sandbox">Sandbox</span>' in row
    assert "<td>Europe/Warsaw</td>" in alpha
    assert "<td>America/New_York</td>" in bad
    assert '<span class="ok">Active</span>' in alpha
    assert "Needs reconnect" not in alpha
    assert '<span class="bad" data-testid="needs-reconnect">Needs reconnect</span>' in bad
    assert "Sandbox did not accept this account&#x27;s token (revoked); reconnect it." in bad
    assert f'href="{connect_url("sandbox")}">Reconnect</a>' in bad
    assert html.count('data-testid="needs-reconnect"') == 1
    assert f'href="{settings_url(world.a_channel)}"' in alpha


def test_list_for_a_member_who_cannot_manage_channels(world: World) -> None:
    response = world.client_for("analyst").get(LIST)
    assert response.status_code == 200
    html = text_of(response)
    assert list(rows(html)) == ["Alpha Sandbox"]
    assert "Disconnect" not in html
    assert settings_url(world.a_channel) not in html
    assert "Connect a channel" not in html
    response = world.client_for("customer_care").get(LIST)
    assert response.status_code == 403


def test_list_runs_a_fixed_number_of_queries(world: World, manager: Client) -> None:
    manager.get(LIST)  # warm up: session, sites, translations
    with CaptureQueriesContext(connection) as one:
        assert manager.get(LIST).status_code == 200
    for n in range(4):
        make_channel(world.a, f"Extra {n}", tz="UTC" if n % 2 else "")
    with CaptureQueriesContext(connection) as five:
        response = manager.get(LIST)
    assert len(rows(text_of(response))) == 5
    assert len(five) == len(one), [q["sql"] for q in five.captured_queries]


# --- connecting with a form (Sandbox) -------------------------------------------------


def test_connect_a_sandbox_channel_through_the_form(
    world: World, manager: Client, sandbox: SandboxHandle
) -> None:
    page = manager.get(connect_url("sandbox"))
    assert page.status_code == 200
    assert "Connect Sandbox" in text_of(page)
    assert '<label for="id_name">Account name</label>' in text_of(page)

    before = counts()
    response = manager.post(connect_url("sandbox"), {"name": "  Bakery  "})
    assert response.status_code == 302
    assert response["Location"] == LIST
    assert flashed(manager, response) == ["Bakery is connected."]
    channel = Channel.objects.get(workspace=world.a, name="Bakery")
    assert channel.network == "sandbox"
    assert channel.status == ChannelStatus.ACTIVE
    assert channel.config == {"base_url": sandbox.url}
    assert channel.credentials["token"]
    assert channel.profile_url == f"{sandbox.url}/@{channel.handle}"
    assert channel.connected_by == world.members["social_media_manager"].user
    assert counts()["channels"] == before["channels"] + 1
    entry = AuditEntry.objects.get(workspace=world.a, action="channel.connected")
    assert entry.actor == world.members["social_media_manager"].user
    assert (entry.target_type, entry.target_id) == ("channel", str(channel.pk))
    assert entry.data == {"network": "sandbox", "handle": channel.handle}
    assert "Bakery" in rows(text_of(manager.get(LIST)))


def test_connect_with_an_empty_name_is_refused(
    world: World, manager: Client, settings: Any
) -> None:
    settings.ROOST_SANDBOX_URL = CLOSED_PORT
    before = counts()
    response = manager.post(connect_url("sandbox"), {"name": "   "})
    assert response.status_code == 422
    html = text_of(response)
    assert 'id="id_name-error">This field is required.</p>' in html
    assert counts() == before


def test_connect_when_the_sandbox_is_not_running_says_so(
    world: World, manager: Client, settings: Any
) -> None:
    settings.ROOST_SANDBOX_URL = CLOSED_PORT
    before = counts()
    response = manager.post(connect_url("sandbox"), {"name": "Bakery"})
    assert response.status_code == 422
    assert (
        "<p>Roost could not reach the Sandbox at http://127.0.0.1:9. Start it with "
        "“roost sandbox” and try again.</p>"
    ) in text_of(response)
    assert counts() == before


def test_only_channel_managers_connect_and_unknown_networks_are_not_found(
    world: World, manager: Client, settings: Any
) -> None:
    settings.ROOST_SANDBOX_URL = CLOSED_PORT
    before = counts()
    creator = world.client_for("content_creator")
    assert creator.get(connect_url("sandbox")).status_code == 403
    assert creator.post(connect_url("sandbox"), {"name": "Sneaky"}).status_code == 403
    assert manager.get(connect_url("myspace")).status_code == 404
    assert counts() == before


@pytest.fixture
def loopback_server() -> Iterator[tuple[str, list[str]]]:
    """A server on 127.0.0.1 that records every request path: (its port, the paths)."""
    paths: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            paths.append(self.path)
            self.send_response(404)
            self.end_headers()

        do_GET = do_POST

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True).start()
    yield str(server.server_address[1]), paths
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    ("service_url", "problem"),
    [
        ("http://127.0.0.1:{port}", "127.0.0.1 is a loopback address"),
        ("https://127.0.0.1:{port}", "127.0.0.1 is a loopback address"),
        ("http://localhost:{port}", "localhost is a local name"),
        ("http://[::1]:{port}", "::1 is a loopback address"),
        ("https://127.1:{port}", "127.1 means 127.0.0.1, a loopback address"),
    ],
)
def test_a_bluesky_server_on_a_local_address_is_a_form_error(
    world: World,
    manager: Client,
    loopback_server: tuple[str, list[str]],
    service_url: str,
    problem: str,
) -> None:
    port, paths = loopback_server
    before = counts()
    response = manager.post(
        connect_url("bluesky"),
        {
            "service_url": service_url.format(port=port),
            "handle": "alice.test",
            "app_password": "abcd-efgh-ijkl-mnop",
        },
    )
    assert response.status_code == 422
    assert f"<p>{REFUSED % problem}</p>" in text_of(response)
    assert paths == []  # the SDK never sent a request
    assert counts() == before


# --- settings and queue slots ---------------------------------------------------------


def slot_form(rows: list[tuple[str, str]], **fields: str) -> dict[str, str]:
    """The settings form as the page posts it: name and time zone, one row per queue slot
    (a weekday select, 0 = Monday or "all", and an <input type=time>)."""
    data = {
        "name": "Alpha Sandbox",
        "timezone": "",
        "slots-TOTAL_FORMS": str(len(rows)),
        "slots-INITIAL_FORMS": "0",
        "slots-MIN_NUM_FORMS": "0",
        "slots-MAX_NUM_FORMS": "70",
    }
    for i, (day, at) in enumerate(rows):
        data[f"slots-{i}-weekday"] = day
        data[f"slots-{i}-time"] = at
    return {**data, **fields}


def test_settings_save_name_time_zone_and_queue_slots(
    world: World, manager: Client, monkeypatch: Any
) -> None:
    channel = world.a_channel
    page = manager.get(settings_url(channel))
    assert page.status_code == 200
    assert 'value="Alpha Sandbox"' in text_of(page)
    # No slots yet: one empty row, a day picker and a time picker.
    html = text_of(page)
    assert '<select name="slots-0-weekday" id="id_slots-0-weekday">' in html
    assert '<input type="time" name="slots-0-time" id="id_slots-0-time">' in html
    assert "slots-1-weekday" not in html.split("<template")[0]

    response = manager.post(
        settings_url(channel),
        slot_form(
            [("0", "09:30"), ("", ""), ("all", "12:00"), ("3", "07:15")],
            name=" Renamed ",
            timezone="America/New_York",
            **{"slots-3-DELETE": "on"},  # removed before saving
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == LIST
    assert flashed(manager, response) == ["Channel settings saved."]
    channel.refresh_from_db()
    assert (channel.name, channel.timezone) == ("Renamed", "America/New_York")
    slots = list(QueueSlot.objects.filter(channel=channel).values_list("weekday", "time"))
    assert slots == sorted([(0, time(9, 30))] + [(day, time(12, 0)) for day in range(7)])
    actions = list(
        AuditEntry.objects.filter(target_type="channel", target_id=str(channel.pk))
        .order_by("id")
        .values_list("action", "data")
    )
    assert actions == [
        ("channel.updated", {"name": "Renamed", "timezone": "America/New_York"}),
        ("channel.queue_slots", {"count": 8}),
    ]
    # The page shows the slots back, a row each (Monday first), and one empty row.
    html = text_of(manager.get(settings_url(channel))).split("<template")[0]
    chosen = re.findall(r'<option value="(\d)" selected>([^<]+)</option>', html)
    assert chosen == [
        ("0", "Monday"),
        ("0", "Monday"),
        ("1", "Tuesday"),
        ("2", "Wednesday"),
        ("3", "Thursday"),
        ("4", "Friday"),
        ("5", "Saturday"),
        ("6", "Sunday"),
    ]
    times = re.findall(r'<input type="time" name="slots-\d+-time" value="([^"]+)"', html)
    assert times == ["09:30"] + ["12:00"] * 7
    assert '<input type="time" name="slots-8-time" id="id_slots-8-time">' in html

    # The queue uses them, in the channel's own zone: on Wednesday 5 March 2031 at 07:00 in
    # New York the next slot is 12:00 that day (17:00 UTC).
    monkeypatch.setattr("roost.core.clock.now", lambda: datetime(2031, 3, 5, 12, 0, tzinfo=UTC))
    post = post_compose(
        actor=world.members["social_media_manager"],
        data=PostInput(text="Queued", channel_ids=[channel.pk]),
        mode="queue",
    )
    assert post.deliveries.get().due_at == datetime(2031, 3, 5, 17, 0, tzinfo=UTC)


def test_settings_refuse_a_bad_slot_and_save_nothing(world: World, manager: Client) -> None:
    channel = world.a_channel
    QueueSlot.objects.create(channel=channel, weekday=2, time=time(8, 0))
    before = counts()
    response = manager.post(
        settings_url(channel),
        slot_form([("0", "25:99"), ("0", "10:00")], name="Should not stick", timezone="Asia/Tokyo"),
    )
    assert response.status_code == 422
    html = text_of(response)
    assert 'id="id_slots-0-time-error">Enter a time of day like 09:30.</p>' in html
    assert 'value="25:99"' in html  # what was typed stays, to be corrected
    assert counts() == before
    channel.refresh_from_db()
    assert (channel.name, channel.timezone) == ("Alpha Sandbox", "")
    assert list(QueueSlot.objects.filter(channel=channel).values_list("weekday", "time")) == [
        (2, time(8, 0))
    ]


@pytest.mark.parametrize(
    ("rows", "where", "message"),
    [
        ([("8", "09:00")], "slots-0-weekday", "Choose a day of the week from the list."),
        ([("-1", "09:00")], "slots-0-weekday", "Choose a day of the week from the list."),
        ([("1", "9h30")], "slots-0-time", "Enter a time of day like 09:30."),
        ([("1", "")], "slots-0-time", "Choose a time for this day."),
        ([("", "09:00")], "slots-0-weekday", "Choose a day for 09:00."),
        ([("1", "09:30"), ("1", "09:30")], "", "Tuesday 09:30 is listed twice; remove one."),
    ],
)
def test_settings_name_each_slot_problem(
    world: World, manager: Client, rows: list[tuple[str, str]], where: str, message: str
) -> None:
    before = counts()
    response = manager.post(settings_url(world.a_channel), slot_form(rows, name="Renamed"))
    assert response.status_code == 422
    html = text_of(response)
    if where:
        assert f'id="id_{where}-error">{message}</p>' in html
    else:
        assert f'<p class="error" role="alert">{message}</p>' in html
    assert counts() == before
    assert Channel.objects.get(pk=world.a_channel.pk).name == "Alpha Sandbox"


def test_settings_name_each_problem(world: World, manager: Client) -> None:
    before = counts()
    response = manager.post(settings_url(world.a_channel), slot_form([], name="  "))
    assert response.status_code == 422
    html = text_of(response)
    assert 'id="id_name-error">Give the channel a name.</p>' in html
    response = manager.post(
        settings_url(world.a_channel), slot_form([], name="Fine", timezone="Mars/Olympus")
    )
    assert response.status_code == 422
    assert "Select a valid choice. Mars/Olympus is not one of the available choices." in (
        text_of(response)
    )
    # A post without the rows' bookkeeping (an old page, a script) changes nothing.
    response = manager.post(settings_url(world.a_channel), {"name": "Fine", "timezone": ""})
    assert response.status_code == 422
    assert "The queue slots did not arrive complete. Reload the page and try again." in (
        text_of(response)
    )
    assert counts() == before
    assert Channel.objects.get(pk=world.a_channel.pk).name == "Alpha Sandbox"


def test_settings_of_another_workspaces_channel_are_not_found(
    world: World, manager: Client
) -> None:
    b_channel = world.b_channel
    response = manager.get(f"/w/alpha/channels/{b_channel.pk}/")
    assert response.status_code == 404
    assert B_MARKER not in text_of(response)
    response = manager.post(f"/w/alpha/channels/{b_channel.pk}/", slot_form([], name="Hijack"))
    assert response.status_code == 404
    b_channel.refresh_from_db()
    assert b_channel.name == f"Channel {B_MARKER}"


# --- disconnecting --------------------------------------------------------------------


def test_disconnect_cancels_scheduled_deliveries_and_hides_the_channel(
    world: World, manager: Client
) -> None:
    actor = world.members["social_media_manager"]
    target, other = world.a_channel, make_channel(world.a, "Other Sandbox")
    at = datetime(2031, 5, 4, 12, 0)
    only_target = post_compose(
        actor=actor, data=PostInput(text="Solo", channel_ids=[target.pk]), mode="at", at=at
    )
    both = post_compose(
        actor=actor,
        data=PostInput(text="Both", channel_ids=[target.pk, other.pk]),
        mode="at",
        at=at,
    )

    response = manager.post(f"/w/alpha/channels/{target.pk}/disconnect/")
    assert response.status_code == 302
    assert response["Location"] == LIST
    assert flashed(manager, response) == ["Alpha Sandbox was disconnected."]
    target.refresh_from_db()
    assert target.status == ChannelStatus.DISCONNECTED
    assert target.credentials_encrypted == ""
    assert target.status_reason == "Disconnected by Alpha Social Media Manager."
    states = {
        (d.post_id, d.channel_id): (d.status, d.error)
        for d in Delivery.objects.filter(post__in=[only_target, both, world.a_post])
    }
    cancelled = (DeliveryStatus.CANCELLED, "The channel was disconnected.")
    assert states == {
        (only_target.pk, target.pk): cancelled,
        (both.pk, target.pk): cancelled,
        (both.pk, other.pk): (DeliveryStatus.SCHEDULED, ""),
        (world.a_post.pk, target.pk): cancelled,
    }
    # Each post's status follows its deliveries.
    statuses = dict(Post.objects.filter(workspace=world.a).values_list("pk", "status"))
    assert statuses[only_target.pk] == PostStatus.CANCELLED
    assert statuses[both.pk] == PostStatus.SCHEDULED
    assert statuses[world.a_post.pk] == PostStatus.DRAFT  # a draft stays a draft
    entry = AuditEntry.objects.get(action="channel.disconnected")
    assert (entry.actor, entry.target_id) == (actor.user, str(target.pk))
    assert list(rows(text_of(manager.get(LIST)))) == ["Other Sandbox"]

    # A second click says so and changes nothing.
    audit = AuditEntry.objects.count()
    response = manager.post(f"/w/alpha/channels/{target.pk}/disconnect/")
    assert response.status_code == 302
    assert flashed(manager, response) == ["This channel is already disconnected."]
    assert AuditEntry.objects.count() == audit


def test_disconnect_is_refused_to_others_and_needs_post(world: World, manager: Client) -> None:
    url = f"/w/alpha/channels/{world.a_channel.pk}/disconnect/"
    assert manager.get(url).status_code == 405
    assert world.client_for("content_creator").post(url).status_code == 403
    assert manager.post(f"/w/alpha/channels/{world.b_channel.pk}/disconnect/").status_code == 404
    for channel in (world.a_channel, world.b_channel):
        channel.refresh_from_db()
        assert channel.status == ChannelStatus.ACTIVE
    assert not AuditEntry.objects.filter(action="channel.disconnected").exists()
    assert Delivery.objects.get(post=world.a_post).status == DeliveryStatus.PENDING


# --- connecting with OAuth (Mastodon) -------------------------------------------------


def test_mastodon_connect_page_asks_for_the_instance(
    world: World, manager: Client, no_internet: None
) -> None:
    response = manager.get(connect_url("mastodon"))
    assert response.status_code == 200
    html = text_of(response)
    assert "Connect Mastodon" in html
    assert '<label for="id_instance_url">Instance address</label>' in html
    assert 'name="instance_url"' in html
    assert "You will be sent to your Mastodon server to allow Roost to post for you." in html


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("http://mastodon.example", "Roost connects to Mastodon servers over https:// only."),
        ("http://localhost", REFUSED % "localhost is a local name"),
        ("localhost", REFUSED % "localhost is a local name"),
        ("https://10.0.0.7", REFUSED % "10.0.0.7 is a private address"),
        ("127.1", REFUSED % "127.1 means 127.0.0.1, a loopback address"),
        ("0x7f.1", REFUSED % "0x7f.1 means 127.0.0.1, a loopback address"),
        ("0177.0.0.1", REFUSED % "0177.0.0.1 means 127.0.0.1, a loopback address"),
        ("", "Enter your instance&#x27;s address."),
    ],
)
def test_mastodon_invalid_address_gets_the_networks_own_message(
    world: World, manager: Client, no_internet: None, address: str, message: str
) -> None:
    before = counts()
    response = manager.post(connect_url("mastodon"), {"instance_url": address})
    assert response.status_code == 422
    assert f'id="id_instance_url-error">{message}</p>' in text_of(response)
    assert "roost_oauth" not in manager.session
    assert counts() == before


@pytest.fixture
def fake_mastodon(monkeypatch: Any) -> dict[str, Any]:
    """Mastodon's OAuth steps replaced in the registry: records calls, reaches nothing."""
    calls: dict[str, Any] = {"start": [], "finish": []}

    def oauth_start(*, instance_url: str, redirect_uri: str) -> tuple[str, dict[str, Any]]:
        calls["start"].append((instance_url, redirect_uri))
        return "https://social.example/oauth/authorize?state=s3cret", {
            "instance_url": "https://social.example",
            "state": "s3cret",
        }

    def oauth_finish(*, state_config: Any, code: str, redirect_uri: str) -> Connection:
        calls["finish"].append((dict(state_config), code, redirect_uri))
        return Connection(
            Result(Outcome.OK),
            Account(remote_id="42", handle="@ana@social.example", display_name="Ana"),
            config={"instance_url": "https://social.example"},
            credentials={"access_token": "tok"},
        )

    real = registry.get("mastodon")
    fake = dataclasses.replace(real, oauth_start=oauth_start, oauth_finish=oauth_finish)
    monkeypatch.setitem(registry._NETWORKS, "mastodon", fake)
    return calls


def test_oauth_callback_with_a_wrong_state_is_refused(
    world: World, manager: Client, fake_mastodon: dict[str, Any]
) -> None:
    response = manager.post(connect_url("mastodon"), {"instance_url": "social.example"})
    assert response.status_code == 302
    assert response["Location"] == "https://social.example/oauth/authorize?state=s3cret"
    assert fake_mastodon["start"] == [
        ("social.example", "http://127.0.0.1:8000/w/alpha/channels/oauth/mastodon/callback/")
    ]
    assert manager.session["roost_oauth"]["state"] == "s3cret"
    before = counts()

    refused = "That sign-in link is not valid any more. Please start again."
    for query in ["?state=guess&code=abc", "?code=abc", "?state=&code=abc"]:
        response = manager.get(callback_url() + query)
        assert response.status_code == 302
        assert response["Location"] == LIST
        assert flashed(manager, response) == [refused]
    # A stranger's browser (no session) is refused too.
    stranger = world.client_for("owner")
    response = stranger.get(callback_url() + "?state=s3cret&code=abc")
    assert flashed(stranger, response) == [refused]
    # The state of another network does not open this one.
    response = manager.get(callback_url("sandbox") + "?state=s3cret&code=abc")
    assert flashed(manager, response) == [refused]
    assert fake_mastodon["finish"] == []
    assert counts() == before

    # The right state still works afterwards, once.
    response = manager.get(callback_url() + "?state=s3cret&code=abc")
    assert response.status_code == 302
    assert flashed(manager, response) == ["Ana is connected."]
    assert [code for _config, code, _uri in fake_mastodon["finish"]] == ["abc"]
    channel = Channel.objects.get(workspace=world.a, network="mastodon")
    assert (channel.name, channel.handle, channel.remote_id) == ("Ana", "@ana@social.example", "42")
    assert channel.credentials == {"access_token": "tok"}
    assert AuditEntry.objects.filter(action="channel.connected", target_id=str(channel.pk)).exists()
    response = manager.get(callback_url() + "?state=s3cret&code=abc")
    assert flashed(manager, response) == [refused]
    assert len(fake_mastodon["finish"]) == 1


def test_oauth_callback_without_a_code_says_access_was_not_granted(
    world: World, manager: Client, fake_mastodon: dict[str, Any]
) -> None:
    manager.post(connect_url("mastodon"), {"instance_url": "social.example"})
    response = manager.get(callback_url() + "?state=s3cret&error=access_denied")
    assert response.status_code == 302
    assert flashed(manager, response) == ["Mastodon did not grant access."]
    assert fake_mastodon["finish"] == []
    assert not Channel.objects.filter(network="mastodon").exists()
