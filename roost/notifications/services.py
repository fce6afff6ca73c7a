"""Tell people about things: one in-app notification per person and event, plus e-mail
(sent from a task after commit, see roost/core/mail.py)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from roost.core import clock
from roost.core.mail import send_email_on_commit
from roost.notifications.models import Notification
from roost.workspaces.models import Workspace


def notify(
    *,
    workspace: Workspace,
    recipients: Iterable[Any],
    kind: str,
    key: str,
    text: str,
    url: str = "",
    email: bool = True,
) -> list[Notification]:
    """Create a notification for each recipient who has not had this `key` yet."""
    created = []
    for user in {u.pk: u for u in recipients if u is not None}.values():
        try:
            with transaction.atomic():
                note = Notification.objects.create(
                    workspace=workspace, recipient=user, kind=kind, key=key, text=text, url=url
                )
        except IntegrityError:
            continue  # already told
        created.append(note)
        if email and user.email:
            full_url = settings.ROOST_BASE_URL.rstrip("/") + url if url.startswith("/") else url
            body = f"{text}\n\n{full_url}\n" if full_url else f"{text}\n"
            send_email_on_commit(subject=f"Roost: {text[:120]}", body=body, to=[user.email])
    return created


def notify_withdraw(*, key_prefix: str, recipient: Any = None) -> int:
    """What was asked for is no longer needed (a review withdrawn, a step decided): the
    unread notifications whose key starts with `key_prefix` (only `recipient`'s, when
    given) are marked read, so nobody is left a stale call to act. Returns how many."""
    found = Notification.objects.filter(key__startswith=key_prefix, read_at__isnull=True)
    if recipient is not None:
        found = found.filter(recipient=recipient)
    return found.update(read_at=clock.now())
