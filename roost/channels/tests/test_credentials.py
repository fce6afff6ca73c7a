"""Credentials are encrypted at rest, never shown, and survive key rotation."""

from __future__ import annotations

import io
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command

from roost.channels.models import Channel
from roost.conftest import World, make_channel
from roost.core import crypto


def test_stored_credentials_are_not_readable_in_the_database(world: World) -> None:
    channel = make_channel(world.a, "Secret")
    channel.set_credentials({"token": "very-secret-token"})
    channel.save()
    raw = Channel.objects.filter(pk=channel.pk).values_list("credentials_encrypted", flat=True)[0]
    assert "very-secret-token" not in raw
    assert Channel.objects.get(pk=channel.pk).credentials == {"token": "very-secret-token"}
    assert "very-secret-token" not in repr(channel) and "very-secret-token" not in str(channel)


def test_rotation_moves_every_channel_to_the_new_key(world: World, settings: Any) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.ROOST_SECRET_KEYS = [old]
    channel = make_channel(world.a, "Rotating")
    channel.set_credentials({"token": "t1"})
    channel.save()
    settings.ROOST_SECRET_KEYS = [new, old]  # new key first; old still opens old values
    assert Channel.objects.get(pk=channel.pk).credentials == {"token": "t1"}
    out = io.StringIO()
    call_command("rotate_secrets", stdout=out)
    # The fixture's channels (written with the SECRET_KEY-derived key) move over too, and
    # so do the fixture's webhook endpoints (their signing secrets).
    assert out.getvalue() == (
        "re-encrypted 3 channel(s); 0 unreadable\n"
        "re-encrypted 2 webhook endpoint(s); 0 unreadable\n"
        "re-encrypted 0 brief webhook(s); 0 unreadable\n"
    )
    settings.ROOST_SECRET_KEYS = [new]  # the old key can go now
    assert Channel.objects.get(pk=channel.pk).credentials == {"token": "t1"}


def test_a_missing_key_is_reported_not_guessed(world: World, settings: Any) -> None:
    settings.ROOST_SECRET_KEYS = [Fernet.generate_key().decode()]
    channel = make_channel(world.a, "Lost")
    settings.ROOST_SECRET_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(crypto.SecretUnreadable):
        Channel.objects.get(pk=channel.pk).credentials  # noqa: B018
