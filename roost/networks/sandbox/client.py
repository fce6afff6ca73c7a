"""Raw HTTP to a Sandbox server over httpx. Every failure becomes a `SandboxError`."""

from __future__ import annotations

import base64
import itertools
import json as jsonlib
import ssl
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote

import httpx

from roost.core import outbound
from roost.networks.base import METRIC_NAMES

# Explicit timeouts; `pool` is generous because hundreds of threads may wait for a connection.
TIMEOUT = httpx.Timeout(connect=5.0, read=30.0, write=30.0, pool=30.0)
# Threads share a few pooled clients per base URL rather than one: httpcore 1.0's pool does
# O(connections x waiting requests) work under one lock per request, so a single client
# used by 256 threads managed ~130 requests/s here, while 16 clients of 32 connections each
# (512 in all, the same keep-alive reuse) managed ~970/s against the same server.
SHARDS = 16
# Keep-alive limit equal to the connection limit: the pool then never closes an idle
# connection as surplus, a path that can close one already handed to a waiting request
# (encode/httpcore#1110).
LIMITS = httpx.Limits(max_connections=32, max_keepalive_connections=32, keepalive_expiry=30.0)

_groups: dict[str, _ClientGroup] = {}
_groups_lock = threading.Lock()
_thread = threading.local()
_next_shard = itertools.count()
_ssl: list[ssl.SSLContext] = []


def _thread_shard() -> int:
    """This thread's shard, dealt round-robin on first use so threads spread evenly."""
    shard: int | None = getattr(_thread, "shard", None)
    if shard is None:
        shard = _thread.shard = next(_next_shard) % SHARDS
    return shard


def _ssl_context() -> ssl.SSLContext:
    """One TLS context for every client: building one takes ~15 ms."""
    if not _ssl:
        _ssl.append(httpx.create_ssl_context())
    return _ssl[0]


class _ClientGroup:
    """The pooled httpx clients for one base URL; each thread keeps to one of them."""

    def __init__(self) -> None:
        self._clients: list[httpx.Client | None] = [None] * SHARDS
        self._lock = threading.Lock()

    def for_this_thread(self) -> httpx.Client:
        """The client this thread uses (httpx.Client is thread-safe; ~1/16 of threads share it)."""
        shard = _thread_shard()
        client = self._clients[shard]
        if client is None:
            with self._lock:
                client = self._clients[shard]
                if client is None:
                    # Through the outbound guard (no environment proxy either): the
                    # Sandbox's own address is on the allow-list, anything else must be
                    # public.
                    client = outbound.guarded_httpx_client(
                        timeout=TIMEOUT,
                        limits=LIMITS,
                        verify=_ssl_context(),
                        headers={"User-Agent": "Roost"},
                    )
                    self._clients[shard] = client
        return client

    def close(self) -> None:
        """Close every client's connections."""
        with self._lock:
            clients, self._clients = self._clients, [None] * SHARDS
        for client in clients:
            if client is not None:
                client.close()


def shared_clients(base_url: str) -> _ClientGroup:
    """The clients every connector for this base URL shares."""
    base_url = base_url.rstrip("/")
    with _groups_lock:
        group = _groups.get(base_url)
        if group is None:
            group = _groups[base_url] = _ClientGroup()
        return group


def forget(base_url: str) -> None:
    """Close and drop the shared clients of a base URL (a test server that has stopped)."""
    with _groups_lock:
        group = _groups.pop(base_url.rstrip("/"), None)
    if group is not None:
        group.close()


class SandboxError(Exception):
    """A call that failed. `status` is the HTTP status, or 0 when no usable answer came;
    `refused` when Roost's outbound guard refused the address (no retry can help)."""

    def __init__(
        self,
        status: int,
        message: str,
        retry_after: float | None = None,
        *,
        refused: bool = False,
    ) -> None:
        super().__init__(f"{status}: {message}" if status else message)
        self.status = status
        self.message = message
        self.retry_after = retry_after
        self.refused = refused


def transport_error(base_url: str, exc: BaseException) -> SandboxError:
    """The SandboxError for a request that got no answer: refused by the guard, or not
    reached."""
    refused = outbound.refusal(exc)
    if refused is not None:
        return SandboxError(0, str(refused), refused=True)
    return SandboxError(0, f"could not reach {base_url} ({exc})")


@dataclass(frozen=True)
class RemotePost:
    """A post as the Sandbox reports it."""

    id: str
    url: str
    idempotency_key: str = ""


@dataclass(frozen=True)
class RemoteAccount:
    """An account as the Sandbox reports it (token only when just created)."""

    id: str
    handle: str
    name: str = ""
    token: str = ""


@dataclass(frozen=True)
class InboxBatch:
    """One page of GET /api/inbox. `items` are as sent: the connector checks each one, so
    one malformed item is skipped rather than losing the page."""

    items: list[Any]
    next_after: int
    has_more: bool
    activity: dict[str, int]


ACTIVITY = ("likes", "reposts", "follows")


@dataclass(frozen=True)
class UploadImage:
    """An image to send with a post."""

    data: bytes
    mime_type: str
    alt: str = ""


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError, IndexError):
        return None


class SandboxClient:
    """The Sandbox API for one token."""

    def __init__(self, base_url: str, token: str = "", *, timeout: float | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token
        self._timeout = httpx.Timeout(timeout, connect=min(timeout, 5.0)) if timeout else TIMEOUT
        self._clients = shared_clients(self.base_url)

    def _request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: list[tuple[str, str | int | float | bool | None]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """Send one request; the decoded JSON answer, None for 204, or SandboxError."""
        all_headers = request_headers(self._token, headers)
        try:
            response = self._clients.for_this_thread().request(
                method,
                self.base_url + path,
                json=json,
                params=params,
                headers=all_headers,
                timeout=self._timeout,
            )
        except httpx.TimeoutException as exc:
            raise SandboxError(0, f"no answer in time ({type(exc).__name__})") from exc
        except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError) as exc:
            raise transport_error(self.base_url, exc) from exc
        if response.status_code >= 400:
            raise SandboxError(
                response.status_code,
                _error_message(response),
                parse_retry_after(response.headers.get("Retry-After")),
            )
        if response.status_code == 204:
            return None
        try:
            return response.json()
        except ValueError as exc:
            raise SandboxError(0, f"an unreadable answer (HTTP {response.status_code})") from exc

    def create_account(self, name: str) -> RemoteAccount:
        """A new account on the Sandbox (no token needed)."""
        data = self._request("POST", "/api/accounts", json={"name": name})
        return _shape(
            lambda: RemoteAccount(
                id=str(data["id"]), handle=str(data["handle"]), name=name, token=str(data["token"])
            )
        )

    def me(self) -> RemoteAccount:
        """The token's account."""
        data = self._request("GET", "/api/me")
        return _shape(
            lambda: RemoteAccount(
                id=str(data["id"]), handle=str(data["handle"]), name=str(data["name"])
            )
        )

    def create_post(
        self,
        *,
        idempotency_key: str,
        text: str,
        reply_to: str | None = None,
        media: Sequence[UploadImage] = (),
        language: str | None = None,
    ) -> RemotePost:
        """Publish one post."""
        body = post_body(text=text, reply_to=reply_to, media=media, language=language)
        data = self._request(
            "POST", "/api/posts", json=body, headers={"Idempotency-Key": idempotency_key}
        )
        return _shape(lambda: _remote_post(data))

    def posts_by_keys(self, keys: Sequence[str]) -> list[RemotePost]:
        """The token's live posts made with any of these idempotency keys, oldest first."""
        data = self._request("GET", "/api/posts", params=[("idempotency_key", key) for key in keys])
        return _shape(lambda: [_remote_post(item) for item in data["posts"]])

    def inbox(self, *, after: int | None, limit: int) -> InboxBatch:
        """Replies and mentions by others after post `after` (None: the newest `limit`)."""
        params: list[tuple[str, str | int | float | bool | None]] = [*inbox_params(after, limit)]
        data = self._request("GET", "/api/inbox", params=params)
        return _shape(lambda: inbox_batch(data))

    def search_public(
        self, *, q: str, since: str = "", cursor: str = "", lang: str = "", limit: int = 100
    ) -> dict[str, Any]:
        """One page of GET /api/public/search, as sent (the connector checks each post)."""
        params = search_params(q=q, since=since, cursor=cursor, lang=lang, limit=limit)
        data = self._request("GET", "/api/public/search", params=[*params])
        return _shape(lambda: search_answer(data))

    def delete_post(self, post_id: str) -> None:
        """Delete one of the token's posts."""
        self._request("DELETE", f"/api/posts/{quote(post_id, safe='')}")

    def metrics(self, post_id: str) -> dict[str, int]:
        """A post's counters (those the Sandbox sent)."""
        data = self._request("GET", f"/api/posts/{quote(post_id, safe='')}/metrics")
        return _shape(lambda: {name: int(data[name]) for name in METRIC_NAMES if name in data})

    def audience(self) -> dict[str, int]:
        """The token's account's followers, following and posts."""
        data = self._request("GET", "/api/me/audience")
        names = ("followers", "following", "posts")
        return _shape(lambda: {name: int(data[name]) for name in names})


def request_headers(token: str, headers: Mapping[str, str] | None) -> dict[str, str]:
    """The headers of a call, refusing any that cannot be sent."""
    all_headers = dict(headers or {})
    if token:
        all_headers["Authorization"] = f"Bearer {token}"
    for name, value in all_headers.items():
        # The HTTP libraries would raise on these; a header that cannot be sent is answered
        # the way the server would answer it, so a retry never repeats a hopeless request.
        if not (value.isascii() and value.isprintable()):
            status = 401 if name == "Authorization" else 400
            raise SandboxError(status, f"the {name} header cannot be sent over HTTP")
    return all_headers


def post_body(
    *, text: str, reply_to: str | None, media: Sequence[UploadImage], language: str | None
) -> dict[str, Any]:
    return {
        "text": text,
        "reply_to": reply_to,
        "language": language,
        "media": [
            {
                "alt": image.alt,
                "mime_type": image.mime_type,
                "data_b64": base64.b64encode(image.data).decode("ascii"),
            }
            for image in media
        ],
    }


def search_params(
    *, q: str, since: str, cursor: str, lang: str, limit: int
) -> list[tuple[str, str]]:
    """The query of a public search page (empty parameters left out)."""
    params = [("q", q), ("since", since), ("cursor", cursor), ("lang", lang)]
    return [(name, value) for name, value in params if value] + [("limit", str(limit))]


def search_answer(data: Any) -> dict[str, Any]:
    """A search page's JSON, checked for its shape (posts a list, cursor text or null)."""
    if not isinstance(data, dict) or not isinstance(data.get("posts"), list):
        raise TypeError("a search answer needs a list of posts")
    cursor, deleted = data.get("cursor"), data.get("deleted", [])
    if cursor is not None and not isinstance(cursor, str):
        raise TypeError("cursor is not text")
    if not isinstance(deleted, list) or not all(isinstance(d, str) for d in deleted):
        raise TypeError("deleted is not a list of ids")
    return data


def inbox_params(after: int | None, limit: int) -> list[tuple[str, str]]:
    """The query of an inbox page."""
    return [("limit", str(limit))] + ([("after", str(after))] if after is not None else [])


def inbox_batch(data: Any) -> InboxBatch:
    """An InboxBatch from a page's JSON; raises on a page of the wrong shape."""
    items, next_after = data["items"], data["next_after"]
    if not isinstance(items, list):
        raise TypeError(f"items is a {type(items).__name__}, not a list")
    if not (isinstance(next_after, str) and next_after.isascii() and next_after.isdigit()):
        raise ValueError(f"next_after {next_after!r} is not a post id")
    activity = data.get("activity")
    return InboxBatch(
        items=items,
        next_after=int(next_after),
        has_more=data.get("has_more") is True,
        activity={
            name: count
            for name, count in (activity.items() if isinstance(activity, dict) else ())
            if name in ACTIVITY and isinstance(count, int) and not isinstance(count, bool)
        },
    )


def error_text(status: int, body: bytes, reason: str) -> str:
    """The server's own words for an error, or the status text."""
    try:
        data = jsonlib.loads(body)
    except ValueError:
        data = None
    if isinstance(data, dict) and isinstance(data.get("error"), str):
        return data["error"]
    return body.decode("utf-8", "replace").strip()[:200] or reason or f"HTTP {status}"


def _remote_post(item: Any) -> RemotePost:
    """A RemotePost from one JSON post."""
    return RemotePost(
        id=str(item["id"]),
        url=str(item["url"]),
        idempotency_key=str(item.get("idempotency_key", "")),
    )


def _shape[T](build: Callable[[], T]) -> T:
    """Build a typed value from an answer; a malformed answer is a SandboxError like any."""
    try:
        value = build()
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise SandboxError(0, f"an answer of an unexpected shape ({exc!r})") from exc
    return value


def _error_message(response: httpx.Response) -> str:
    return error_text(response.status_code, response.content, response.reason_phrase)
