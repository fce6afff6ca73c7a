"""Outgoing webhooks: signed POSTs to a CRM or help desk, retried with backoff, logged.
A slow or broken endpoint never blocks the inbox: sending happens in a background task,
with short timeouts, several at once."""

from __future__ import annotations

import random
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import httpx

from roost.core import clock, outbound
from roost.inbox.models import WebhookDelivery
from roost.inbox.services.triage import signature, webhook_body

MAX_ATTEMPTS = 8
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
        "X-Roost-Signature": "sha256=" + signature(delivery.endpoint.secret, stamp, body),
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


def send_due(limit: int = 200) -> int:
    """Send the due deliveries (several at once); returns how many were attempted."""
    now = clock.now()
    candidates = list(
        WebhookDelivery.objects.filter(status="pending", next_attempt_at__lte=now)
        .select_related("endpoint")
        .order_by("next_attempt_at")[:limit]
    )
    due = claim(candidates, now)
    if not due:
        return 0
    with ThreadPoolExecutor(min(8, len(due))) as pool:
        results = list(pool.map(_send, due))
    for delivery, (code, error) in zip(due, results, strict=True):
        delivery.attempts += 1
        delivery.response_code = code
        delivery.last_error = error
        if code is not None and 200 <= code < 300:
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
    return len(due)


def delivery_replay(delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again (from the delivery log)."""
    delivery.status, delivery.next_attempt_at = "pending", clock.now()
    delivery.save(update_fields=["status", "next_attempt_at"])
    return delivery
