"""SQLite persistence for the Sandbox: changes are committed in batches off the event loop.

The in-memory state is the truth while the server runs; the file lets the feed survive a
restart. A publish is answered only after its batch is committed (group commit), so an
acknowledged post is durable, yet a thousand concurrent publishes cost a few commits.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from roost.networks.sandbox.state import Account, Change, Deleted, Image, Post, Reset

logger = logging.getLogger("roost.networks.sandbox")

SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
    id INTEGER PRIMARY KEY,
    handle TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    token TEXT NOT NULL UNIQUE,
    created_at REAL NOT NULL,
    simulated INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS posts (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    text TEXT NOT NULL,
    reply_to INTEGER,
    language TEXT,
    idempotency_key TEXT NOT NULL,
    created_at REAL NOT NULL,
    deleted_at REAL
);
CREATE TABLE IF NOT EXISTS media (
    post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    alt TEXT NOT NULL,
    mime_type TEXT NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (post_id, position)
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""

Loaded = tuple[list[Account], list[Post], int]


class Store:
    """One SQLite file, used only from its own single worker thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        # One thread: sqlite3 connections belong to the thread that made them, and one
        # writer is all SQLite allows anyway.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sandbox-sqlite")
        self._conn: sqlite3.Connection | None = None
        self._pending: list[tuple[Sequence[Change], asyncio.Future[None]]] = []
        self._flusher: asyncio.Task[None] | None = None

    async def open(self) -> Loaded:
        """Create the schema if needed and read everything back."""
        return await asyncio.get_running_loop().run_in_executor(self._executor, self._open)

    def _open(self) -> Loaded:
        """Open the file (WAL), create the schema and load every row."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        # NORMAL in WAL mode: a commit survives a crash of this process, not of the machine.
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.executescript(SCHEMA)
        columns = {row[1] for row in conn.execute("PRAGMA table_info(accounts)")}
        if "simulated" not in columns:  # a file from before simulated people
            conn.execute("ALTER TABLE accounts ADD COLUMN simulated INTEGER NOT NULL DEFAULT 0")
        self._conn = conn
        accounts = [
            Account(pk, handle, name, token, created_at, simulated=bool(simulated))
            for pk, handle, name, token, created_at, simulated in conn.execute(
                "SELECT id, handle, name, token, created_at, simulated FROM accounts ORDER BY id"
            )
        ]
        media: dict[int, list[Image]] = {}
        for post_id, alt, mime_type, data in conn.execute(
            "SELECT post_id, alt, mime_type, data FROM media ORDER BY post_id, position"
        ):
            media.setdefault(post_id, []).append(Image(alt, mime_type, bytes(data)))
        posts = [
            Post(
                id=row[0],
                account_id=row[1],
                text=row[2],
                reply_to=row[3],
                language=row[4],
                idempotency_key=row[5],
                created_at=row[6],
                deleted_at=row[7],
                media=tuple(media.get(row[0], ())),
            )
            for row in conn.execute(
                "SELECT id, account_id, text, reply_to, language, idempotency_key, created_at,"
                " deleted_at FROM posts ORDER BY id"
            )
        ]
        row = conn.execute("SELECT value FROM meta WHERE key = 'next_post_id'").fetchone()
        return accounts, posts, row[0] if row else 1

    async def write(self, changes: Sequence[Change]) -> None:
        """Persist these changes; returns once they are committed (raises sqlite3.Error if not)."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((changes, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        await future

    async def _flush(self) -> None:
        """Commit whatever is pending, in arrival order, one transaction per batch."""
        loop = asyncio.get_running_loop()
        while self._pending:
            # Writes that arrive while this batch commits form the next batch.
            batch, self._pending = self._pending, []
            try:
                await loop.run_in_executor(
                    self._executor, self._apply, [c for changes, _ in batch for c in changes]
                )
            except sqlite3.Error as exc:
                logger.exception("sandbox: could not save %d changes", len(batch))
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
            else:
                for _, future in batch:
                    if not future.done():
                        future.set_result(None)

    def _apply(self, changes: list[Change]) -> None:
        """Write one batch of changes in one transaction."""
        conn = self._conn
        assert conn is not None, "Store.open() first"
        conn.execute("BEGIN")
        try:
            # Runs of posts go in with one executemany: generated traffic comes in the
            # tens of thousands, and a statement per row would cost several times more.
            posts: list[Post] = []
            for change in changes:
                if isinstance(change, Post):
                    posts.append(change)
                    continue
                if posts:
                    self._insert_posts(conn, posts)
                    posts = []
                self._apply_one(conn, change)
            if posts:
                self._insert_posts(conn, posts)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    @staticmethod
    def _insert_posts(conn: sqlite3.Connection, posts: list[Post]) -> None:
        """The SQL for new posts and their images."""
        conn.executemany(
            "INSERT INTO posts (id, account_id, text, reply_to, language,"
            " idempotency_key, created_at, deleted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    post.id,
                    post.account_id,
                    post.text,
                    post.reply_to,
                    post.language,
                    post.idempotency_key,
                    post.created_at,
                    post.deleted_at,
                )
                for post in posts
            ],
        )
        conn.executemany(
            "INSERT INTO media (post_id, position, alt, mime_type, data) VALUES (?, ?, ?, ?, ?)",
            [
                (post.id, position, image.alt, image.mime_type, image.data)
                for post in posts
                for position, image in enumerate(post.media)
            ],
        )

    @staticmethod
    def _apply_one(conn: sqlite3.Connection, change: Change) -> None:
        """The SQL for one change other than a new post."""
        match change:
            case Account():
                conn.execute(
                    "INSERT INTO accounts (id, handle, name, token, created_at, simulated)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        change.id,
                        change.handle,
                        change.name,
                        change.token,
                        change.created_at,
                        int(change.simulated),
                    ),
                )
            case Post():
                Store._insert_posts(conn, [change])
            case Deleted():
                conn.execute(
                    "UPDATE posts SET deleted_at = ? WHERE id = ?", (change.at, change.post_id)
                )
            case Reset():
                conn.execute("DELETE FROM media")
                conn.execute("DELETE FROM posts")
                conn.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES ('next_post_id', ?)",
                    (change.next_post_id,),
                )

    async def close(self) -> None:
        """Commit what is pending, then close the file."""
        while self._flusher is not None and not self._flusher.done():
            await self._flusher
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._executor, self._close)
        self._executor.shutdown(wait=True)

    def _close(self) -> None:
        """Close the connection (in the store's thread)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None
