"""Test settings: fast hashing, tasks run immediately, no real e-mail."""

from roost.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AXES_FAILURE_LIMIT = 3
STATIC_ROOT = None  # type: ignore[assignment]  # static files come from the app folders
# Live-server threads must not keep connections past a test (PostgreSQL teardown).
for _db in DATABASES.values():  # noqa: F405
    _db["CONN_MAX_AGE"] = 0
    # SQLite: Django's backend with a connection that live-server threads can share
    # safely (roost/core/testdb/base.py).
    if _db["ENGINE"] == "django.db.backends.sqlite3":
        _db["ENGINE"] = "roost.core.testdb"
        # In memory, as for Django's own backend (pytest-django recognises only that
        # backend's name, so say it here: each xdist worker is its own process anyway).
        _db["TEST"] = {**_db.get("TEST", {}), "NAME": ":memory:"}
