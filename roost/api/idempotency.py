"""`Idempotency-Key` on API writes: a client that retries (a timeout, a lost answer, a
double click) gets the first answer again instead of a second post, reply or task.

The key is the member's own (two members may use the same key without meeting). The first
request claims the key with a unique row; a retry while it runs gets 409, a retry after it
gets the stored answer, and the same key on a different request gets 422. Only success is
remembered: after a refusal the client may correct and retry with the same key.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Status
from ninja.responses import NinjaJSONEncoder

from roost.api.models import IdempotentRequest
from roost.core import clock
from roost.core.exceptions import Conflict, ValidationFailed
from roost.workspaces.models import Membership

HEADER = "Idempotency-Key"
KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,64}$")  # visible ASCII, as in HTTP tokens
KEEP = timedelta(hours=24)
# A first request that has not finished after this long died (a killed worker): a retry
# may run it again.
LEASE = timedelta(minutes=5)

PARAMETER = {
    "name": HEADER,
    "in": "header",
    "required": False,
    "schema": {"type": "string", "pattern": KEY_PATTERN.pattern, "maxLength": 64},
    "description": "Any unique string (a UUID) per intended write. A retry with the same "
    "key returns the first answer instead of writing twice; kept for 24 hours. Reused "
    "for a different request: 422; while the first request still runs: 409.",
}


class KeyRefused(ValidationFailed):
    """The header is malformed, or names a different request."""

    def __init__(self, message: str) -> None:
        super().__init__({HEADER: [message]})


@dataclass
class Claim:
    state: str  # "new", "replay", "busy" or "mismatch"
    row: IdempotentRequest | None = None


def fingerprint(request: HttpRequest) -> str:
    """What was asked, in 64 hex characters: method, path, query and body (for multipart,
    the fields and the files' contents, as the raw body is gone once parsed)."""
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.get_full_path()}\n".encode())
    if request.content_type == "multipart/form-data":
        for name, values in sorted(request.POST.lists()):
            digest.update(json.dumps([name, values]).encode())
        for name, files in sorted(request.FILES.lists()):
            for upload in files:
                digest.update(json.dumps([name, upload.name, upload.size]).encode())
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
    else:
        digest.update(request.body)
    return digest.hexdigest()


def claim(actor: Membership, key: str, operation: str, asked: str) -> Claim:
    """Claim `key` for this request, or say what became of it before."""
    now = clock.now()
    IdempotentRequest.objects.filter(membership=actor, created_at__lt=now - KEEP).delete()
    try:
        with transaction.atomic():
            row = IdempotentRequest.objects.create(
                membership=actor,
                key=key,
                operation=operation,
                fingerprint=asked,
                started_at=now,
                created_at=now,
            )
        return Claim("new", row)
    except IntegrityError:
        pass
    earlier = IdempotentRequest.objects.filter(membership=actor, key=key).first()
    if earlier is None:  # forgotten meanwhile by another request's clean-up
        return Claim("busy")
    if earlier.fingerprint != asked or earlier.operation != operation:
        return Claim("mismatch", earlier)
    if earlier.response_status is not None:
        return Claim("replay", earlier)
    # Still running — or its process died: then this retry takes the key over.
    taken = IdempotentRequest.objects.filter(
        pk=earlier.pk, response_status__isnull=True, started_at__lt=now - LEASE
    ).update(started_at=now)
    return Claim("new", earlier) if taken else Claim("busy", earlier)


def _split(result: Any) -> tuple[int, Any]:
    if isinstance(result, Status):
        return result.status_code, result.value
    return 200, result


def idempotent(view: Callable[..., Any]) -> Callable[..., Any]:
    """Make an API write honour `Idempotency-Key` (documented in the OpenAPI schema)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        key = request.headers.get(HEADER)
        if key is None:
            return view(request, *args, **kwargs)
        if not KEY_PATTERN.match(key):
            raise KeyRefused(_("Use 1 to 64 visible ASCII characters, such as a UUID."))
        actor: Membership = request.membership  # type: ignore[attr-defined]
        found = claim(actor, key, view.__name__, fingerprint(request))
        if found.state == "mismatch":
            raise KeyRefused(_("This key was already used for a different request."))
        if found.state == "busy":
            raise Conflict(_("A request with this Idempotency-Key is still running."))
        row = found.row
        assert row is not None
        if found.state == "replay":
            return Status(row.response_status or 200, row.response_body)
        try:
            result = view(request, *args, **kwargs)
        except BaseException:
            row.delete()  # nothing was done: the client may retry with the same key
            raise
        status, value = _split(result)
        if 200 <= status < 300:
            row.response_status = status
            row.response_body = json.loads(json.dumps(value, cls=NinjaJSONEncoder))
            row.save(update_fields=["response_status", "response_body"])
        else:
            row.delete()
        return result

    wrapper.roost_idempotent = True  # type: ignore[attr-defined]
    return wrapper
