"""SDK and httpx errors turned into Results: retryable or terminal is decided here."""

from __future__ import annotations

import math
from datetime import UTC
from email.utils import parsedate_to_datetime

import httpx
from atproto_client.exceptions import LoginRequiredError, RequestErrorBase
from atproto_core.exceptions import AtProtocolError
from django.utils.translation import gettext as _

from roost.core import outbound
from roost.networks.base import Outcome, Result
from roost.networks.bluesky.client import is_auth_error, xrpc_error

# 400s that are not about the content: two writes to the repo raced.
TRANSIENT_ERRORS = frozenset({"ConcurrentWrites"})

# What the SDK lets through: its own errors, raw httpx errors it does not wrap (a protocol
# error, a malformed URL) and pydantic's ValidationError (a ValueError) from building a model.
SDK_ERRORS: tuple[type[Exception], ...] = (
    AtProtocolError,
    httpx.HTTPError,
    httpx.InvalidURL,
    ValueError,
)


def failure(exc: Exception, *, now: float) -> Result:
    """Turn an SDK or httpx error into a Result: what happened, and for people, why."""
    refused = outbound.refusal(exc)
    if refused is not None:
        # The channel's server is not allowed (any more): no retry can help.
        return Result(
            Outcome.UNAUTHORIZED,
            reason=_("Roost will not connect to this Bluesky server: %(reason)s")
            % {"reason": refused},
        )
    if isinstance(exc, (httpx.InvalidURL, httpx.UnsupportedProtocol)):
        return Result(
            Outcome.UNAUTHORIZED,
            reason=_(
                "The Bluesky server address stored for this channel is not valid (%(error)s); "
                "reconnect the channel."
            )
            % {"error": _first_line(exc)},
        )
    if isinstance(exc, ValueError):
        return Result(
            Outcome.REJECTED,
            reason=_("Roost could not prepare this for Bluesky: %(error)s.")
            % {"error": _first_line(exc)},
        )
    status, error, _message = xrpc_error(exc)
    detail = describe(exc)
    if status == 429:
        retry_after = _retry_after(exc, now, window=True)
        if retry_after is None:
            reason = _("Bluesky's rate limit was reached (%(detail)s); try again later.")
        else:
            reason = _(
                "Bluesky's rate limit was reached (%(detail)s); try again in %(seconds)d seconds."
            )
        return Result(
            Outcome.RATE_LIMITED,
            retry_after=retry_after,
            reason=reason % {"detail": detail, "seconds": math.ceil(retry_after or 0)},
        )
    if is_auth_error(exc):
        return Result(
            Outcome.UNAUTHORIZED,
            reason=_(
                "Bluesky did not accept this account's login (%(detail)s); reconnect the "
                "channel with a new app password."
            )
            % {"detail": detail},
        )
    if status is None or status >= 500 or status in (408, 409) or error in TRANSIENT_ERRORS:
        return Result(
            Outcome.RETRYABLE,
            # Every answer carries ratelimit-reset (the window's end); only Retry-After is a hint.
            retry_after=_retry_after(exc, now, window=False),
            reason=_("Bluesky could not be reached or failed (%(detail)s); try again later.")
            % {"detail": detail},
        )
    return Result(
        Outcome.REJECTED, reason=_("Bluesky refused this: %(detail)s.") % {"detail": detail}
    )


def describe(exc: Exception) -> str:
    """The server's own words, or what went wrong on the way."""
    status, error, message = xrpc_error(exc)
    if message and error:
        return f"{message.rstrip('.')} ({error}, HTTP {status})"
    if message or error:
        return f"{message or error} (HTTP {status})"
    if status is not None:
        return f"HTTP {status}"
    if isinstance(exc, LoginRequiredError):
        return _("no usable login is stored")
    cause = exc.__cause__ or exc
    if isinstance(cause, httpx.TimeoutException):
        return _("the request timed out")
    if isinstance(cause, httpx.TransportError):
        return _("the connection failed: %(error)s") % {"error": type(cause).__name__}
    return _("an unexpected answer: %(error)s") % {"error": type(exc).__name__}


def _first_line(exc: Exception) -> str:
    """The start of an exception's message, short enough to show."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]


def _retry_after(exc: Exception, now: float, *, window: bool) -> float | None:
    """Seconds to wait: from `ratelimit-reset` (epoch seconds, if `window`) or `Retry-After`."""
    if not isinstance(exc, RequestErrorBase) or exc.response is None:
        return None
    headers = exc.response.headers  # keys are lower-case
    reset = _number_or_none(headers.get("ratelimit-reset")) if window else None
    if reset is not None:
        # Bluesky sends a Unix time; the IETF draft header is a number of seconds.
        return max(reset - now, 0.0) if reset > 1_000_000_000 else max(reset, 0.0)
    value = headers.get("retry-after")
    seconds = _number_or_none(value)
    if seconds is not None:
        return max(seconds, 0.0)
    if value:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return max(when.timestamp() - now, 0.0)
    return None


def _number_or_none(value: str | None) -> float | None:
    """A finite number from a header value, or None."""
    try:
        number = float(value) if value is not None else math.nan
    except ValueError:
        return None
    return number if math.isfinite(number) else None
