"""Tell people about things: one in-app notification per person and event, plus e-mail."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction

from roost.core import clock
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
            transaction.on_commit(
                partial(
                    send_mail, f"Roost: {text[:120]}", body, None, [user.email], fail_silently=True
                )
            )
    return created


def notify_withdraw(*, key_prefix: str) -> int:
    """What was asked for is no longer needed (a review withdrawn): the unread notifications
    whose key starts with `key_prefix` are marked read, so nobody is left a stale call to
    act. Returns how many."""
    return Notification.objects.filter(key__startswith=key_prefix, read_at__isnull=True).update(
        read_at=clock.now()
    )
