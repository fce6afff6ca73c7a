"""Secrets at rest (channel credentials): Fernet, with key rotation.

Keys come from ROOST_SECRET_KEYS (comma-separated, newest first). Encryption always uses
the first key; decryption tries each, so a new key can be put in front and old values
re-encrypted at leisure with `roost rotate_secrets`. A key derived from SECRET_KEY comes
last (and is the only one without ROOST_SECRET_KEYS, fine for the embedded default).
"""

from __future__ import annotations

import base64
import hashlib
import json
from functools import cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


def _fernet_key(material: str) -> bytes:
    """Accept a real Fernet key, or derive one from any passphrase."""
    try:
        if len(base64.urlsafe_b64decode(material.encode())) == 32:
            return material.encode()
    except (ValueError, TypeError):
        pass
    return base64.urlsafe_b64encode(hashlib.sha256(material.encode()).digest())


@cache
def _keyring(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(_fernet_key(k)) for k in keys])


def keyring() -> MultiFernet:
    # The key derived from SECRET_KEY always comes last, so values written before
    # ROOST_SECRET_KEYS was set still open (and `roost rotate_secrets` moves them over).
    derived = f"roost-credentials:{settings.SECRET_KEY}"
    return _keyring((*settings.ROOST_SECRET_KEYS, derived))


class SecretUnreadable(Exception):
    """No configured key opens this value (keys were changed without rotation)."""


def encrypt_json(value: dict[str, Any]) -> str:
    return keyring().encrypt(json.dumps(value, sort_keys=True).encode()).decode()


def decrypt_json(token: str) -> dict[str, Any]:
    if not token:
        return {}
    try:
        return dict(json.loads(keyring().decrypt(token.encode())))
    except InvalidToken as exc:
        raise SecretUnreadable("No configured key opens these credentials.") from exc


def rotate(token: str) -> str:
    """Re-encrypt with the newest key."""
    try:
        return keyring().rotate(token.encode()).decode()
    except InvalidToken as exc:
        raise SecretUnreadable("No configured key opens these credentials.") from exc
