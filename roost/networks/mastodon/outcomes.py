"""Turn what Mastodon.py raised into a Result: retryable versus terminal is decided here."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import requests
from django.utils.translation import gettext
from mastodon import (
    MastodonAPIError,
    MastodonError,
    MastodonIllegalArgumentError,
    MastodonNetworkError,
    MastodonRatelimitError,
    MastodonServerError,
    MastodonUnauthorizedError,
)

from roost.core import outbound
from roost.networks.base import Outcome, Result

logger = logging.getLogger(__name__)

# Mastodon's shortest rate-limit window is five minutes: wait that long when it does not say.
DEFAULT_RETRY_AFTER = 300.0
# Statuses a retry can cure: timeout, conflict (a request with the same key still running),
# too early.
_RETRYABLE_4XX = frozenset({408, 409, 425})
# 403 answers that mean the account or token cannot be used at all (Api::BaseController,
# Doorkeeper), rather than "this one action is not allowed".
_ACCESS_PROBLEMS = ("your login", "your account", "access token", "authorized scopes")


def result_for(
    exc: BaseException,
    *,
    host: str,
    response: requests.Response | None = None,
    now: datetime | None = None,
) -> Result:
    """The Result for an exception from Mastodon.py; `response` is the last HTTP response."""
    refused = outbound.refusal(exc)
    if refused is not None:
        # The instance's address is not allowed (any more): no retry can help.
        return Result(
            Outcome.UNAUTHORIZED,
            reason=gettext("Roost will not connect to Mastodon (%(host)s): %(reason)s")
            % {"host": host, "reason": refused},
        )
    exc = _unwrap(exc)
    if isinstance(exc, MastodonRatelimitError):
        return _rate_limited(host, response, now)
    if isinstance(exc, MastodonNetworkError | requests.RequestException):
        if isinstance(exc, requests.Timeout) or "timed out" in str(exc).lower():
            reason = gettext("Mastodon (%(host)s) did not answer in time.")
        else:
            reason = gettext("Could not reach Mastodon (%(host)s).")
        return Result(Outcome.RETRYABLE, reason=reason % {"host": host})
    if isinstance(exc, MastodonAPIError):
        return _api_error(exc, host=host, response=response, now=now)
    if isinstance(exc, MastodonError):
        # Mastodon.py refused the call itself (bad argument, version): sending again won't help.
        return Result(
            Outcome.REJECTED,
            reason=gettext("Mastodon (%(host)s) could not take this request: %(error)s")
            % {"host": host, "error": exc},
        )
    # Not a Mastodon.py or requests error: a bug or a surprise in a response. Whether the
    # request landed is unknown, so retry; idempotency keys and find_existing prevent doubles.
    logger.exception("Unexpected error talking to Mastodon (%s)", host, exc_info=exc)
    return Result(
        Outcome.RETRYABLE,
        reason=gettext("Something unexpected happened talking to Mastodon (%(host)s): %(error)s")
        % {"host": host, "error": type(exc).__name__},
    )


def _unwrap(exc: BaseException) -> BaseException:
    # Mastodon.py's log_in() re-raises every failure as MastodonIllegalArgumentError; the
    # real cause (network, 5xx, 400 invalid_grant) is the exception it was handling.
    cause = exc.__cause__ or exc.__context__
    if isinstance(exc, MastodonIllegalArgumentError) and isinstance(
        cause, MastodonError | requests.RequestException
    ):
        return cause
    return exc


def _api_error(
    exc: MastodonAPIError,
    *,
    host: str,
    response: requests.Response | None,
    now: datetime | None,
) -> Result:
    status, error = status_and_error(exc)
    if status == 429:
        return _rate_limited(host, response, now)
    if status is None:
        text = str(exc.args[0]) if exc.args else ""
        if text.startswith("Could not parse"):
            # A 2xx that was not JSON (a proxy page): whether it landed is unknown.
            return Result(
                Outcome.RETRYABLE,
                reason=gettext("Mastodon (%(host)s) sent an answer Roost could not read.")
                % {"host": host},
            )
        return Result(
            Outcome.REJECTED,
            reason=gettext("Mastodon (%(host)s) refused the request: %(error)s")
            % {"host": host, "error": text},
        )
    if isinstance(exc, MastodonServerError) or status >= 500 or status in _RETRYABLE_4XX:
        return Result(
            Outcome.RETRYABLE,
            # X-RateLimit-Reset comes with every answer; only Retry-After asks for a pause.
            retry_after=_header_delay(response, now, rate_limit=False),
            reason=gettext("Mastodon (%(host)s) had a temporary problem (HTTP %(status)d).")
            % {"host": host, "status": status},
        )
    lowered = error.lower()
    if (
        isinstance(exc, MastodonUnauthorizedError)
        or (status == 403 and any(p in lowered for p in _ACCESS_PROBLEMS))
        or (status == 422 and "requires an authenticated user" in lowered)
    ):
        return Result(
            Outcome.UNAUTHORIZED,
            reason=gettext(
                "Mastodon (%(host)s) no longer accepts Roost's access to this account "
                "(%(error)s). Reconnect the channel."
            )
            % {"host": host, "error": error},
        )
    return Result(
        Outcome.REJECTED,
        reason=gettext("Mastodon (%(host)s) refused the request: %(error)s (HTTP %(status)d).")
        % {"host": host, "error": error, "status": status},
    )


def status_and_error(exc: MastodonAPIError) -> tuple[int | None, str]:
    """The HTTP status and the server's error text from a MastodonAPIError."""
    # Mastodon.py raises ('Mastodon API returned error', status, reason, error text).
    args = exc.args
    status = args[1] if len(args) > 1 and isinstance(args[1], int) else None
    error = ""
    if len(args) > 3 and args[3]:
        error = str(args[3])
    elif len(args) > 2 and args[2]:
        error = str(args[2])
    return status, error


def _rate_limited(host: str, response: requests.Response | None, now: datetime | None) -> Result:
    delay = _header_delay(response, now)
    wait = DEFAULT_RETRY_AFTER if delay is None else delay
    return Result(
        Outcome.RATE_LIMITED,
        retry_after=wait,
        reason=gettext(
            "Mastodon (%(host)s) asked Roost to slow down for this account; "
            "wait about %(seconds)d seconds."
        )
        % {"host": host, "seconds": round(wait)},
    )


def _header_delay(
    response: requests.Response | None, now: datetime | None, *, rate_limit: bool = True
) -> float | None:
    if response is None:
        return None
    return retry_after(response.headers, now=now, rate_limit=rate_limit)


def retry_after(
    headers: Mapping[str, str], *, now: datetime | None = None, rate_limit: bool = True
) -> float | None:
    """Seconds to wait, from X-RateLimit-Reset (an ISO time, or Unix seconds on some
    servers; only when `rate_limit`) and Retry-After (seconds or an HTTP date), whichever
    is later."""
    # Measure against the server's clock (Date) when it gives one: ours may be off.
    clock = _http_date(headers.get("Date")) or now or datetime.now(UTC)
    delays = []
    reset = _reset_time(headers.get("X-RateLimit-Reset", "")) if rate_limit else None
    if reset is not None:
        delays.append((reset - clock).total_seconds())
    after = (headers.get("Retry-After") or "").strip()
    if after.isdigit():
        delays.append(float(after))
    elif after and (when := _http_date(after)) is not None:
        delays.append((when - clock).total_seconds())
    if not delays:
        return None
    return max(0.0, *delays)


def _reset_time(value: str) -> datetime | None:
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return datetime.fromtimestamp(int(value), UTC)
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _http_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)
