"""One failure stays in its own room: a broken rule, a channel whose poll fails or a broken
webhook endpoint never stops another channel's (or workspace's, or endpoint's) work; each
failure is recorded where it happened, shown, counted on /health/ and told once per streak.
Polls run against the real Sandbox."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from roost.channels.models import Channel, ChannelStatus
from roost.channels.services import connect_with_form
from roost.conftest import World
from roost.core import clock
from roost.inbox.models import Message, WebhookDelivery, WebhookEndpoint
from roost.inbox.services import poll, webhooks
from roost.inbox.services.config import rule_create
from roost.inbox.services.poll import claim_due, poll_all, poll_channels
from roost.networks.base import InboxPage
from roost.networks.sandbox.testing import SandboxHandle
from roost.notifications.models import Notification
from roost.workspaces.models import Group
from roost.workspaces.services import group_create


def live_channel(actor: Any, name: str) -> Channel:
    return connect_with_form(actor=actor, network="sandbox", fields={"name": name})


@pytest.fixture
def live(world: World, sandbox: SandboxHandle) -> tuple[Channel, Channel]:
    """A live Sandbox channel in workspace A and one in workspace B (the world's stored-only
    channels, which no server knows, are taken out of the rounds)."""
    Channel.objects.filter(pk__in=[world.a_channel.pk, world.b_channel.pk]).update(
        status=ChannelStatus.DISCONNECTED
    )
    a = live_channel(world.members["social_media_manager"], "Alpha Live")
    b = live_channel(world.b_owner, "Bravo Live")
    return a, b


def health() -> dict[str, Any]:
    response = Client().get("/health/?format=json")
    data: dict[str, Any] = response.json()
    assert "Alpha" not in response.content.decode()  # counts only: the page is public
    return data


def test_a_broken_rule_in_workspace_a_messages_for_workspace_b_still_arrive(
    world: World, sandbox: SandboxHandle, live: tuple[Channel, Channel]
) -> None:
    a_channel, b_channel = live
    owner = world.members["owner"]
    sales = group_create(actor=owner, name="Sales", member_ids=[world.members["sales"].pk])
    broken = rule_create(actor=owner, name="Leads to Sales", when={}, then={"group": sales.pk})
    healthy = rule_create(actor=owner, name="Tag everything", when={}, then={"tag": "seen"})
    # The group goes away behind the services' back (any other broken data would do).
    Group.objects.filter(pk=sales.pk).delete()
    made_a = sandbox.inbound(a_channel.handle, 5, seed=1)["created"]
    made_b = sandbox.inbound(b_channel.handle, 4, seed=2)["created"]

    polled = poll_all()  # one round, every channel of every workspace

    assert set(polled) == {a_channel.pk, b_channel.pk}
    assert Message.objects.filter(channel=b_channel).count() == made_b == 4
    a_messages = Message.objects.filter(channel=a_channel)
    assert a_messages.count() == made_a == 5
    # The broken rule was skipped (nothing routed to the missing group); the healthy one
    # applied to every message.
    assert list(a_messages.values_list("group", flat=True)) == [None] * 5
    assert all([t.name for t in m.tags.all()] == ["seen"] for m in a_messages)
    broken.refresh_from_db()
    assert (broken.active, broken.failures, broken.failing_reason) == (
        True,
        1,
        "The group it routes to no longer exists.",
    )
    assert broken.failing_since is not None
    healthy.refresh_from_db()
    assert (healthy.failures, healthy.failing_reason) == (0, "")
    # Neither channel failed; /health/ reports the failing rule.
    assert list(
        Channel.objects.filter(pk__in=[a_channel.pk, b_channel.pk]).values_list(
            "poll_failures", flat=True
        )
    ) == [0, 0]
    assert health()["failing"] == {"channels": 0, "inbox_rules": 1, "webhook_endpoints": 0}
    # The people who manage A's settings are told, once, and see it in the rules list.
    told = Notification.objects.filter(kind="inbox.rule_failing")
    assert sorted(n.recipient.email for n in told) == ["admin@alpha.test", "owner@alpha.test"]
    assert told.first().text == (  # type: ignore[union-attr]
        "The inbox rule “Leads to Sales” is skipped: The group it routes to no longer exists."
    )
    page = world.client_for("owner").get("/w/alpha/inbox/settings/").content.decode()
    assert "Skipped: The group it routes to no longer exists." in page

    # The next poll skips it again: counted, not told again.
    sandbox.inbound(a_channel.handle, 2, seed=3)
    poll_channels([a_channel])
    broken.refresh_from_db()
    assert broken.failures == 2
    assert Notification.objects.filter(kind="inbox.rule_failing").count() == 2


def test_one_channel_failing_to_store_leaves_the_others_alone(
    world: World,
    sandbox: SandboxHandle,
    live: tuple[Channel, Channel],
    monkeypatch: Any,
    caplog: Any,
) -> None:
    a_channel, b_channel = live
    real_ingest = poll.ingest

    def ingest(channel: Channel, page: InboxPage, **kw: Any) -> Any:
        if channel.pk == a_channel.pk:
            raise RuntimeError("a bug storing this page")
        return real_ingest(channel, page, **kw)

    monkeypatch.setattr(poll, "ingest", ingest)
    sandbox.inbound(a_channel.handle, 3, seed=1)
    sandbox.inbound(b_channel.handle, 3, seed=2)

    with caplog.at_level(logging.ERROR, logger="roost.inbox"):
        polled = poll_channels([a_channel, b_channel])

    assert set(polled) == {b_channel.pk}
    assert Message.objects.filter(channel=b_channel).count() == 3
    assert Message.objects.filter(channel=a_channel).count() == 0
    a_channel.refresh_from_db()
    assert (a_channel.poll_failures, a_channel.poll_error) == (
        1,
        "Could not store new messages: a bug storing this page",
    )
    assert a_channel.poll_failing_since is not None
    assert f"channel {a_channel.pk}: storing its inbox failed" in caplog.text
    b_channel.refresh_from_db()
    assert (b_channel.poll_failures, b_channel.poll_error) == (0, "")


def test_a_failing_channel_is_shown_counted_and_told_once_per_streak(
    world: World, sandbox: SandboxHandle, live: tuple[Channel, Channel]
) -> None:
    a_channel = live[0]
    sandbox.control(fail_5xx_rate=1.0, all_endpoints=True)
    for _round in range(4):
        assert poll_channels([a_channel]) == {}
    a_channel.refresh_from_db()
    assert a_channel.poll_failures == 4
    assert a_channel.poll_error.startswith("Sandbox")
    told = Notification.objects.filter(kind="channel.poll_failing")
    # Those who manage channels in A, once (at the third failure), not every round.
    assert sorted(n.recipient.email for n in told) == [
        "admin@alpha.test",
        "owner@alpha.test",
        "social_media_manager@alpha.test",
    ]
    assert "could not be read 3 times in a row" in told.first().text  # type: ignore[union-attr]
    assert health()["failing"]["channels"] == 1
    page = world.client_for("owner").get("/w/alpha/channels/").content.decode()
    assert 'data-testid="channel-failing"' in page
    assert a_channel.poll_error in page

    # It works again: the streak is over. A new streak is told again.
    sandbox.control(fail_5xx_rate=0.0)
    assert a_channel.pk in poll_channels([a_channel])
    a_channel.refresh_from_db()
    assert (a_channel.poll_failures, a_channel.poll_error, a_channel.poll_failing_since) == (
        0,
        "",
        None,
    )
    assert health()["failing"]["channels"] == 0
    sandbox.control(fail_5xx_rate=1.0)
    for _round in range(3):
        poll_channels([a_channel])
    assert Notification.objects.filter(kind="channel.poll_failing").count() == 6


def test_rounds_claim_each_channel_once_and_spread_it_out(
    world: World, live: tuple[Channel, Channel], settings: Any, monkeypatch: Any
) -> None:
    settings.ROOST_INBOX_POLL_SECONDS = 30
    now = clock.now()
    monkeypatch.setattr("roost.core.clock.now", lambda: now)
    first = claim_due()
    assert sorted(c.pk for c in first) == sorted(c.pk for c in live)
    assert claim_due() == []  # an overlapping round finds nothing to do
    for channel in Channel.objects.filter(pk__in=[c.pk for c in live]):
        assert channel.next_poll_at is not None
        assert now + timedelta(seconds=24) <= channel.next_poll_at <= now + timedelta(seconds=36)
    # A channel failing in a row waits longer: 30 s · 2³ = 4 minutes (± 20 %).
    a_channel = live[0]
    poll._failed(a_channel, "down")
    poll._failed(a_channel, "down")
    poll._failed(a_channel, "down")
    a_channel.refresh_from_db()
    assert a_channel.next_poll_at is not None
    wait = a_channel.next_poll_at - now
    assert timedelta(seconds=192) <= wait <= timedelta(seconds=288)
    later = now + timedelta(seconds=37)
    monkeypatch.setattr("roost.core.clock.now", lambda: later)
    assert [c.pk for c in claim_due()] == [live[1].pk]


def test_a_broken_webhook_endpoint_fails_on_its_own(world: World, receiver: Any) -> None:
    fine = receiver(secret="whsec_fine")
    good = WebhookEndpoint.objects.create(
        workspace=world.a, name="CRM", url=fine.url, secret="whsec_fine"
    )
    # An address httpx cannot even parse (stored before addresses were checked): it raises
    # InvalidURL, which is not an httpx.HTTPError, inside the sending thread.
    bad = WebhookEndpoint.objects.create(
        workspace=world.a, name="Help desk", url="http://[::1/hook", secret="whsec_bad"
    )
    broken = WebhookDelivery.objects.create(endpoint=bad, event="task.created", payload={})
    sent = WebhookDelivery.objects.create(endpoint=good, event="task.created", payload={})

    assert webhooks.send_due() == 2

    sent.refresh_from_db()
    assert (sent.status, sent.response_code) == ("sent", 200)
    assert len(fine.got) == 1 and fine.got[0].verified
    broken.refresh_from_db()
    # Not a web address at all: refused by the outbound guard, so never retried.
    assert (broken.status, broken.attempts) == ("failed", 1)
    assert broken.last_error == "Refused: invalid address"
    bad.refresh_from_db()
    assert (bad.failures, bad.last_error) == (1, broken.last_error)
    for _try in range(3):  # replayed by hand, three more times
        WebhookDelivery.objects.filter(pk=broken.pk).update(
            status="pending", next_attempt_at=clock.now()
        )
        assert webhooks.send_due() == 1
    bad.refresh_from_db()
    assert bad.failures == 4
    told = Notification.objects.filter(kind="inbox.webhook_failing")
    assert sorted(n.recipient.email for n in told) == ["admin@alpha.test", "owner@alpha.test"]
    assert health()["failing"]["webhook_endpoints"] == 1
    page = world.client_for("owner").get("/w/alpha/inbox/settings/").content.decode()
    assert 'data-testid="endpoint-failing"' in page
    good.refresh_from_db()
    assert good.failures == 0


def test_one_endpoints_backlog_does_not_crowd_out_the_others(world: World) -> None:
    busy = WebhookEndpoint.objects.create(
        workspace=world.a, name="Busy", url="http://127.0.0.1:9/busy", secret="s"
    )
    quiet = WebhookEndpoint.objects.create(
        workspace=world.a, name="Quiet", url="http://127.0.0.1:9/quiet", secret="s"
    )
    early = clock.now() - timedelta(minutes=5)
    WebhookDelivery.objects.bulk_create(
        WebhookDelivery(endpoint=busy, event="e", payload={}, next_attempt_at=early)
        for _ in range(30)
    )
    WebhookDelivery.objects.create(endpoint=quiet, event="e", payload={})

    picked = webhooks._fair(
        list(WebhookDelivery.objects.filter(status="pending").order_by("next_attempt_at")), 200
    )

    assert [d.endpoint_id for d in picked].count(busy.pk) == webhooks.PER_ENDPOINT == 20
    assert [d.endpoint_id for d in picked].count(quiet.pk) == 1


def test_a_database_that_does_not_answer_is_no_fault_of_the_channel(
    world: World,
    sandbox: SandboxHandle,
    live: tuple[Channel, Channel],
    monkeypatch: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from django.db import OperationalError

    channel, _other = live
    sandbox.inbound(channel.handle, 3, seed=5)
    real = poll.ingest

    def locked(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("database is locked")

    monkeypatch.setattr(poll, "ingest", locked)
    with caplog.at_level(logging.WARNING, logger="roost.inbox"):
        polled = poll_channels([channel])
    assert polled == {}
    # A warning, no traceback, and the channel is not marked failing: it did nothing wrong.
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert "the database did not answer" in caplog.text
    channel.refresh_from_db()
    assert channel.poll_failures == 0 and channel.poll_failing_since is None
    # The cursor did not move: the next poll stores the same messages, none lost.
    monkeypatch.setattr(poll, "ingest", real)
    poll_channels([channel])
    assert Message.objects.filter(channel=channel).count() == 3
