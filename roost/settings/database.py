"""Database: SQLite under ./var in WAL mode by default, anything else by DATABASE_URL."""

from pathlib import Path

import dj_database_url

from roost.settings.env import BASE_DIR, env_int, env_str

DEFAULT_DATABASE_URL = f"sqlite:///{BASE_DIR / 'var' / 'roost.sqlite3'}"
DATABASE_URL = env_str("DATABASE_URL", DEFAULT_DATABASE_URL)

_db = dj_database_url.parse(DATABASE_URL)
if _db["ENGINE"] == "django.db.backends.sqlite3":
    if _db["NAME"] and _db["NAME"] != ":memory:":
        Path(_db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    _db["OPTIONS"] = {
        # WAL lets readers run beside the writer; NORMAL syncs at checkpoints, which WAL
        # makes safe against corruption. A long busy timeout keeps the task worker alive
        # while the web process holds the write lock (see shared FIGURES).
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("ROOST_SQLITE_TIMEOUT", 30),
    }
    _db["CONN_MAX_AGE"] = 0
else:
    # A connection per task halves PostgreSQL throughput: keep connections open.
    _db["CONN_MAX_AGE"] = env_int("ROOST_CONN_MAX_AGE", 60)
    _db["CONN_HEALTH_CHECKS"] = True

DATABASES = {"default": _db}
