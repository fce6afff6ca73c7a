"""System checks for core settings (`roost check`, and before migrate and runserver)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register


@register()
def allow_list_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """ROOST_ALLOW_PRIVATE_HOSTS must be readable; a bad entry would otherwise be ignored."""
    from roost.core.outbound import parse_allow_list

    try:
        parse_allow_list(getattr(settings, "ROOST_ALLOW_PRIVATE_HOSTS", []))
    except ValueError as exc:
        return [
            Error(
                f"ROOST_ALLOW_PRIVATE_HOSTS: {exc}.",
                hint="Separate entries with commas, e.g. crm.corp,10.0.0.0/8,127.0.0.1:2583.",
                id="outbound.E001",
            )
        ]
    return []
