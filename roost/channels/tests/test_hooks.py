"""Channel events: apps above channels register what happens to their work, and the
channel service calls them inside its own transaction."""

from __future__ import annotations

from typing import Any

import pytest

from roost.channels import hooks
from roost.channels.models import Channel, ChannelStatus
from roost.channels.services import channel_disconnect
from roost.conftest import World
from roost.workspaces.models import AuditEntry


@pytest.fixture
def isolated_hooks(monkeypatch: Any) -> None:
    """Empty registries for the test (the real ones are restored after it)."""
    monkeypatch.setattr(hooks, "_RECONNECTED", [])
    monkeypatch.setattr(hooks, "_DISCONNECTED", [])


def test_handlers_run_once_each_in_order_of_registration(
    world: World, isolated_hooks: None
) -> None:
    seen: list[tuple[str, int]] = []

    def first(channel: Channel) -> int:
        seen.append(("first", channel.pk))
        return 2

    def second(channel: Channel) -> int:
        seen.append(("second", channel.pk))
        return 1

    hooks.on_disconnected(first)
    hooks.on_disconnected(second)
    hooks.on_disconnected(first)  # registering again changes nothing
    assert hooks.disconnected(world.a_channel) == 3
    assert seen == [("first", world.a_channel.pk), ("second", world.a_channel.pk)]
    assert hooks.reconnected(world.a_channel) == 0  # nothing registered for that event


def test_a_failing_handler_rolls_the_disconnect_back(world: World, isolated_hooks: None) -> None:
    def broken(channel: Channel) -> int:
        raise RuntimeError("handler failed")

    hooks.on_disconnected(broken)
    with pytest.raises(RuntimeError, match="handler failed"):
        channel_disconnect(actor=world.members["owner"], channel=world.a_channel)
    channel = Channel.objects.get(pk=world.a_channel.pk)
    assert channel.status == ChannelStatus.ACTIVE
    assert channel.credentials_encrypted != ""
    assert not AuditEntry.objects.filter(action="channel.disconnected").exists()
