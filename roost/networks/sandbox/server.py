"""The Sandbox network's HTTP service (aiohttp): a JSON API, a control API and an HTML feed.

A real local server, so the whole publish loop (and its failures) can be seen and measured
without any account on a real network. Control knobs inject latency, 429s, 503s, revoked
tokens and lost responses; `GET /api/stats` counts publishes per idempotency key.
The Sandbox Ads live under `/api/ads/` (ads_server.py).
`GET /api/inbox` shows what others said to an account; `POST /api/inbound` and the
`inbound_rate` knob make simulated people say it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import sqlite3
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler

from roost.networks.sandbox import ads_server, conversation, pages, rules, traffic
from roost.networks.sandbox.meter import Meter, slept
from roost.networks.sandbox.state import (
    Account,
    ApiError,
    Change,
    Post,
    Reset,
    SandboxState,
    parse_id,
)
from roost.networks.sandbox.store import Store

logger = logging.getLogger("roost.networks.sandbox")
# Four 5 MB images in base64 plus text: about 27 MB.
MAX_BODY = 32 * 1024 * 1024
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
INBOX_LIMIT, MAX_INBOX_LIMIT = 100, 1000
TRAFFIC_TICK = 0.25  # seconds between rounds of generated inbound traffic


class SandboxServer:
    """The request handlers, around one `SandboxState` and an optional `Store`."""

    def __init__(self, state: SandboxState, store: Store | None) -> None:
        self.state = state
        self.store = store
        self.meter = Meter()
        self._traffic: asyncio.Task[None] | None = None
        self._lag_probe: asyncio.Task[None] | None = None
        # Inbox pages answered and the seconds spent answering them (building the answer,
        # not the HTTP around it): the Sandbox's own share of a poll, for the benches.
        self.inbox_answers = 0
        self.inbox_seconds = 0.0
        # The public conversation: generated on demand, a few hours kept.
        self.conversation = conversation.Generator()
        self.started_at = time.time()
        self.search_answers = 0
        self.search_seconds = 0.0
        # The Sandbox Ads (ads_server.py): in memory only, reset with the posts.
        self.ads = ads_server.AdsRoutes(self)

    # Plumbing

    async def _save(self, *changes: Change) -> None:
        """Persist changes before answering (a no-op in memory-only mode)."""
        if self.store is not None:
            try:
                await self.store.write(changes)
            except sqlite3.Error:
                # Logged by the store. Memory already has the change, so a client that asks
                # again (find_existing) sees it; only a restart would lose it.
                raise ApiError(500, "the Sandbox could not save this change") from None

    async def _json(self, request: web.Request) -> Any:
        """The request's JSON body, or a 400."""
        try:
            return await request.json()
        except (ValueError, UnicodeDecodeError):
            raise ApiError(400, "the body is not valid JSON") from None

    async def _authenticate(self, request: web.Request) -> Account:
        """The caller's account; with `all_endpoints` on, also latency and faults."""
        account = self.state.authenticate(request.headers.get("Authorization", ""))
        if self.state.knobs.all_endpoints:
            await self._latency()
            self.state.roll_faults()
        return account

    async def _latency(self) -> None:
        """Wait the injected latency, if any."""
        if self.state.knobs.latency_ms:
            await asyncio.sleep(self.state.knobs.latency_ms / 1000)
            slept(self.state.knobs.latency_ms / 1000)

    def _post_json(self, request: web.Request, post: Post) -> dict[str, Any]:
        """A post as the API shows it (media as URLs, not bytes)."""
        account = self.state.accounts.get(post.account_id)
        base = _base_url(request)
        return {
            "id": str(post.id),
            "url": f"{base}/posts/{post.id}",
            "account": {"id": str(post.account_id), "handle": account.handle if account else ""},
            "text": post.text,
            "reply_to": str(post.reply_to) if post.reply_to is not None else None,
            "language": post.language,
            "idempotency_key": post.idempotency_key,
            "created_at": post.created_at,
            "media": [
                {
                    "alt": image.alt,
                    "mime_type": image.mime_type,
                    "url": f"{base}/media/{post.id}/{position}",
                }
                for position, image in enumerate(post.media)
            ],
        }

    def _inbound_json(self, base: str, post: Post, kind: str) -> dict[str, Any]:
        """A post to an account, as its inbox shows it."""
        author = self.state.accounts.get(post.account_id)
        return {
            "id": str(post.id),
            "url": f"{base}/posts/{post.id}",
            "text": post.text,
            "author": {
                "id": str(post.account_id),
                "handle": author.handle if author else "",
                "name": author.name if author else "",
            },
            "created_at": datetime.fromtimestamp(post.created_at, UTC).isoformat(),
            "reply_to": str(post.reply_to) if post.reply_to is not None else None,
            "root_id": str(post.root_id),
            "language": post.language,
            "kind": kind,
        }

    # JSON API

    async def health(self, request: web.Request) -> web.Response:
        """Liveness for scripts and the test helper."""
        return web.json_response({"ok": True})

    async def create_account(self, request: web.Request) -> web.Response:
        """POST /api/accounts {"name"} → a new account and its token."""
        account = self.state.create_account(await self._json(request))
        await self._save(account)
        return web.json_response(
            {"id": str(account.id), "handle": account.handle, "token": account.token},
            status=201,
        )

    async def me(self, request: web.Request) -> web.Response:
        """GET /api/me → the token's account."""
        account = await self._authenticate(request)
        return web.json_response(
            {"id": str(account.id), "handle": account.handle, "name": account.name}
        )

    def _model_now(self) -> float:
        """The engagement model's clock: the wall clock, ahead by the clock_ahead_s knob."""
        return self.state.model_now()

    async def audience(self, request: web.Request) -> web.Response:
        """GET /api/me/audience → the token's account's followers, following and posts."""
        account = await self._authenticate(request)
        return web.json_response(self.state.audience(account, self._model_now()))

    async def publish(self, request: web.Request) -> web.Response:
        """POST /api/posts: record a post (never deduplicated), then answer, or lose the answer."""
        account = self.state.authenticate(request.headers.get("Authorization", ""))
        key = request.headers.get("Idempotency-Key", "").strip()
        if not key:
            raise ApiError(400, "the Idempotency-Key header is required")
        if len(key) > rules.MAX_IDEMPOTENCY_KEY:
            raise ApiError(
                400,
                f"the Idempotency-Key header is longer than {rules.MAX_IDEMPOTENCY_KEY} characters",
            )
        body = await self._json(request)
        await self._latency()
        # Injected faults strike before the post is recorded…
        self.state.roll_faults()
        post = self.state.create_post(account, key, body)
        await self._save(post)
        # …except this one, which is what `find_existing` exists for.
        if self.state.roll_lost_response():
            raise ApiError(503, "the post was recorded but the answer was lost (injected)")
        return web.json_response(
            {"id": str(post.id), "url": f"{_base_url(request)}/posts/{post.id}"}, status=201
        )

    async def list_posts(self, request: web.Request) -> web.Response:
        """GET /api/posts[?idempotency_key=K…] → the caller's posts with those keys (or recent)."""
        account = await self._authenticate(request)
        keys = request.query.getall("idempotency_key", [])
        if keys:
            posts = self.state.posts_by_keys(account, keys)
        else:
            posts = self.state.recent(account_id=account.id, limit=_limit(request))
        return web.json_response({"posts": [self._post_json(request, p) for p in posts]})

    async def get_post(self, request: web.Request) -> web.Response:
        """GET /api/posts/{id} → the post (public)."""
        post = self.state.live_post(request.match_info["id"])
        return web.json_response(self._post_json(request, post))

    async def delete_post(self, request: web.Request) -> web.Response:
        """DELETE /api/posts/{id} → 204 (owner only)."""
        account = await self._authenticate(request)
        await self._save(self.state.delete_post(account, request.match_info["id"]))
        return web.Response(status=204)

    async def metrics(self, request: web.Request) -> web.Response:
        """GET /api/posts/{id}/metrics → every counter (see engagement.py)."""
        post = self.state.live_post(request.match_info["id"])
        return web.json_response(self.state.metrics(post, self._model_now()))

    async def inbox(self, request: web.Request) -> web.Response:
        """GET /api/inbox?after=<post id>&limit=<n> → replies and mentions by others, oldest
        first. Without `after`: the newest `limit` only, and `next_after` marks now."""
        account = await self._authenticate(request)
        started = time.perf_counter()
        raw = request.query.get("after")
        after = None if raw is None else 0 if raw == "0" else parse_id(raw)
        if raw is not None and after is None:
            raise ApiError(400, f"after must be a post id, not {raw!r}")
        found, more = self.state.inbox_page(account, after=after, limit=_inbox_limit(request))
        if found:
            next_after = found[-1][0].id
        else:
            # A first look at an empty inbox: later polls start from the newest post now.
            next_after = after if after is not None else self.state.next_post_id - 1
        base = _base_url(request)
        response = web.json_response(
            {
                "items": [self._inbound_json(base, post, kind) for post, kind in found],
                "activity": self.state.activity([post for post, _kind in found]),
                "next_after": str(next_after),
                "has_more": more,
            }
        )
        self.inbox_answers += 1
        self.inbox_seconds += time.perf_counter() - started
        return response

    async def inbound(self, request: web.Request) -> web.Response:
        """POST /api/inbound {"handle", "count", "seed"} → that many posts to the account
        from simulated people, at once (for tests, benchmarks and the demo)."""
        account, count, seed = traffic.parse_request(self.state, await self._json(request))
        made, by_language = traffic.people(self.state)
        rng = random.Random(seed)  # noqa: S311 (not a secret: reproducible traffic)
        posts = traffic.generate(self.state, account, count, rng, by_language)
        await self._save(*made, *posts)
        replies = sum(1 for post in posts if post.reply_to is not None)
        return web.json_response(
            {
                "created": len(posts),
                "first_id": str(posts[0].id) if posts else None,
                "last_id": str(posts[-1].id) if posts else None,
                "replies": replies,
                "mentions": len(posts) - replies,
            },
            status=201,
        )

    # The public conversation (listening)

    async def public_search(self, request: web.Request) -> web.Response:
        """GET /api/public/search?q=&since=&cursor=&lang=&limit= → public posts matching the
        term, newest first; `cursor` pages older. Deleted posts are never returned; those the
        search met are named in `deleted`."""
        await self._authenticate(request)
        started = time.perf_counter()
        query = request.query
        since = _when(query.get("since"), "since")
        language = query.get("lang", "")
        if language and not (language.isascii() and language.isalpha() and len(language) == 2):
            raise ApiError(
                400, f"lang must be a two-letter code such as 'en', not {language[:20]!r}"
            )
        limit = _bounded(query.get("limit"), "limit", default=100, top=conversation.MAX_PAGE)
        try:
            page = conversation.search(
                self.state.world(self.started_at),
                query.get("q", ""),
                now=self.state.model_now(),
                since=since,
                cursor=query.get("cursor") or None,
                language=language,
                limit=limit,
                generator=self.conversation,
            )
        except conversation.TermError as exc:
            raise ApiError(400, str(exc)) from None
        base = _base_url(request)
        response = web.json_response(
            {
                "posts": [_public_json(base, post) for post in page.posts],
                "cursor": page.cursor,
                "deleted": list(page.deleted),
            }
        )
        self.search_answers += 1
        self.search_seconds += time.perf_counter() - started
        return response

    async def public_truth(self, request: web.Request) -> web.Response:
        """GET /api/public/truth?since=&until=[&labels=1] → the planted bursts in the window,
        and with labels=1 every post's intended sentiment, intent and subject (ground truth
        for tests and benches; like /api/control, no token)."""
        now = self.state.model_now()
        until = _when(request.query.get("until"), "until") or now
        since = _when(request.query.get("since"), "since")
        since = until - 86400 if since is None else since
        if not since < until:
            raise ApiError(400, "since must be before until")
        world = self.state.world(self.started_at)
        body: dict[str, Any] = {
            "now": datetime.fromtimestamp(now, UTC).isoformat(),
            "world": {"seed": world.seed, "rate": world.rate, "anchor": world.anchor},
            "bursts": [burst.as_json() for burst in conversation.bursts(world, since, until)],
        }
        if request.query.get("labels") in ("1", "true"):
            if until - since > 7 * 86400:
                raise ApiError(400, "labels: ask for at most 7 days at a time")
            labels = []
            for post in conversation.truth(
                world, since=since, until=until, generator=self.conversation
            ):
                labels.append(post.label())
                if len(labels) > 500_000:
                    raise ApiError(400, "labels: more than 500,000 posts; ask for less time")
            body["labels"] = labels
        return web.json_response(body)

    async def public_post_page(self, request: web.Request) -> web.Response:
        """GET /public/{id} → one post of the public conversation (once it exists)."""
        post = self._public_post(request.match_info["id"])
        if post is None:
            return _html(pages.page("Not found", "<h1>This post does not exist</h1>"), 404)
        return _html(pages.public_post_page(post))

    def _public_post(self, raw: str) -> conversation.ConvPost | None:
        post_id = parse_id(raw)
        if post_id is None:
            return None
        now = self.state.model_now()
        world = self.state.world(self.started_at)
        for post in self.conversation.hour(world, post_id // 10_000_000):
            if post.id == post_id and post.created_at <= now:
                if post.deleted_at is not None and post.deleted_at <= now:
                    return None
                return post
        return None

    async def stats(self, request: web.Request) -> web.Response:
        """GET /api/stats → publishes in total and per idempotency key, duplicates, faults;
        how busy the server itself is (requests, its own time to answer, CPU); the inbox
        pages answered and the seconds spent on them; the server's process id."""
        return web.json_response(
            {
                **self.state.stats(),
                "server": self.meter.stats(),
                "inbox_answers": self.inbox_answers,
                "inbox_seconds": round(self.inbox_seconds, 6),
                "search_answers": self.search_answers,
                "search_seconds": round(self.search_seconds, 6),
                "pid": os.getpid(),
            }
        )

    async def control(self, request: web.Request) -> web.Response:
        """POST /api/control → set fault knobs (for tests, benchmarks and the demo)."""
        knobs, reset = self.state.control(await self._json(request))
        if reset:
            self.meter.reset()
            self.ads.ads.reset()
            await self._save(Reset(self.state.next_post_id))
        return web.json_response(
            {"knobs": knobs, "traffic": {"inbound_rate": self.state.inbound_rate}}
        )

    # HTML

    def _account_of(self, post: Post) -> Account | None:
        """The account that made a post."""
        return self.state.accounts.get(post.account_id)

    async def feed(self, request: web.Request) -> web.Response:
        """GET / → every account's posts, newest first."""
        return self._feed(request, "Sandbox feed", None)

    async def account_feed(self, request: web.Request) -> web.Response:
        """GET /@{handle} → one account's posts, newest first."""
        account = self.state.by_handle.get(request.match_info["handle"])
        if account is None:
            return _html(pages.page("Not found", "<h1>No such Sandbox account</h1>"), 404)
        return self._feed(request, f"@{account.handle} ({account.name})", account.id)

    def _feed(self, request: web.Request, title: str, account_id: int | None) -> web.Response:
        """A newest-first page of posts, with a cursor link to older ones."""
        before = parse_id(request.query.get("before", ""))
        limit = _limit(request)
        posts = self.state.recent(account_id=account_id, before=before, limit=limit)
        older = f"{request.path}?before={posts[-1].id}" if len(posts) == limit else None
        return _html(pages.feed_page(title, posts, self._account_of, older_href=older))

    async def post_page(self, request: web.Request) -> web.Response:
        """GET /posts/{id} → one post and its replies."""
        try:
            post = self.state.live_post(request.match_info["id"])
        except ApiError:
            return _html(pages.page("Not found", "<h1>This post does not exist</h1>"), 404)
        replies = self.state.live_replies(post)
        return _html(pages.post_page(post, replies, self._account_of))

    async def media(self, request: web.Request) -> web.Response:
        """GET /media/{id}/{n} → an image's bytes (only types the API accepted)."""
        try:
            post = self.state.live_post(request.match_info["id"])
            image = post.media[int(request.match_info["n"])]
        except (ApiError, IndexError, ValueError):
            raise web.HTTPNotFound() from None
        return web.Response(
            body=image.data,
            content_type=image.mime_type,
            headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "max-age=3600"},
        )

    # Generated traffic

    async def _generate_traffic(self) -> None:
        """Forever: `inbound_rate` posts a second to every account that has posts."""
        owed: dict[int, float] = {}  # fractions of a post carried to the next round
        last = time.monotonic()
        while True:
            await asyncio.sleep(TRAFFIC_TICK)
            now = time.monotonic()
            elapsed, last = min(now - last, 1.0), now
            rate = self.state.inbound_rate
            if not rate:
                owed.clear()
                self.state.traffic_ticks += 1
                continue
            try:
                await self._save(*self._traffic_round(rate * elapsed, owed))
            except ApiError:
                pass  # the store logged it; the next round goes on
            except Exception:  # a bug here must not stop the server or later rounds
                logger.exception("sandbox: generating inbound traffic failed")
            self.state.traffic_ticks += 1

    def _traffic_round(self, due: float, owed: dict[int, float]) -> Sequence[Change]:
        """One round of generated posts (and any people created for them)."""
        state = self.state
        made, by_language = traffic.people(state)
        changes: list[Change] = list(made)
        for account in list(state.accounts.values()):
            if account.simulated or not state.has_live_posts(account.id):
                continue
            owed[account.id] = owed.get(account.id, 0.0) + due
            count = int(owed[account.id])
            if count:
                owed[account.id] -= count
                changes.extend(
                    traffic.generate(state, account, count, state.traffic_rng, by_language)
                )
        return changes

    # Lifecycle

    async def startup(self, app: web.Application) -> None:
        """Load the saved world, if there is a file; start the traffic generator."""
        if self.store is not None:
            accounts, posts, next_post_id = await self.store.open()
            self.state.load(accounts, posts, next_post_id)
        self._traffic = asyncio.create_task(self._generate_traffic())
        self._lag_probe = asyncio.create_task(self.meter.probe_lag())

    async def cleanup(self, app: web.Application) -> None:
        """Stop generating, commit what is pending and close the file."""
        for task in (self._traffic, self._lag_probe):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self.store is not None:
            await self.store.close()


def _base_url(request: web.Request) -> str:
    """The address the client used to reach us, for URLs in answers."""
    return f"{request.scheme}://{request.host}"


def _limit(request: web.Request) -> int:
    """The page size from ?limit=, 1 to 100 (default 50)."""
    raw = request.query.get("limit", "")
    return min(int(raw), 100) if raw.isdigit() and int(raw) > 0 else 50


def _inbox_limit(request: web.Request) -> int:
    """The inbox page size from ?limit=, 1 to 1000 (default 100)."""
    raw = request.query.get("limit", "")
    return min(int(raw), MAX_INBOX_LIMIT) if raw.isdigit() and int(raw) > 0 else INBOX_LIMIT


def _when(raw: str | None, name: str) -> float | None:
    """Unix seconds from an ISO 8601 moment with its time zone; None when absent; 400 when
    it is not one."""
    if raw is None or raw == "":
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise ApiError(
            400, f"{name} must be an ISO 8601 time such as 2026-12-03T08:00:00Z, not {raw[:40]!r}"
        ) from None
    if moment.tzinfo is None:
        raise ApiError(400, f"{name} needs a time zone (for example Z or +01:00)")
    return moment.timestamp()


def _bounded(raw: str | None, name: str, *, default: int, top: int) -> int:
    """A whole number from 1 to `top` from the query, or a 400."""
    if raw is None or raw == "":
        return default
    if not (raw.isascii() and raw.isdigit() and 1 <= int(raw[:7]) <= top):
        raise ApiError(400, f"{name} must be a whole number from 1 to {top}")
    return int(raw)


def _public_json(base: str, post: conversation.ConvPost) -> dict[str, Any]:
    """A public post as the search shows it (no labels: those are in /api/public/truth)."""
    return {
        "id": str(post.id),
        "url": f"{base}/public/{post.id}",
        "text": post.text,
        "created_at": datetime.fromtimestamp(post.created_at, UTC).isoformat(),
        "language": post.language,
        "author": {
            "id": str(post.author_id),
            "handle": post.author_handle,
            "name": post.author_name,
            "followers": post.followers,
        },
        "likes": post.likes,
        "reposts": post.reposts,
        "replies": post.replies,
    }


def _html(text: str, status: int = 200) -> web.Response:
    """An HTML response with the pages' security headers."""
    return web.Response(text=text, status=status, content_type="text/html", headers=PAGE_HEADERS)


@web.middleware
async def _json_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answer API errors as {"error": message} JSON, with their headers (Retry-After…)."""
    try:
        return await handler(request)
    except ApiError as exc:
        return web.json_response({"error": exc.message}, status=exc.status, headers=exc.headers)
    except web.HTTPException as exc:
        if not request.path.startswith("/api/") or exc.status < 400:
            raise
        # aiohttp's own refusals (413 body too large, 404, 405) in the API's shape.
        message = exc.text or exc.reason
        return web.json_response({"error": message}, status=exc.status)


SERVER_KEY = web.AppKey("sandbox", SandboxServer)


def create_app(
    db_path: str | Path | None = None, *, latency_ms: int = 0, seed: int = 0
) -> web.Application:
    """The Sandbox as an aiohttp application; persisted in `db_path` if given."""
    state = SandboxState(latency_ms=latency_ms, seed=seed, reserved_handles=traffic.HANDLES)
    server = SandboxServer(state, Store(Path(db_path)) if db_path else None)
    app = web.Application(
        client_max_size=MAX_BODY, middlewares=[server.meter.middleware, _json_errors]
    )
    app[SERVER_KEY] = server
    app.on_startup.append(server.startup)
    app.on_cleanup.append(server.cleanup)
    app.add_routes(
        [
            web.get("/health", server.health),
            web.post("/api/accounts", server.create_account),
            web.get("/api/me", server.me),
            web.get("/api/me/audience", server.audience),
            web.post("/api/posts", server.publish),
            web.get("/api/posts", server.list_posts),
            web.get("/api/posts/{id}", server.get_post),
            web.delete("/api/posts/{id}", server.delete_post),
            web.get("/api/posts/{id}/metrics", server.metrics),
            web.get("/api/stats", server.stats),
            web.get("/api/inbox", server.inbox),
            web.post("/api/inbound", server.inbound),
            web.post("/api/control", server.control),
            web.get("/api/public/search", server.public_search),
            web.get("/api/public/truth", server.public_truth),
            web.get("/public/{id}", server.public_post_page),
            web.get("/", server.feed),
            web.get("/@{handle}", server.account_feed),
            web.get("/posts/{id}", server.post_page),
            web.get("/media/{id}/{n}", server.media),
        ]
    )
    ads_server.add_routes(app, server.ads)
    return app


# Listen queue: hundreds of clients may connect in the same instant.
BACKLOG = 1024


def run(host: str = "127.0.0.1", port: int = 8025, db_path: str | Path | None = None) -> None:
    """Serve the Sandbox until interrupted (Ctrl-C or SIGTERM)."""
    app = create_app(db_path)
    where = f"saved in {db_path}" if db_path else "in memory only"
    print(f"Sandbox — a local test network — on http://{host}:{port}/ ({where}); Ctrl-C stops")
    # No access log: at thousands of requests a second it would cost more than the requests.
    web.run_app(
        app,
        host=host,
        port=port,
        access_log=None,
        backlog=BACKLOG,
        shutdown_timeout=5,
        print=None,
    )
