"""Where the trained models live: one file, written atomically, trained once under a lock."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import pickle  # our own file, written by this module into a directory we own
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

# The file is named after the hash of what it was trained from: present means up to date.
MODEL_FILE = "understanding-{}.pickle"
LOCK_FILE = "understanding.lock"
ENV_VAR = "ROOST_LISTENING_MODEL_DIR"


def model_dir() -> Path:
    """The model directory: Django's ROOST_LISTENING_MODEL_DIR, the environment, or ./var/models."""
    with contextlib.suppress(ImportError):
        from django.conf import settings

        if settings.configured and getattr(settings, ENV_VAR, None):
            return Path(getattr(settings, ENV_VAR))
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR])
    return Path(__file__).resolve().parents[3] / "var" / "models"


def read(path: Path) -> dict[str, Any] | None:
    """The stored bundle, or None when missing or unreadable (then it is trained again)."""
    try:
        with path.open("rb") as handle:
            bundle = pickle.load(handle)  # noqa: S301  # see the import: our own file
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError):
        return None
    return bundle if isinstance(bundle, dict) else None


def write(path: Path, bundle: dict[str, Any]) -> None:
    """Write to a temporary file beside path, then rename: readers see old or new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".understanding-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(bundle, handle, protocol=pickle.HIGHEST_PROTOCOL)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a worker may run as another user
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def locked(directory: Path) -> Iterator[None]:
    """Hold an exclusive lock on the model directory (parallel test processes train once)."""
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / LOCK_FILE).open("a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def model_path(data_hash: str) -> Path:
    """Where the model trained from data_hash is stored."""
    return model_dir() / MODEL_FILE.format(data_hash[:16])


def load_or_train(
    data_hash: str, train: Callable[[], dict[str, Any]], *, force: bool = False
) -> tuple[dict[str, Any], bool]:
    """The bundle for data_hash, trained (under the lock) when missing or forced; and whether
    this call trained it."""
    path = model_path(data_hash)
    if not force:
        bundle = read(path)
        if bundle is not None:
            return bundle, False
    with locked(path.parent):
        # Another process may have trained it while this one waited for the lock.
        if not force:
            bundle = read(path)
            if bundle is not None:
                return bundle, False
        bundle = train()
        bundle["data_hash"] = data_hash
        write(path, bundle)
        for stale in path.parent.glob(MODEL_FILE.format("*")):
            if stale != path:
                with contextlib.suppress(OSError):
                    stale.unlink()
        return bundle, True


def digest(*parts: bytes) -> str:
    """A SHA-256 over the parts, each length-prefixed."""
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(len(part).to_bytes(8, "big"))
        hasher.update(part)
    return hasher.hexdigest()
