"""Mastodon: any instance, connected with OAuth, through Mastodon.py."""

from __future__ import annotations

from typing import cast

from django.utils.translation import gettext_lazy

from roost.networks.base import ConnectField
from roost.networks.mastodon.connector import MastodonConnector
from roost.networks.mastodon.oauth import oauth_finish, oauth_start
from roost.networks.registry import Network, register

register(
    Network(
        key="mastodon",
        label="Mastodon",
        factory=MastodonConnector,
        # Asked before oauth_start(instance_url=...); the rest happens on the instance.
        # Labels are lazy so they follow the reader's language (ConnectField allows it).
        connect_fields=(
            ConnectField(
                name="instance_url",
                label=cast(str, gettext_lazy("Mastodon server")),
                kind="url",
                help=cast(str, gettext_lazy("The address of your server, e.g. mastodon.social.")),
            ),
        ),
        oauth_start=oauth_start,
        oauth_finish=oauth_finish,
    )
)
