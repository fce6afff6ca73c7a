"""The atproto SDK client for one Bluesky account: explicit timeouts, a kept and renewed session.

The session (access + refresh JWT) is stored by the caller as the SDK's session string, so a
connector built later does not log in again; Bluesky rate-limits createSession per account.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx
from atproto import Client
from atproto_client.client.session import Session
from atproto_client.exceptions import LoginRequiredError, RequestErrorBase
from atproto_client.models.common import XrpcError
from atproto_client.request import Request, RequestBase
from atproto_core.exceptions import AtProtocolError
from atproto_server.auth.jwt import get_jwt_payload

from roost.core import outbound

DEFAULT_SERVICE_URL = "https://bsky.social"
# Reads are quick; an image upload of up to 1 MB gets the same generous overall budget.
TIMEOUT = httpx.Timeout(30.0, connect=10.0)

# Errors that mean "this session (or account) is not accepted": renew once, then give up.
AUTH_ERRORS = frozenset(
    {
        "AuthenticationRequired",
        "AuthRequired",
        "AuthMissing",
        "ExpiredToken",
        "InvalidToken",
        "AccountTakedown",
        "AccountDeactivated",
    }
)

# atproto's Client refreshes the session this long before the access token expires.
SDK_REFRESH_MARGIN = 15 * 60

T = TypeVar("T")


def xrpc_error(exc: BaseException) -> tuple[int | None, str, str]:
    """(HTTP status, XRPC error name, message) of an SDK request error, as far as known."""
    if not isinstance(exc, RequestErrorBase) or exc.response is None:
        return None, "", ""
    content = exc.response.content
    if isinstance(content, XrpcError):
        return exc.response.status_code, content.error or "", content.message or ""
    return exc.response.status_code, "", ""


def is_auth_error(exc: BaseException) -> bool:
    """Does this error say the session or account was not accepted?"""
    if isinstance(exc, LoginRequiredError):
        return True
    status, error, _message = xrpc_error(exc)
    return status in (401, 403) or error in AUTH_ERRORS


def clean_service_url(url: str) -> str:
    """The PDS URL without trailing slash or /xrpc; the default when blank."""
    url = (url or "").strip().rstrip("/") or DEFAULT_SERVICE_URL
    url = url.removesuffix("/xrpc")
    if not url.startswith(("https://", "http://")):
        url = f"https://{url}"
    return url


def normalize_service_url(url: str) -> str:
    """The cleaned PDS URL, if Roost may use it: a public host over https, or a host on the
    operator's allow-list (a local PDS); raises OutboundRefused. A name is resolved and
    checked on every connection (GuardedRequest), which also catches its later changes."""
    return outbound.validate_url(clean_service_url(url), require_https=True, resolve=False)


class GuardedRequest(Request):
    """The SDK's HTTP layer with every connection through Roost's outbound guard: public
    addresses only, over https unless allow-listed. It covers every URL the SDK calls,
    including the PDS that the account's DID document names after login."""

    def __init__(self, **kwargs: Any) -> None:
        # What Request.__init__ does, with the guarded client in place of a plain one (the
        # SDK follows redirects; each one is checked when it connects).
        RequestBase.__init__(self)
        self._client_kwargs = kwargs
        self._client = outbound.guarded_httpx_client(
            follow_redirects=True, require_https=True, **kwargs
        )


class BlueskyClient:
    """An `atproto.Client` logged in lazily, from the stored session or the app password."""

    def __init__(
        self,
        *,
        service_url: str,
        handle: str,
        app_password: str,
        session: str = "",
        timeout: httpx.Timeout = TIMEOUT,
    ) -> None:
        # Not validated here: a stored address is checked on every connection instead.
        self.service_url = clean_service_url(service_url)
        self.handle_hint = handle.strip().removeprefix("@")
        self._app_password = app_password
        self._stored_session = session
        self.sdk = Client(base_url=self.service_url, request=GuardedRequest(timeout=timeout))
        self._logged_in = False

    @property
    def did(self) -> str:
        """The logged-in account's DID."""
        session = self._session()
        return session.did

    @property
    def handle(self) -> str:
        """The logged-in account's current handle."""
        session = self._session()
        return session.handle

    @property
    def pds_url(self) -> str:
        """Where the SDK sends the account's calls: the PDS its DID document names."""
        return self._session().pds_endpoint or self.service_url

    @property
    def logged_in(self) -> bool:
        """Has this client a session (imported or created)?"""
        return self._logged_in

    @property
    def session_string(self) -> str:
        """The session as it is now (possibly refreshed), or as it was stored."""
        if self._logged_in:
            return self.sdk.export_session_string()
        return self._stored_session

    def login(self) -> None:
        """Create a fresh session with the handle and app password (createSession)."""
        if not self.handle_hint or not self._app_password:
            raise LoginRequiredError("No handle and app password are stored for this account.")
        # Log in where the person said (the entryway); the SDK then moves to the PDS that the
        # account's DID document names.
        self.sdk.update_base_url(self.service_url)
        self.sdk.login(self.handle_hint, self._app_password, fetch_bsky_profile=False)
        self._logged_in = True

    def call(self, operation: Callable[[Client], T]) -> T:
        """Run one SDK operation; on an auth error renew the session once and run it again."""
        self._ensure_session()
        try:
            return operation(self.sdk)
        except AtProtocolError as exc:
            if not is_auth_error(exc):
                raise
        self._renew()
        return operation(self.sdk)

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self.sdk.request.close()

    def _session(self) -> Session:
        """The SDK session, logging in first when there is none."""
        self._ensure_session()
        session = self.sdk._session  # the SDK keeps it here; it has no public getter
        if session is None:
            raise LoginRequiredError
        return session

    def _ensure_session(self) -> None:
        """Import the stored session without a request, or log in when there is none."""
        if self._logged_in:
            return
        if self._stored_session:
            try:
                self.sdk.login(session_string=self._stored_session, fetch_bsky_profile=False)
            except (ValueError, AtProtocolError):
                pass  # an unreadable stored session: log in afresh
            else:
                session = self.sdk._session
                if session is not None and _expiry(session.access_jwt) is not None:
                    self._logged_in = True
                    return
        self.login()

    def _renew(self) -> None:
        """Refresh the session; when the refresh token is not accepted, log in again."""
        session = self.sdk._session
        now = datetime.now(UTC).timestamp()
        access_exp = _expiry(session.access_jwt) if session else None
        refresh_exp = _expiry(session.refresh_jwt) if session else None
        # The SDK refreshes by itself within 15 minutes of the access token's expiry, so a
        # stale access token here means that refresh was just refused: go straight to login.
        if (
            session is not None
            and refresh_exp is not None
            and refresh_exp > now
            and access_exp is not None
            and access_exp - SDK_REFRESH_MARGIN > now
        ):
            try:
                self.sdk._refresh_and_set_session()  # the SDK's own refresh routine
                return
            except AtProtocolError as exc:
                if not is_auth_error(exc):
                    raise
        self.login()


def _expiry(jwt: str) -> float | None:
    """The `exp` of a JWT (Unix time), or None when it cannot be read."""
    try:
        exp = get_jwt_payload(jwt).exp
    except AtProtocolError:
        return None
    return float(exp) if exp is not None else None
