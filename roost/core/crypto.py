"""Secrets at rest (channel credentials): Fernet, with key rotation.

Keys come from ROOST_SECRET_KEYS (comma-separated, newest first). Encryption always uses
the first key; decryption tries each, so a new key can be put in front and old values
re-encrypted at leisure with `roost rotate_secrets`. A key derived from SECRET_KEY comes
last (and is the only one without ROOST_SECRET_KEYS). SECRET_KEY is private to the
install (from the environment, or generated into var/secret_key), so no key in the ring
can be derived from anything in the repository. Roost's old embedded default SECRET_KEY
is never in the ring: `legacy_default_rotate` only moves values written under it to the
current key (`roost rotate_secrets --from-legacy-default`, run by `roost run`).
"""

from __future__ import annotations

import base64
import hashlib
import json
from functools import cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from roost.settings.secret_key import LEGACY_DEFAULT_SECRET_KEY

# Passphrases in ROOST_SECRET_KEYS are stretched: a guessable one costs an attacker with a
# copy of the database this many HMAC rounds per guess. Computed once per key per process.
PASSPHRASE_KDF_SALT = b"roost-secret-keys-v2"
PASSPHRASE_KDF_ITERATIONS = 600_000


def _is_fernet_key(material: str) -> bool:
    try:
        return len(base64.urlsafe_b64decode(material.encode())) == 32
    except (ValueError, TypeError):
        return False


def _sha256_key(material: str) -> bytes:
    return base64.urlsafe_b64encode(hashlib.sha256(material.encode()).digest())


@cache
def _fernets(material: str, *, stretch: bool) -> tuple[Fernet, ...]:
    """The Fernets for one keyring entry, the one that encrypts first.

    A real Fernet key is used as is. A passphrase (stretch=True) gets PBKDF2; the plain
    SHA-256 derivation Roost used before follows it, so values written then still open
    (and `roost rotate_secrets` moves them to the stretched key).
    """
    if _is_fernet_key(material):
        return (Fernet(material.encode()),)
    if not stretch:
        return (Fernet(_sha256_key(material)),)
    stretched = hashlib.pbkdf2_hmac(
        "sha256", material.encode(), PASSPHRASE_KDF_SALT, PASSPHRASE_KDF_ITERATIONS
    )
    return (Fernet(base64.urlsafe_b64encode(stretched)), Fernet(_sha256_key(material)))


@cache
def _keyring(keys: tuple[str, ...], derived: str) -> MultiFernet:
    ring = [f for k in keys for f in _fernets(k, stretch=True)]
    # SECRET_KEY is a long random value (generated, or required so in production), so its
    # derived key needs no stretching.
    ring.extend(_fernets(derived, stretch=False))
    return MultiFernet(ring)


def _derived(secret_key: str) -> str:
    return f"roost-credentials:{secret_key}"


def keyring() -> MultiFernet:
    # The key derived from SECRET_KEY always comes last, so values written before
    # ROOST_SECRET_KEYS was set still open (and `roost rotate_secrets` moves them over).
    if settings.SECRET_KEY == LEGACY_DEFAULT_SECRET_KEY:
        # Settings refuse it; this guards settings made some other way (tests, scripts).
        raise ImproperlyConfigured("SECRET_KEY is Roost's old public default; set your own.")
    return _keyring(tuple(settings.ROOST_SECRET_KEYS), _derived(settings.SECRET_KEY))


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


def opens(token: str) -> bool:
    """Whether a configured key opens this value."""
    try:
        keyring().decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def legacy_default_rotate(token: str) -> str:
    """Re-encrypt, with the newest key, a value written under the old public default key.

    Only for moving old installs over: the legacy key is public, so it never joins the
    keyring, and nothing but this function ever opens a value with it.
    """
    legacy = Fernet(_sha256_key(_derived(LEGACY_DEFAULT_SECRET_KEY)))
    try:
        plain = legacy.decrypt(token.encode())
    except InvalidToken as exc:
        raise SecretUnreadable("The old default key does not open these credentials.") from exc
    return keyring().encrypt(plain).decode()
