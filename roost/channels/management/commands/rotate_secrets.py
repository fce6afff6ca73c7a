"""`roost rotate_secrets`: re-encrypt every secret kept at rest (channel credentials,
webhook signing secrets) with the newest key."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from roost.channels.models import Channel
from roost.core.crypto import SecretUnreadable, rotate
from roost.inbox.services.config import endpoint_secrets_reencrypt


class Command(BaseCommand):
    help = (
        "Re-encrypt channel credentials and webhook signing secrets with the first key in "
        "ROOST_SECRET_KEYS. Put the new key first, keep the old ones after it, run this, "
        "then drop the old keys."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        done = failed = 0
        for channel in Channel.objects.exclude(credentials_encrypted="").iterator():
            try:
                token = rotate(channel.credentials_encrypted)
            except SecretUnreadable:
                failed += 1
                self.stderr.write(f"channel {channel.pk} ({channel.name}): no key opens it")
                continue
            with transaction.atomic():
                Channel.objects.filter(pk=channel.pk).update(credentials_encrypted=token)
            done += 1
        self.stdout.write(f"re-encrypted {done} channel(s); {failed} unreadable")
        done, failed = endpoint_secrets_reencrypt()
        self.stdout.write(f"re-encrypted {done} webhook endpoint(s); {failed} unreadable")
