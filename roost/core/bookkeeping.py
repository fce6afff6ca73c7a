"""Best-effort bookkeeping writes: a write nobody waits for never fails or stalls a request.

A read (an API GET) may record a fact on the side, such as when a token was last used.
If the database cannot take that write right now (SQLite write-locked by the worker or a
long import, a PostgreSQL hiccup), the fact is skipped, not the read.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import DatabaseError, connection, transaction

logger = logging.getLogger(__name__)

# How long a bookkeeping write may wait for SQLite's write lock. The connection's own busy
# timeout (ROOST_SQLITE_TIMEOUT, 30 s) is right for real work but would hold a read for as
# long, past gunicorn's own timeout.
LOCK_WAIT_MS = 100


@contextmanager
def brief_lock_wait(ms: int = LOCK_WAIT_MS) -> Iterator[None]:
    """On SQLite, wait at most `ms` for the write lock inside the block; elsewhere a no-op."""
    if connection.vendor != "sqlite":
        yield
        return
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        (previous,) = cursor.fetchone()
        cursor.execute(f"PRAGMA busy_timeout = {int(ms)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {int(previous)}")


def best_effort(what: str, write: Callable[[], object]) -> bool:
    """Run `write`; on a database error log it at debug and return False instead of raising.

    Inside a transaction the write gets a savepoint, so its failure leaves the caller's
    transaction usable.
    """
    try:
        with brief_lock_wait():
            if connection.in_atomic_block:
                with transaction.atomic():
                    write()
            else:
                write()
    except DatabaseError as exc:
        logger.debug("skipped %s: %s", what, exc)
        return False
    return True
