"""`roost rotate_secrets`: re-encrypt every secret kept at rest (channel credentials,
webhook signing secrets) with the newest key.

In `web`, the top layer, because it reaches into two apps that know nothing of each other
(channels' credentials, the inbox's webhook endpoints).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from roost.briefing.services import webhooks_reencrypt
from roost.channels.models import Channel
from roost.core.crypto import SecretUnreadable, legacy_default_rotate, opens, rotate
from roost.inbox.services.config import endpoint_secrets_reencrypt


class Command(BaseCommand):
    help = (
        "Re-encrypt channel credentials and webhook signing secrets with the first key in "
        "ROOST_SECRET_KEYS. Put the new key first, keep the old ones after it, run this, "
        "then drop the old keys."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--from-legacy-default",
            action="store_true",
            help=(
                "Move credentials written under Roost's old public default SECRET_KEY to "
                "this install's key (roost run does this on start); touch nothing else."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["from_legacy_default"]:
            self._from_legacy_default(options["verbosity"])
            return
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
        done, failed = webhooks_reencrypt()
        self.stdout.write(f"re-encrypted {done} brief webhook(s); {failed} unreadable")

    def _from_legacy_default(self, verbosity: int) -> None:
        moved = failed = 0
        for channel in Channel.objects.exclude(credentials_encrypted="").iterator():
            old = channel.credentials_encrypted
            if opens(old):
                continue
            try:
                token = legacy_default_rotate(old)
            except SecretUnreadable:
                failed += 1
                self.stderr.write(f"channel {channel.pk} ({channel.name}): no key opens it")
                continue
            # Conditional: a value someone re-saved meanwhile is theirs, not ours to replace.
            moved += Channel.objects.filter(pk=channel.pk, credentials_encrypted=old).update(
                credentials_encrypted=token
            )
        if moved or failed or verbosity >= 1:
            self.stdout.write(
                f"moved {moved} channel(s) from the old default key to this install's key; "
                f"{failed} unreadable"
            )
