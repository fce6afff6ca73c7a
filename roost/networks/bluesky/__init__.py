"""Bluesky: connect with a handle and an app password; posts go to the account's PDS."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from django.utils.translation import gettext_lazy as _

from roost.networks.base import ConnectField, Connection, Connector
from roost.networks.registry import Network, register

DEFAULT_SERVICE_URL = "https://bsky.social"


def factory(config: Mapping[str, Any], credentials: Mapping[str, Any]) -> Connector:
    """Build the connector for a stored channel (the SDK is imported on first use)."""
    from roost.networks.bluesky.connector import BlueskyConnector

    return BlueskyConnector(config, credentials)


def connect(
    *, service_url: str = DEFAULT_SERVICE_URL, handle: str, app_password: str
) -> Connection:
    """Log in (createSession) and return the account and what to store."""
    from roost.networks.bluesky import connector

    return connector.connect(service_url=service_url, handle=handle, app_password=app_password)


# The labels are lazy translations; ConnectField is typed `str`, which they render as.
register(
    Network(
        key="bluesky",
        label="Bluesky",
        factory=factory,
        connect_fields=(
            ConnectField(
                name="service_url",
                label=cast(str, _("Service URL")),
                kind="url",
                default=DEFAULT_SERVICE_URL,
                help=cast(
                    str,
                    _(
                        "Your PDS. Leave it as it is for accounts on bsky.social; "
                        "a self-hosted or local development server has its own URL."
                    ),
                ),
            ),
            ConnectField(
                name="handle",
                label=cast(str, _("Handle")),
                help=cast(str, _("For example alice.bsky.social, without the @.")),
            ),
            ConnectField(
                name="app_password",
                label=cast(str, _("App password")),
                kind="password",
                help=cast(
                    str,
                    _(
                        "Create one in Bluesky under Settings → Privacy and security → "
                        "App passwords. Roost never asks for your main password."
                    ),
                ),
            ),
        ),
        connect=connect,
    )
)
