"""Connecting a Mastodon account: register an app on the instance, then OAuth code flow.

Both functions are pure: they keep nothing. The caller stores `state_config` between the
two steps (in the person's session) and may cache an instance's app by passing its
`client_id` and `client_secret` to `oauth_start` again.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests
from django.utils.translation import gettext

from roost.core import outbound
from roost.networks.base import Connection, Outcome, Result
from roost.networks.mastodon.client import (
    SCOPES,
    Client,
    InstanceUrlError,
    is_token,
    normalize_instance_url,
)
from roost.networks.mastodon.connector import account_from
from roost.networks.mastodon.outcomes import result_for, retry_after

logger = logging.getLogger(__name__)


def oauth_start(
    instance_url: str,
    redirect_uri: str,
    *,
    client_id: str = "",
    client_secret: str = "",
    force_login: bool = False,
    session: requests.Session | None = None,
) -> tuple[str, dict[str, Any]]:
    """Register Roost on the instance (unless an app is given) and return the address to
    send the person to, with what `oauth_finish` needs. On failure the address is "" and
    the dict is {"outcome": <Outcome value>, "reason": <for people>}."""
    try:
        url = normalize_instance_url(instance_url)
    except InstanceUrlError as exc:
        return "", _failure(Result(Outcome.REJECTED, reason=str(exc)))
    client = Client(url, session=session)
    if not (client_id and client_secret):
        try:
            client_id, client_secret = client.register_app(redirect_uri)
        except Exception as exc:
            return "", _failure(_registration_failed(exc, client))
        if not (is_token(client_id) and is_token(client_secret)):
            return "", _failure(_not_mastodon(client.host))
    try:
        # Mastodon 4.3+ publishes its OAuth endpoints; older servers answer 404 ({}).
        server = client.api.oauth_authorization_server_info()
    except Exception as exc:
        return "", _failure(result_for(exc, host=client.host, response=client.last_response))
    state = secrets.token_urlsafe(32)
    query = {
        "client_id": client_id,
        "response_type": "code",
        "redirect_uri": redirect_uri,
        "scope": " ".join(SCOPES),
        "state": state,
    }
    if force_login:
        query["force_login"] = "true"
    authorize_url = f"{_authorization_endpoint(server, url)}?{urlencode(query)}"
    return authorize_url, {
        "instance_url": url,
        "client_id": client_id,
        "client_secret": client_secret,
        "state": state,
        "redirect_uri": redirect_uri,
        "scope": " ".join(SCOPES),
    }


def oauth_finish(
    state_config: Mapping[str, Any],
    code: str,
    redirect_uri: str,
    *,
    state: str | None = None,
    session: requests.Session | None = None,
) -> Connection:
    """Exchange the code for a token, find the account and read the instance's limits.
    Pass the `state` the instance sent back to have it checked against `state_config`."""
    expected = str(state_config.get("state", ""))
    if state is not None and not hmac.compare_digest(state.encode(), expected.encode()):
        return Connection(
            Result(
                Outcome.REJECTED,
                reason=gettext(
                    "The answer from Mastodon does not belong to this connection attempt. "
                    "Start connecting again."
                ),
            )
        )
    try:
        url = normalize_instance_url(str(state_config.get("instance_url", "")))
    except InstanceUrlError as exc:
        return Connection(Result(Outcome.REJECTED, reason=str(exc)))
    client_id = str(state_config.get("client_id", ""))
    client_secret = str(state_config.get("client_secret", ""))
    client = Client(url, client_id=client_id, client_secret=client_secret, session=session)
    try:
        token = client.api.log_in(code=code, redirect_uri=redirect_uri, scopes=list(SCOPES))
    except Exception as exc:
        return Connection(_sign_in_failed(exc, client))
    if not is_token(token):
        return Connection(_not_mastodon(client.host))
    try:
        account = client.api.account_verify_credentials()
    except Exception as exc:
        return Connection(result_for(exc, host=client.host, response=client.last_response))
    config: dict[str, Any] = {"instance_url": url, "domain": client.host}
    try:
        config["limits"], config["domain"] = client.read_instance()
    except Exception:
        # Connected all the same: the connector reads the limits later when they are missing.
        logger.warning("Could not read the limits of %s", client.host, exc_info=True)
    return Connection(
        Result(Outcome.OK),
        account=account_from(account, config["domain"]),
        config=config,
        credentials={"client_id": client_id, "client_secret": client_secret, "access_token": token},
    )


def _failure(result: Result) -> dict[str, Any]:
    return {"outcome": result.outcome.value, "reason": result.reason}


def _authorization_endpoint(server: Mapping[str, Any], instance_url: str) -> str:
    endpoint = server.get("authorization_endpoint")
    if isinstance(endpoint, str):
        parts = urlsplit(endpoint)
        if parts.scheme == "https" and parts.netloc and not parts.query:
            return endpoint
    return f"{instance_url}/oauth/authorize"


def _not_mastodon(host: str) -> Result:
    return Result(
        Outcome.REJECTED,
        reason=gettext("%(host)s did not answer the way a Mastodon server does. Check the address.")
        % {"host": host},
    )


def _registration_failed(exc: BaseException, client: Client) -> Result:
    """Mastodon.py's create_app() ignores the HTTP status, so read it from the response."""
    response = client.last_response
    host = client.host
    refused = outbound.refusal(exc)
    if refused is not None:
        return Result(Outcome.REJECTED, reason=str(refused))
    if response is None:
        return Result(
            Outcome.RETRYABLE,
            reason=gettext("Could not reach %(host)s. Check the address and try again.")
            % {"host": host},
        )
    status = response.status_code
    if status == 429:
        wait = retry_after(response.headers)
        return Result(
            Outcome.RATE_LIMITED,
            retry_after=wait,
            reason=gettext("Mastodon (%(host)s) asked Roost to slow down; try again later.")
            % {"host": host},
        )
    if status >= 500:
        return Result(
            Outcome.RETRYABLE,
            reason=gettext("Mastodon (%(host)s) had a temporary problem (HTTP %(status)d).")
            % {"host": host, "status": status},
        )
    error = _error_text(response)
    if status >= 400 and error:
        return Result(
            Outcome.REJECTED,
            reason=gettext("Mastodon (%(host)s) refused to register Roost: %(error)s")
            % {"host": host, "error": error},
        )
    return _not_mastodon(host)


def _sign_in_failed(exc: BaseException, client: Client) -> Result:
    refused = outbound.refusal(exc)
    if refused is not None:
        return Result(Outcome.REJECTED, reason=str(refused))
    result = result_for(exc, host=client.host, response=client.last_response)
    if result.outcome not in (Outcome.REJECTED, Outcome.UNAUTHORIZED):
        return result
    # 400 invalid_grant (code used, expired, or for another redirect), 401 invalid_client
    # (the app was deleted), or fewer scopes granted than asked for.
    return Result(
        Outcome.REJECTED,
        reason=gettext(
            "Mastodon (%(host)s) did not accept the sign-in (%(error)s). Start connecting again."
        )
        % {"host": client.host, "error": _error_text(client.last_response) or exc},
    )


def _error_text(response: requests.Response | None) -> str:
    if response is None or response.ok:
        return ""
    try:
        body = response.json()
    except ValueError:
        return ""
    if not isinstance(body, Mapping):
        return ""
    parts = [body.get("error"), body.get("error_description")]
    return ": ".join(str(part) for part in parts if isinstance(part, str) and part)
