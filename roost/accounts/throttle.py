"""Login lockout on top of django-axes, and password-reset rate limits.

Failed logins are counted three ways within the cool-off window (AXES_COOLOFF_TIME):
- per account and address (AXES_FAILURE_LIMIT, 5): someone mistyping, or guessing one
  account's password from one place;
- per address across accounts (ROOST_LOGIN_IP_FAILURE_LIMIT, 20): password spraying;
- per account across addresses (ROOST_LOGIN_ACCOUNT_FAILURE_LIMIT, 20): a distributed
  guess at one account. It is higher than the per-pair limit because anyone can make
  failures for any account: a low limit would let a stranger lock real people out.
Reaching any of them locks that pair, address or account until the cool-off passes.

axes applies one AXES_FAILURE_LIMIT to every lockout parameter, so `LoginThrottle` (the
AXES_HANDLER) counts each parameter set against its own limit.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit, get_lockout_parameters
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest

from roost.accounts.models import RateLimitHit
from roost.core import clock

PAIR = ("ip_address", "username")
ADDRESS = ("ip_address",)
ACCOUNT = ("username",)


def login_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The username axes counts: e-mail addresses compare case-insensitively, so
    `Owner@…` and `owner@…` are one account to the limits."""
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials:
        raw = credentials.get(field)
    else:
        raw = getattr(request, "data", request.POST).get(field)
    return raw.strip().lower() if isinstance(raw, str) else raw


class LoginThrottle(AxesDatabaseHandler):
    """axes' database handler with a limit per lockout parameter set."""

    def failures_by_scope(
        self, request: HttpRequest, credentials: dict[str, Any] | None = None
    ) -> dict[tuple[str, ...], int]:
        """Failures within the cool-off, per parameter set (PAIR, ADDRESS, ACCOUNT)."""
        counts: dict[tuple[str, ...], int] = {}
        parameters = get_lockout_parameters(request, credentials)
        attempts = self.get_user_attempts(request, credentials)
        for parameter, queryset in zip(parameters, attempts, strict=True):
            scope = tuple(sorted([parameter] if isinstance(parameter, str) else parameter))
            total = queryset.aggregate(n=Sum("failures_since_start"))["n"] or 0
            counts[scope] = total
        if not get_client_username(request, credentials):
            counts[ACCOUNT] = 0  # no account named: nothing to lock but the address
        return counts

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        """Failures as axes compares them with AXES_FAILURE_LIMIT: the pair's own count, or
        at least that limit once the address or the account has reached its ceiling."""
        counts = self.failures_by_scope(request, credentials)
        pair = counts.get(PAIR, 0)
        if (
            counts.get(ADDRESS, 0) >= settings.ROOST_LOGIN_IP_FAILURE_LIMIT
            or counts.get(ACCOUNT, 0) >= settings.ROOST_LOGIN_ACCOUNT_FAILURE_LIMIT
        ):
            return max(pair, get_failure_limit(request, credentials))
        return pair

    def reset_user_attempts(
        self, request: HttpRequest, credentials: dict[str, Any] | None = None
    ) -> int:
        """A successful login forgives only its own account-and-address failures: logging
        into one's own account must not clear an address's spraying record."""
        count, _ = AccessAttempt.objects.filter(
            username=get_client_username(request, credentials),
            ip_address=request.axes_ip_address,  # type: ignore[attr-defined]
        ).delete()
        return count


def _hit(*, scope: str, key: str, limit: int, window: timedelta) -> bool:
    """Count one request under (scope, key); True while the count in `window` is within
    `limit`. Insert first, then count: two requests at once can both be refused, never
    both let through past the limit."""
    now = clock.now()
    RateLimitHit.objects.filter(scope=scope, at__lt=now - window).delete()
    digest = hashlib.sha256(f"{scope}:{key}".encode()).hexdigest()
    RateLimitHit.objects.create(scope=scope, key=digest, at=now)
    return (
        RateLimitHit.objects.filter(scope=scope, key=digest, at__gte=now - window).count() <= limit
    )


def password_reset_allowed(*, email: str, ip: str) -> bool:
    """Whether a password-reset e-mail may go out for this request (both limits counted)."""
    window = timedelta(hours=1)
    by_email = _hit(
        scope="reset-email",
        key=email.strip().lower(),
        limit=settings.ROOST_PASSWORD_RESET_EMAIL_LIMIT,
        window=window,
    )
    by_ip = _hit(
        scope="reset-ip", key=ip, limit=settings.ROOST_PASSWORD_RESET_IP_LIMIT, window=window
    )
    return by_email and by_ip
