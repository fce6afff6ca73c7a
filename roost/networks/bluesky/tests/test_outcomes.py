"""The outcome table: which errors are retried, which wait, which need a person."""

from __future__ import annotations

import httpx
import pytest
from atproto_client import exceptions
from atproto_client.models.common import XrpcError
from atproto_client.request import Response

from roost.networks.base import Outcome
from roost.networks.bluesky.outcomes import failure

NOW = 1795780800.0  # 2026-11-27T12:00:00Z


def answer(
    cls: type[exceptions.RequestErrorBase],
    status: int,
    error: str = "",
    message: str = "",
    headers: dict[str, str] | None = None,
) -> exceptions.RequestErrorBase:
    content: XrpcError | bytes = (
        XrpcError(error=error, message=message or None) if error else b"<html>Bad Gateway</html>"
    )
    return cls(Response(False, status, content, headers or {}))


@pytest.mark.parametrize(
    ("exc", "outcome", "retry_after"),
    [
        (
            answer(
                exceptions.RateLimitExceededError,
                429,
                "RateLimitExceeded",
                headers={"ratelimit-reset": str(int(NOW) + 90)},
            ),
            Outcome.RATE_LIMITED,
            90.0,
        ),
        (
            answer(
                exceptions.RateLimitExceededError,
                429,
                "RateLimitExceeded",
                headers={"ratelimit-reset": "45"},
            ),
            Outcome.RATE_LIMITED,
            45.0,
        ),
        (
            answer(
                exceptions.RateLimitExceededError,
                429,
                "RateLimitExceeded",
                headers={"retry-after": "Fri, 27 Nov 2026 12:02:00 GMT"},
            ),
            Outcome.RATE_LIMITED,
            120.0,
        ),
        (answer(exceptions.RateLimitExceededError, 429), Outcome.RATE_LIMITED, None),
        (
            answer(exceptions.UnauthorizedError, 401, "AuthenticationRequired"),
            Outcome.UNAUTHORIZED,
            None,
        ),
        (answer(exceptions.UnauthorizedError, 403, "Forbidden"), Outcome.UNAUTHORIZED, None),
        (
            answer(exceptions.BadRequestError, 400, "InvalidToken", "Token could not be verified"),
            Outcome.UNAUTHORIZED,
            None,
        ),
        (answer(exceptions.BadRequestError, 400, "AccountTakedown"), Outcome.UNAUTHORIZED, None),
        (answer(exceptions.BadRequestError, 400, "InvalidRequest", "bad"), Outcome.REJECTED, None),
        (
            answer(exceptions.NetworkError, 413, "PayloadTooLarge", "request entity too large"),
            Outcome.REJECTED,
            None,
        ),
        (answer(exceptions.RequestException, 404, "MethodNotImplemented"), Outcome.REJECTED, None),
        (answer(exceptions.NetworkError, 502), Outcome.RETRYABLE, None),
        (
            answer(exceptions.RequestException, 503, headers={"retry-after": "12"}),
            Outcome.RETRYABLE,
            12.0,
        ),
        (answer(exceptions.NetworkError, 409), Outcome.RETRYABLE, None),
        (exceptions.InvokeTimeoutError(), Outcome.RETRYABLE, None),
        (exceptions.ModelError("Can't properly parse response model"), Outcome.RETRYABLE, None),
        (httpx.RemoteProtocolError("peer closed connection"), Outcome.RETRYABLE, None),
        (
            httpx.UnsupportedProtocol("Request URL is missing a protocol"),
            Outcome.UNAUTHORIZED,
            None,
        ),
        (exceptions.LoginRequiredError(), Outcome.UNAUTHORIZED, None),
    ],
)
def test_outcome_table(exc: Exception, outcome: Outcome, retry_after: float | None) -> None:
    result = failure(exc, now=NOW)
    assert (result.outcome, result.retry_after) == (outcome, retry_after)
    assert "Bluesky" in result.reason


def test_reasons_quote_the_server() -> None:
    exc = answer(exceptions.NetworkError, 413, "PayloadTooLarge", "request entity too large")
    assert failure(exc, now=NOW).reason == (
        "Bluesky refused this: request entity too large (PayloadTooLarge, HTTP 413)."
    )
    assert failure(answer(exceptions.NetworkError, 502), now=NOW).reason == (
        "Bluesky could not be reached or failed (HTTP 502); try again later."
    )
    timeout = exceptions.InvokeTimeoutError()
    timeout.__cause__ = httpx.ReadTimeout("timed out")
    assert failure(timeout, now=NOW).reason == (
        "Bluesky could not be reached or failed (the request timed out); try again later."
    )
