"""Connecting a Bluesky account: log in with a handle and app password, say what to store."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlsplit

import httpx
from django.utils.translation import gettext as _

from roost.core import outbound
from roost.networks.base import Account, Connection, Outcome, Result
from roost.networks.bluesky.client import (
    DEFAULT_SERVICE_URL,
    TIMEOUT,
    BlueskyClient,
    clean_service_url,
    normalize_service_url,
)
from roost.networks.bluesky.outcomes import SDK_ERRORS, describe, failure

APP_URL = "https://bsky.app"


def account_for(did: str, handle: str, display_name: str | None = None) -> Account:
    """The account as Roost shows it, with its bsky.app profile link."""
    return Account(
        remote_id=did,
        handle=handle,
        display_name=display_name or "",
        url=f"{APP_URL}/profile/{handle}",
    )


def connect(
    *,
    service_url: str = DEFAULT_SERVICE_URL,
    handle: str,
    app_password: str,
    timeout: httpx.Timeout = TIMEOUT,
    clock: Callable[[], float] = time.time,
) -> Connection:
    """Log in with a handle and app password (createSession) and say what to store."""
    handle = handle.strip().removeprefix("@")
    if not handle or not app_password.strip():
        return Connection(
            Result(
                Outcome.REJECTED,
                reason=_("Enter the Bluesky handle and an app password created for Roost."),
            )
        )
    try:
        parts = urlsplit(clean_service_url(service_url))
        hostname = parts.hostname
    except ValueError:
        hostname = None
    if not hostname or " " in service_url.strip():
        return Connection(
            Result(
                Outcome.REJECTED,
                reason=_(
                    "Enter the address of the Bluesky server (PDS), such as https://bsky.social."
                ),
            )
        )
    try:
        normalize_service_url(service_url)
    except outbound.OutboundRefused as exc:
        return Connection(Result(Outcome.REJECTED, reason=str(exc)))
    client = BlueskyClient(
        service_url=service_url, handle=handle, app_password=app_password.strip(), timeout=timeout
    )
    try:
        client.login()
        # After login the SDK moves to the PDS that the account's DID document names: a
        # second address, which must pass the same check (every call to it is guarded too).
        normalize_service_url(client.pds_url)
        display_name = _display_name(client)
        account = account_for(client.did, client.handle, display_name)
        session = client.session_string
    except outbound.OutboundRefused as exc:
        return Connection(Result(Outcome.REJECTED, reason=str(exc)))
    except SDK_ERRORS as exc:
        refused = outbound.refusal(exc)
        if refused is not None:  # the PDS named after login (DID document), or a redirect
            return Connection(Result(Outcome.REJECTED, reason=str(refused)))
        result = failure(exc, now=clock())
        if result.outcome is Outcome.UNAUTHORIZED:
            result = Result(
                Outcome.UNAUTHORIZED,
                reason=_("Bluesky did not accept this handle and app password (%(detail)s).")
                % {"detail": describe(exc)},
            )
        return Connection(result)
    finally:
        client.close()
    return Connection(
        Result(Outcome.OK),
        account=account,
        config={"service_url": client.service_url},
        credentials={
            "handle": account.handle,
            "app_password": app_password.strip(),
            "session": session,
        },
    )


def _display_name(client: BlueskyClient) -> str:
    """The profile's display name; blank when the PDS cannot tell (the login still stands)."""
    try:
        profile = client.call(lambda sdk: sdk.get_profile(client.did))
    except SDK_ERRORS:
        return ""
    return profile.display_name or ""
