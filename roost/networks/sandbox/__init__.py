"""The built-in Sandbox network: a real local service, so publishing works without accounts."""

from __future__ import annotations

from typing import cast

from django.utils.translation import gettext_lazy

from roost.networks import registry
from roost.networks.base import ConnectField
from roost.networks.sandbox.connector import connect, factory

CONNECT_FIELDS = (
    ConnectField(
        name="name",
        # Lazy, so the form shows it in the person's language; a str to the type checker.
        label=cast(str, gettext_lazy("Account name")),
        help=cast(
            str,
            gettext_lazy("Any name: Roost creates a test account on the local Sandbox network."),
        ),
    ),
)

registry.register(
    registry.Network(
        key="sandbox",
        label="Sandbox",
        factory=factory,
        sandbox=True,
        connect_fields=CONNECT_FIELDS,
        connect=connect,
    )
)
