"""The per-install SECRET_KEY: generated once into var/secret_key when the environment has none.

Roost once shipped an embedded default key. It is public (it is in the repository's
history), so it is refused as a key and kept here only to recognise data written under it
and move that data to the install's own key (`roost rotate_secrets --from-legacy-default`).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

# Public: never a usable key, only the name of what old installs were encrypted with.
LEGACY_DEFAULT_SECRET_KEY = "roost-embedded-default-secret-change-me-in-production"


def secret_key_from_env_or_file(env_value: str, path: Path) -> str:
    """SECRET_KEY from the environment, else from `path` (created on first use)."""
    if env_value:
        if env_value == LEGACY_DEFAULT_SECRET_KEY:
            raise ImproperlyConfigured(
                "SECRET_KEY is Roost's old public default. Unset it (Roost then generates "
                f"a private key into {path}) or set a random value of your own."
            )
        return env_value
    return load_or_create(path)


def load_or_create(path: Path) -> str:
    """Read the key at `path`, or write a new random one there (mode 0600) and return it.

    Two processes starting at once must agree on one key: each writes its candidate to a
    private temporary file (O_EXCL) and publishes it with link(), which fails if the key
    already exists; the loser reads the winner's key, which is complete by then.
    """
    try:
        return _read(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(key + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            return _read(path)
    finally:
        tmp.unlink(missing_ok=True)
    return key


def _read(path: Path) -> str:
    key = path.read_text().strip()
    if len(key) < 40:
        raise ImproperlyConfigured(
            f"{path} holds no usable secret key (empty or too short). Restore it from a "
            "backup, or delete it to have Roost generate a new one (connected channels "
            "then need reconnecting)."
        )
    return key
