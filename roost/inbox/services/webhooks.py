"""Outgoing webhooks: signed POSTs to a CRM or help desk, retried with backoff, logged.
A slow or broken endpoint never blocks the inbox: sending happens in a background task,
with short timeouts, several at once. Each endpoint fails on its own: an error sending to
one is recorded on that delivery and endpoint and the others go on; a round takes only a
few deliveries per endpoint, so one endpoint's backlog never crowds out the rest; and an
endpoint failing FAILING_AFTER times in a row is shown on the settings page, counted on
/health/ and told to the people who manage settings (once per streak)."""

from __future__ import annotations

import logging
import random
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import httpx
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _

from roost.core import clock, outbound
from roost.inbox.models import WebhookDelivery, WebhookEndpoint
from roost.inbox.services.triage import signature_header, webhook_body
from roost.notifications.services import notify
from roost.workspaces.roles import Perm
from roost.workspaces.selectors import users_with_perm

log = logging.getLogger("roost.webhooks")
MAX_ATTEMPTS = 8
FAILING_AFTER = 3  # failed sends in a row before an endpoint counts as failing
PER_ENDPOINT = 20  # deliveries per endpoint per round
CLAIM_LEASE = timedelta(minutes=5)
TIMEOUT = httpx.Timeout(10.0, connect=5.0)
REFUSED = "Refused: "  # the error class of a request the outbound guard refused


def _send(delivery: WebhookDelivery) -> tuple[int | None, str]:
    body = webhook_body(delivery.payload)
    stamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Roost-Webhooks",
        "X-Roost-Event": delivery.event,
        "X-Roost-Delivery": str(delivery.pk),
        "X-Roost-Timestamp": stamp,
        "X-Roost-Signature": signature_header(delivery.endpoint, stamp, body),
    }
    try:
        url = outbound.validate_url(delivery.endpoint.url, resolve=False)  # checked on connect
        with outbound.guarded_httpx_client(timeout=TIMEOUT) as client:
            response = client.post(url, content=body, headers=headers)
    except (httpx.HTTPError, httpx.InvalidURL, outbound.OutboundRefused) as exc:
        return None, error_class(exc)
    return (
        response.status_code,
        "" if response.status_code < 300 else f"HTTP {response.status_code}",
    )


def error_class(exc: Exception) -> str:
    """What went wrong, for the delivery log: "Refused: loopback address", "ConnectError",
    "ReadTimeout". Never an error's text nor a response body: someone else's server wrote
    them, and they can describe a private network."""
    refused = outbound.refusal(exc)
    if refused is not None:
        return f"{REFUSED}{refused.kind}"
    return type(exc).__name__


def _send_safely(delivery: WebhookDelivery) -> tuple[int | None, str]:
    """_send, with any error (a bad address, a bug) as this delivery's failure."""
    try:
        return _send(delivery)
    except Exception as exc:  # one endpoint's problem must not stop the others
        log.exception(
            "webhook delivery %s to endpoint %s failed", delivery.pk, delivery.endpoint_id
        )
        return None, error_class(exc)


def claim(candidates: list[WebhookDelivery], now: datetime) -> list[WebhookDelivery]:
    """Claim each by moving its time forward, only if nobody moved it first: two workers
    never send the same delivery, and one that dies mid-send is retried after the lease."""
    return [
        d
        for d in candidates
        if WebhookDelivery.objects.filter(
            pk=d.pk, status="pending", next_attempt_at=d.next_attempt_at
        ).update(next_attempt_at=now + CLAIM_LEASE)
    ]


def _fair(candidates: list[WebhookDelivery], limit: int) -> list[WebhookDelivery]:
    """At most PER_ENDPOINT deliveries per endpoint, oldest first, `limit` in all."""
    taken: Counter[int] = Counter()
    picked: list[WebhookDelivery] = []
    for d in candidates:
        if taken[d.endpoint_id] < PER_ENDPOINT and len(picked) < limit:
            taken[d.endpoint_id] += 1
            picked.append(d)
    return picked


def send_due(limit: int = 200) -> int:
    """Send the due deliveries (several at once); returns how many were attempted."""
    now = clock.now()
    candidates = list(
        WebhookDelivery.objects.filter(status="pending", next_attempt_at__lte=now)
        .select_related("endpoint")
        .order_by("next_attempt_at")[: limit * 5]
    )
    due = claim(_fair(candidates, limit), now)
    if not due:
        return 0
    with ThreadPoolExecutor(min(8, len(due))) as pool:
        results = list(pool.map(_send_safely, due))
    for delivery, (code, error) in zip(due, results, strict=True):
        try:
            _record(delivery, code, error)
        except Exception:  # pragma: no cover - the database failing for this one row
            log.exception("webhook delivery %s: could not record the result", delivery.pk)
    return len(due)


def _record(delivery: WebhookDelivery, code: int | None, error: str) -> None:
    delivery.attempts += 1
    delivery.response_code = code
    delivery.last_error = error
    ok = code is not None and 200 <= code < 300
    if ok:
        delivery.status, delivery.sent_at = "sent", clock.now()
    elif delivery.attempts >= MAX_ATTEMPTS or error.startswith(REFUSED):
        delivery.status = "failed"  # a refused address stays refused: no retries
    else:
        wait = min(3600.0, 10.0 * 2 ** (delivery.attempts - 1))
        delivery.next_attempt_at = clock.now() + timedelta(
            seconds=random.uniform(wait / 2, wait)  # noqa: S311 - jitter
        )
    delivery.save(
        update_fields=[
            "attempts",
            "response_code",
            "last_error",
            "status",
            "sent_at",
            "next_attempt_at",
        ]
    )
    if ok:
        WebhookEndpoint.objects.filter(pk=delivery.endpoint_id, failures__gt=0).update(
            failures=0, last_error="", failing_since=None
        )
    else:
        _endpoint_failed(delivery.endpoint_id, error or f"HTTP {code}")


def _endpoint_failed(endpoint_id: int, error: str) -> None:
    """Count a failed send against its endpoint; tell the managers once per streak."""
    WebhookEndpoint.objects.filter(pk=endpoint_id).update(
        failures=F("failures") + 1,
        last_error=error[:500],
        failing_since=Coalesce(F("failing_since"), Value(clock.now())),
    )
    endpoint = WebhookEndpoint.objects.select_related("workspace").get(pk=endpoint_id)
    if endpoint.failures != FAILING_AFTER or endpoint.failing_since is None:
        return
    log.warning("webhook endpoint %s is failing: %s", endpoint.pk, error)
    notify(
        workspace=endpoint.workspace,
        recipients=users_with_perm(endpoint.workspace_id, Perm.MANAGE_SETTINGS),
        kind="inbox.webhook_failing",
        key=f"webhook:{endpoint.pk}:failing:{endpoint.failing_since.isoformat()}",
        text=_("The webhook “%(name)s” failed %(n)s times in a row: %(error)s")
        % {"name": endpoint.name, "n": endpoint.failures, "error": error},
        url=reverse("inbox:settings", args=[endpoint.workspace.slug]),
    )


def failing_endpoints() -> int:
    return WebhookEndpoint.objects.filter(active=True, failures__gte=FAILING_AFTER).count()


def delivery_replay(delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again (from the delivery log)."""
    delivery.status, delivery.next_attempt_at = "pending", clock.now()
    delivery.save(update_fields=["status", "next_attempt_at"])
    return delivery
