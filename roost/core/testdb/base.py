"""SQLite for the test suite: Django's own backend, with one connection safe to share.

On in-memory SQLite, Django's live server shares the test thread's connection with its
request threads (a second connection would see another, empty database). A browser test
then uses that one `sqlite3` connection from several threads at once — the page's htmx
requests while the test thread reads the database — and SQLite answers "bad parameter or
other API misuse" when two of them step statements at the same moment. That happened only
when the machine was busy enough for the calls to overlap. Here every statement, fetch and
commit on the shared connection holds one lock, so the calls take turns; production uses
Django's backend unchanged.
"""

from __future__ import annotations

import threading
from typing import Any

from django.db.backends.sqlite3 import base

_turn = threading.RLock()


class LockedCursor(base.SQLiteCursorWrapper):
    """Django's cursor; each call that talks to SQLite holds the shared lock."""

    def execute(self, query: Any, params: Any = None) -> Any:
        with _turn:
            return super().execute(query, params)

    def executemany(self, query: Any, param_list: Any) -> Any:
        with _turn:
            return super().executemany(query, param_list)

    def fetchone(self) -> Any:
        with _turn:
            return super().fetchone()

    def fetchmany(self, size: int | None = 1) -> Any:
        with _turn:
            return super().fetchmany(size)

    def fetchall(self) -> Any:
        with _turn:
            return super().fetchall()

    def close(self) -> None:
        with _turn:
            super().close()


class DatabaseWrapper(base.DatabaseWrapper):
    def create_cursor(self, name: str | None = None) -> Any:
        return self.connection.cursor(factory=LockedCursor)

    def _commit(self) -> None:
        with _turn:
            super()._commit()  # type: ignore[misc]  # untyped in django-stubs

    def _rollback(self) -> None:
        with _turn:
            super()._rollback()  # type: ignore[misc]
