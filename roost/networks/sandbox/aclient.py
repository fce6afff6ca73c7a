"""The Sandbox calls the publisher makes in bulk, over asyncio (aiohttp).

A thread per call costs the publisher's process more CPU than the call itself once
hundreds are in flight; one event loop carries thousands. Same answers and errors as
client.SandboxClient.
"""

from __future__ import annotations

import asyncio
import json as jsonlib
from collections.abc import Mapping, Sequence
from typing import Any

import aiohttp

from roost.core import outbound
from roost.networks.sandbox.client import (
    InboxBatch,
    RemotePost,
    SandboxError,
    UploadImage,
    _remote_post,
    _shape,
    error_text,
    inbox_batch,
    inbox_params,
    parse_retry_after,
    post_body,
    request_headers,
    search_answer,
    search_params,
    transport_error,
)

TIMEOUT = aiohttp.ClientTimeout(total=60, connect=5, sock_read=30)
# One session per event loop and server: sessions cannot cross loops.
_sessions: dict[tuple[int, str], aiohttp.ClientSession] = {}


def _session(base_url: str) -> aiohttp.ClientSession:
    loop = asyncio.get_running_loop()
    key = (id(loop), base_url)
    session = _sessions.get(key)
    if session is None or session.closed:
        # Through the outbound guard, no environment proxy: the Sandbox's own address is on
        # the allow-list (a cached check per request), anything else must be public.
        session = _sessions[key] = outbound.guarded_aiohttp_session(
            limit=1024, keepalive_timeout=30, timeout=TIMEOUT, headers={"User-Agent": "Roost"}
        )
    return session


async def close_sessions() -> None:
    """Close this loop's sessions (when the publisher stops)."""
    loop_id = id(asyncio.get_running_loop())
    for key in [k for k in _sessions if k[0] == loop_id]:
        await _sessions.pop(key).close()


class AsyncSandboxClient:
    """The Sandbox API for one token, on the running event loop."""

    def __init__(self, base_url: str, token: str = "") -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token

    async def _request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: list[tuple[str, str]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        all_headers = request_headers(self._token, headers)
        try:
            async with _session(self.base_url).request(
                method, self.base_url + path, json=json, params=params, headers=all_headers
            ) as response:
                body = await response.read()
                status, reason = response.status, response.reason or ""
                retry_after = response.headers.get("Retry-After")
        except TimeoutError as exc:
            raise SandboxError(0, "no answer in time") from exc
        except aiohttp.ClientError as exc:
            raise transport_error(self.base_url, exc) from exc
        if status >= 400:
            raise SandboxError(
                status, error_text(status, body, reason), parse_retry_after(retry_after)
            )
        if status == 204:
            return None
        try:
            return jsonlib.loads(body)
        except ValueError as exc:
            raise SandboxError(0, f"an unreadable answer (HTTP {status})") from exc

    async def create_post(
        self,
        *,
        idempotency_key: str,
        text: str,
        reply_to: str | None = None,
        media: Sequence[UploadImage] = (),
        language: str | None = None,
    ) -> RemotePost:
        body = post_body(text=text, reply_to=reply_to, media=media, language=language)
        data = await self._request(
            "POST", "/api/posts", json=body, headers={"Idempotency-Key": idempotency_key}
        )
        return _shape(lambda: _remote_post(data))

    async def posts_by_keys(self, keys: Sequence[str]) -> list[RemotePost]:
        data = await self._request(
            "GET", "/api/posts", params=[("idempotency_key", key) for key in keys]
        )
        return _shape(lambda: [_remote_post(item) for item in data["posts"]])

    async def inbox(self, *, after: int | None, limit: int) -> InboxBatch:
        data = await self._request("GET", "/api/inbox", params=inbox_params(after, limit))
        return _shape(lambda: inbox_batch(data))

    async def search_public(
        self, *, q: str, since: str = "", cursor: str = "", lang: str = "", limit: int = 100
    ) -> dict[str, Any]:
        params = search_params(q=q, since=since, cursor=cursor, lang=lang, limit=limit)
        data = await self._request("GET", "/api/public/search", params=params)
        return _shape(lambda: search_answer(data))
